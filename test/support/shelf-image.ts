import type { Corners } from '../../vision/detector.ts';
import { textureMapOf } from '../../vision/texture.ts';

/**
 * The texture map of a dark shelf back with printed packs (2 px colour stripes inside each pack box) and, where
 * given, a faint print on the back (grey 6 px stripes: a third of a pack's edges, little colour).
 */
export function shelfImage(width: number, height: number, packs: Corners[], faint: Corners[] = []) {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set([30, 32, 35], i * 3);
  const paint = (boxes: Corners[], colour: (x: number) => number[]) => {
    for (const [x0, y0, x1, y1] of boxes)
      for (let y = Math.round(y0); y < Math.round(y1); y++) for (let x = Math.round(x0); x < Math.round(x1); x++) data.set(colour(x), (y * width + x) * 3);
  };
  paint(packs, (x) => (Math.floor(x / 2) % 2 ? [220, 40, 30] : [240, 230, 210]));
  paint(faint, (x) => (Math.floor(x / 6) % 2 ? [30, 32, 35] : [50, 52, 55]));
  return textureMapOf({ data, width, height });
}
