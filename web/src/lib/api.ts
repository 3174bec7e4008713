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
