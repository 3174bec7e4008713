import { t, type MessageKey } from './i18n.svelte';
import { authHeaders, session, signedOut } from './session.svelte';

/** A failed API call with the server's own sentence, so the page can show what to do. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a page says for the failures it expects, by error code or HTTP status (a code is the more specific): a message
 * key, or the page's words around the server's own sentence.
 */
export type FailureWords = Partial<Record<string | number, MessageKey | ((serverSays: string) => string)>>;

/** A page that loads what a role may not see, or what an older server does not offer yet. */
export const PAGE_LOAD_WORDS: FailureWords = { 403: 'common.forbidden', 404: 'common.missing' };

/**
 * What to tell a person about a failed call, in the interface language where the page has words for it: offline when
 * the server was not reached, else the page's words for the code or status, else the server's own sentence (which
 * says what to change).
 */
export function describeFailure(failure: unknown, words: FailureWords = {}): string {
  if (!(failure instanceof ApiFailure)) return failure instanceof Error ? failure.message : String(failure);
  if (failure.status === 0) return t('common.offline');
  const word = words[failure.code] ?? words[failure.status];
  if (word === undefined) return failure.message;
  return typeof word === 'function' ? word(failure.message) : t(word);
}

/** Calls the API as the signed-in user (or with the given token); a 401 for that user signs it out here. */
export async function api<T>(path: string, init: RequestInit = {}, token = session.token): Promise<T> {
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(authHeaders(token))) headers.set(name, value);
  if (init.body && typeof init.body === 'string') headers.set('content-type', 'application/json');
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch {
    throw new ApiFailure(0, 'offline', 'network');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
    if (response.status === 401 && token === session.token && session.status === 'signed-in') signedOut();
    throw new ApiFailure(response.status, body.error ?? 'error', body.message ?? response.statusText);
  }
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Saves what a table route answers as a spreadsheet (`?format=csv|xlsx`): fetched with the caller's credentials, which
 * a plain link would not carry for a token session, then handed to the browser as a download with the server's name.
 */
export async function download(path: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(path, { headers: authHeaders(session.token) });
  } catch {
    throw new ApiFailure(0, 'offline', 'network');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
    throw new ApiFailure(response.status, body.error ?? String(response.status), body.message ?? response.statusText);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'export';
  const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(await response.blob()), download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** Signs out: a password session is revoked on the server (which clears its cookie), then forgotten here. */
export async function signOut(): Promise<void> {
  if (session.me?.via === 'session') await api('/v1/session', { method: 'DELETE' }).catch(() => undefined);
  signedOut();
}

/**
 * Sends a body with upload progress (0..1) as the signed-in user: XMLHttpRequest rather than fetch, since only it
 * reports upload progress. Fails like `api`, with the server's own sentence.
 */
export function sendWithProgress<T>(
  method: 'POST' | 'PUT',
  path: string,
  body: Blob | FormData,
  onProgress: (fraction: number) => void,
  contentType?: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, path);
    for (const [name, value] of Object.entries(authHeaders())) request.setRequestHeader(name, value);
    if (contentType) request.setRequestHeader('content-type', contentType);
    request.responseType = 'json';
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      const answer = request.response as (T & { error?: string; message?: string }) | null;
      if (request.status >= 200 && request.status < 300) return resolve(answer as T);
      if (request.status === 401 && session.status === 'signed-in') signedOut();
      reject(new ApiFailure(request.status, answer?.error ?? 'error', answer?.message ?? request.statusText));
    };
    request.onerror = () => reject(new ApiFailure(0, 'offline', 'network'));
    request.send(body);
  });
}
