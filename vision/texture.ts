import sharp from 'sharp';
import type { Corners, RgbImage } from './detector.ts';

/**
 * How busy each part of a shelf photo is, at a small scale: summed-area tables of luminance edges and of two chroma
 * channels, so that any box's edge density and colour spread cost four look-ups. A pack's print (text, pictures,
 * borders) is busy; an empty shelf back, dark or light, is not, and its shading (light falling off towards the back,
 * a shadow) is a change of brightness, not of colour, so it does not count as colour.
 */
export interface TextureMap {
  width: number;
  height: number;
  /** Map cells per image pixel. */
  scale: number;
  /** Summed-area tables, (width + 1) × (height + 1): edge cells (0/1), then the chroma channels R − G and
   * (R + G) / 2 − B, and their squares. */
  edges: Float64Array;
  channels: Float64Array[];
  squares: Float64Array[];
}

export interface RegionTexture {
  /** Share of the region's cells on an edge (luminance step of more than EDGE_STEP to the next cell), 0..1. */
  edges: number;
  /** Root mean of the two chroma channels' variances, grey levels: how much the hue varies, not the brightness. */
  colourSpread: number;
}

/** Long side of the map: a pack on a dense shelf (~20 a row) keeps ~30 cells across. */
export const TEXTURE_SIDE = 640;

/**
 * Grey levels between neighbouring cells (|dx| + |dy|) that make an edge: above sensor noise and JPEG blocking at
 * this scale (a flat back with noise of σ 8 per channel stays under it), below the print and outline of a pack.
 */
export const EDGE_STEP = 12;

/** The texture map of an RGB buffer already at map scale (HWC, 3 channels). */
export function textureMapOf(image: RgbImage, scale = 1): TextureMap {
  const { data, width, height } = image;
  const stride = width + 1;
  const table = () => new Float64Array(stride * (height + 1));
  const [edges, a, b, a2, b2] = [table(), table(), table(), table(), table()];
  const lum = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) lum[i] = 0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!;
  // One pass, plain locals (this runs on every photo): running row sums added to the table row above.
  for (let y = 0; y < height; y++) {
    let rowEdges = 0;
    let rowA = 0;
    let rowB = 0;
    let rowA2 = 0;
    let rowB2 = 0;
    const lastRow = y + 1 === height;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const here = lum[i]!;
      const dx = x + 1 < width ? Math.abs(lum[i + 1]! - here) : 0;
      const dy = lastRow ? 0 : Math.abs(lum[i + width]! - here);
      if (dx + dy > EDGE_STEP) rowEdges++;
      const red = data[i * 3]!;
      const green = data[i * 3 + 1]!;
      const ca = red - green;
      const cb = (red + green) / 2 - data[i * 3 + 2]!;
      rowA += ca;
      rowB += cb;
      rowA2 += ca * ca;
      rowB2 += cb * cb;
      const at = (y + 1) * stride + x + 1;
      const above = at - stride;
      edges[at] = edges[above]! + rowEdges;
      a[at] = a[above]! + rowA;
      b[at] = b[above]! + rowB;
      a2[at] = a2[above]! + rowA2;
      b2[at] = b2[above]! + rowB2;
    }
  }
  return { width, height, scale, edges, channels: [a, b], squares: [a2, b2] };
}

/** Shrinks the photo to TEXTURE_SIDE on its long side (sharp, off the event loop) and maps it. */
export async function textureMap(image: RgbImage): Promise<TextureMap> {
  const scale = Math.min(1, TEXTURE_SIDE / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return textureMapOf({ data, width, height }, width / image.width);
}

const sum = (table: Float64Array, stride: number, x0: number, y0: number, x1: number, y1: number) =>
  table[y1 * stride + x1]! - table[y0 * stride + x1]! - table[y1 * stride + x0]! + table[y0 * stride + x0]!;

/** Edge density and colour spread inside a box given in image pixels; null when the box covers no map cell. */
export function regionTexture(map: TextureMap, box: Corners): RegionTexture | null {
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, Math.round(v * map.scale)));
  const [x0, y0, x1, y1] = [clamp(box[0], map.width), clamp(box[1], map.height), clamp(box[2], map.width), clamp(box[3], map.height)];
  const cells = (x1 - x0) * (y1 - y0);
  if (cells <= 0) return null;
  const stride = map.width + 1;
  let variance = 0;
  for (let c = 0; c < 2; c++) {
    const mean = sum(map.channels[c]!, stride, x0, y0, x1, y1) / cells;
    variance += Math.max(0, sum(map.squares[c]!, stride, x0, y0, x1, y1) / cells - mean * mean);
  }
  return { edges: sum(map.edges, stride, x0, y0, x1, y1) / cells, colourSpread: Math.sqrt(variance / 2) };
}

/** The middle of a box (a margin of `margin` × its size on each side), where its own print is, clear of its outline. */
export const inner = (box: Corners, margin = 0.12): Corners => {
  const dx = (box[2] - box[0]) * margin;
  const dy = (box[3] - box[1]) * margin;
  return [box[0] + dx, box[1] + dy, box[2] - dx, box[3] - dy];
};
