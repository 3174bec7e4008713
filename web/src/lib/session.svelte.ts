import type { Session } from '../../../contracts/session.ts';

const TOKEN_KEY = 'shelfpulse.token';
/** Sent on every request of a password session: the server refuses cookie-signed changes without it (CSRF). */
const CSRF_HEADER = 'x-shelfpulse-csrf';

/** The signed-in user, as GET /v1/session answers. */
export type Me = Session;

/**
 * The signed-in user. A password sign-in lives in an HttpOnly cookie that scripts never see; a token sign-in keeps
 * its token in localStorage and sends it as a Bearer header. `me` is set once the server said who is signed in.
 */
export const session = $state<{ token: string | null; me: Me | null; status: 'checking' | 'signed-in' | 'signed-out' }>({
  token: typeof localStorage === 'undefined' ? null : localStorage.getItem(TOKEN_KEY),
  me: null,
  status: 'checking',
});

/** The headers that authenticate a request from this browser. */
export function authHeaders(token = session.token): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : { [CSRF_HEADER]: '1' };
}

export function signedIn(me: Me, token: string | null = null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
  session.token = token;
  session.me = me;
  session.status = 'signed-in';
}

/** Forgets the user in this browser (the server already refused the credential, or it was signed out there). */
export function signedOut(): void {
  localStorage.removeItem(TOKEN_KEY);
  session.token = null;
  session.me = null;
  session.status = 'signed-out';
}

/**
 * Which pages a role works with: managers on the desktop pages, merchandisers on the capture page and their alerts
 * ("My alerts"), admins also on the admin page (channels, routing).
 */
export function canSee(page: 'map' | 'digest' | 'alerts' | 'reports' | 'capture' | 'admin', role: Me['role'] | undefined): boolean {
  if (!role) return false;
  if (page === 'capture') return role === 'merchandiser' || role === 'store_manager' || role === 'admin';
  if (page === 'admin') return role === 'admin';
  if (page === 'alerts') return true;
  return role !== 'merchandiser';
}
