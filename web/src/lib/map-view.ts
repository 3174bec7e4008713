/**
 * The map's visible window (an SVG viewBox) as plain numbers: zooming about a point, panning, fitting a set of
 * stores, always kept inside the whole map and between 1× and MAX_ZOOM.
 */
export interface ViewBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Deep enough to tell apart the stores of one city centre (they sit a few pixels apart at 1×). */
export const MAX_ZOOM = 24;

/** How far the window is zoomed in: 1 = the whole map. */
export const zoomOf = (view: ViewBox, full: ViewBox) => full.width / view.width;

/** The window moved back inside the map, and no larger than it nor smaller than MAX_ZOOM allows. */
export function clampView(view: ViewBox, full: ViewBox): ViewBox {
  const k = Math.min(MAX_ZOOM, Math.max(1, zoomOf(view, full)));
  const width = full.width / k;
  const height = full.height / k;
  const x = Math.min(full.x + full.width - width, Math.max(full.x, view.x + (view.width - width) / 2));
  const y = Math.min(full.y + full.height - height, Math.max(full.y, view.y + (view.height - height) / 2));
  return { x, y, width, height };
}

/** Zooms by factor (> 1 in, < 1 out) keeping the map point `at` under the same place on screen. */
export function zoomAt(view: ViewBox, factor: number, at: [number, number], full: ViewBox): ViewBox {
  const k = Math.min(MAX_ZOOM, Math.max(1, zoomOf(view, full) * factor));
  const width = full.width / k;
  const height = full.height / k;
  const x = at[0] - ((at[0] - view.x) * width) / view.width;
  const y = at[1] - ((at[1] - view.y) * height) / view.height;
  return clampView({ x, y, width, height }, full);
}

/** Moves the window by dx, dy in map units (a drag to the right moves the window left: pass the negated drag). */
export const panBy = (view: ViewBox, dx: number, dy: number, full: ViewBox): ViewBox => clampView({ ...view, x: view.x + dx, y: view.y + dy }, full);

/** The window that shows all the points with a margin, in the map's aspect ratio; the whole map for none. */
export function fitPoints(points: [number, number][], full: ViewBox, margin = 40): ViewBox {
  if (points.length === 0) return full;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const left = Math.min(...xs) - margin;
  const top = Math.min(...ys) - margin;
  const k = Math.min(full.width / (Math.max(...xs) + margin - left), full.height / (Math.max(...ys) + margin - top));
  const width = full.width / Math.min(MAX_ZOOM, Math.max(1, k));
  const height = full.height / Math.min(MAX_ZOOM, Math.max(1, k));
  const centre = [(left + Math.max(...xs) + margin) / 2, (top + Math.max(...ys) + margin) / 2] as const;
  return clampView({ x: centre[0] - width / 2, y: centre[1] - height / 2, width, height }, full);
}
