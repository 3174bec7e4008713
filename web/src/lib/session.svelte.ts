const TOKEN_KEY = 'shelfpulse.token';

export interface Me {
  name: string;
  role: 'admin' | 'sales_director' | 'category_manager' | 'store_manager' | 'merchandiser';
  store_ids: string[];
  territories: string[];
}

/** The signed-in user: the token lives in localStorage and goes out as a Bearer header. */
export const session = $state<{ token: string | null; me: Me | null }>({
  token: typeof localStorage === 'undefined' ? null : localStorage.getItem(TOKEN_KEY),
  me: null,
});

export function signIn(token: string, me: Me): void {
  localStorage.setItem(TOKEN_KEY, token);
  session.token = token;
  session.me = me;
}

export function signOut(): void {
  localStorage.removeItem(TOKEN_KEY);
  session.token = null;
  session.me = null;
}

/** Which pages a role works with: managers on the desktop pages, merchandisers on the capture page. */
export function canSee(page: 'map' | 'alerts' | 'capture', role: Me['role'] | undefined): boolean {
  if (!role) return false;
  if (page === 'capture') return true;
  if (role === 'merchandiser') return false;
  return true;
}
