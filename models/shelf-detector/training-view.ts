/**
 * A training view for train.py, as the detector sees a photo: fitted into its 512 × 512 input, centred on the
 * letterbox grey, kept as JPEG quality 80, beside its YOLO labels (`class cx cy w h`, normalised). Renders
 * (export-data.ts) and real photos (export-photos.ts) are written the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Sharp } from 'sharp';

export const SIZE = 512;
export const LETTERBOX_GREY = { r: 114, g: 114, b: 114 };

/** Where an image of width × height lands in the input: its scale, fitted size and offset. */
export interface Fit {
  scale: number;
  width: number;
  height: number;
  top: number;
  left: number;
}

export function letterbox(width: number, height: number): Fit {
  const scale = SIZE / Math.max(width, height);
  const w = Math.round(width * scale);
  const h = Math.round(height * scale);
  return { scale, width: w, height: h, top: Math.floor((SIZE - h) / 2), left: Math.floor((SIZE - w) / 2) };
}

/** A label line for a box [x, y, w, h] in the image's own pixels (class 0 = product, 1 = price_tag). */
export function labelLine(cls: number, [x, y, w, h]: readonly number[], fit: Fit): string {
  const { scale, top, left } = fit;
  return `${cls} ${((left + (x! + w! / 2) * scale) / SIZE).toFixed(5)} ${((top + (y! + h! / 2) * scale) / SIZE).toFixed(5)} ${((w! * scale) / SIZE).toFixed(5)} ${((h! * scale) / SIZE).toFixed(5)}`;
}

/** Writes NAME.jpg (the image, already resized to the fit, letterboxed) and NAME.txt (the label lines) into `out`. */
export async function saveView(out: string, name: string, fitted: Sharp, fit: Fit, lines: string[]): Promise<void> {
  await fitted
    .extend({ top: fit.top, bottom: SIZE - fit.height - fit.top, left: fit.left, right: SIZE - fit.width - fit.left, background: LETTERBOX_GREY })
    .jpeg({ quality: 80, mozjpeg: true })
    .toFile(path.join(out, `${name}.jpg`));
  fs.writeFileSync(path.join(out, `${name}.txt`), lines.join('\n') + '\n');
}
