import { goto } from '$app/navigation';

/**
 * Keeps a page's filters in its address, so Back and a shared link reopen the same view: a navigation that replaces
 * the history entry (the page has no load function, so it stays as it is). Called on a person's change only: the
 * filters came from the address when the page mounted.
 */
export function keepInAddress(search: string): void {
  void goto(`${location.pathname}${search}`, { replaceState: true, noScroll: true, keepFocus: true });
}
