/**
 * Calls `load` once the element scrolls into view: a page of alerts loads each one's evidence only where the user
 * looks, not fifty requests up front. Returns the clean-up for an `$effect`.
 */
export function onceVisible(element: Element, load: () => void): () => void {
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    observer.disconnect();
    load();
  });
  observer.observe(element);
  return () => observer.disconnect();
}
