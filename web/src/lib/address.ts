import { replaceState } from '$app/navigation';

/**
 * Keeps a page's filters in its address, so Back and a shared link reopen the same view. Called on a person's
 * change only: on the page's first mount SvelteKit's router is not ready and replaceState throws (the filters came
 * from the address then anyway). The microtask lets a bound input store its value first.
 */
export function keepInAddress(search: string): void {
  queueMicrotask(() => replaceState(`${location.pathname}${search}`, {}));
}
