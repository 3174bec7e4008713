import sharp from 'sharp';
import type { CatalogSku } from './catalog.ts';
import type { Corners, RgbImage } from './detector.ts';
import { renderPack } from './render.ts';

/**
 * SKU recognition by appearance: each detected pack becomes a small embedding — a 4 × 8 grid of chromaticity and
 * relative lightness (overall exposure cancels out) plus the pack's aspect ratio — matched to the nearest
 * reference pack image. Adding a SKU means adding reference images, not retraining the detector.
 */
const GRID_W = 4;
const GRID_H = 8;

/** The embedding of the region (left, top, width × height) of an RGB image; `aspect` is the pack's width / height. */
export function embedRegion(image: RgbImage, left: number, top: number, width: number, height: number, aspect: number): Float32Array {
  const cells = GRID_W * GRID_H;
  const sums = new Float32Array(cells * 3);
  const counts = new Float32Array(cells);
  // About 48 × 96 samples whatever the pack's size in pixels: the grid cells are means, more pixels add nothing.
  const step = Math.max(1, Math.floor(Math.min(width / 48, height / 96)));
  for (let y = 0; y < height; y += step) {
    const gy = Math.min(GRID_H - 1, Math.floor((y * GRID_H) / height));
    const row = (top + y) * image.width;
    for (let x = 0; x < width; x += step) {
      const cell = gy * GRID_W + Math.min(GRID_W - 1, Math.floor((x * GRID_W) / width));
      const i = (row + left + x) * 3;
      const rgb = image.data;
      sums[cell * 3]! += rgb[i]!;
      sums[cell * 3 + 1]! += rgb[i + 1]!;
      sums[cell * 3 + 2]! += rgb[i + 2]!;
      counts[cell]! += 1;
    }
  }
  let meanLight = 0;
  for (let c = 0; c < cells; c++) meanLight += (sums[c * 3]! + sums[c * 3 + 1]! + sums[c * 3 + 2]!) / Math.max(1, counts[c]!) / cells;
  const out = new Float32Array(cells * 3 + 1);
  for (let c = 0; c < cells; c++) {
    const [r, g, b] = [sums[c * 3]!, sums[c * 3 + 1]!, sums[c * 3 + 2]!];
    const total = r + g + b + 1;
    out[c * 3] = (r / total) * 4;
    out[c * 3 + 1] = (g / total) * 4;
    out[c * 3 + 2] = Math.log((total / Math.max(1, counts[c]!) + 1) / (meanLight + 1));
  }
  out[cells * 3] = Math.log(aspect) * 3;
  return out;
}

function embedCrop(image: RgbImage, box: Corners): Float32Array {
  // A small inset drops the shelf background that a box around a rolled pack includes.
  const insetX = (box[2] - box[0]) * 0.08;
  const insetY = (box[3] - box[1]) * 0.05;
  const left = Math.max(0, Math.floor(box[0] + insetX));
  const top = Math.max(0, Math.floor(box[1] + insetY));
  const width = Math.max(1, Math.min(image.width - left, Math.round(box[2] - box[0] - 2 * insetX)));
  const height = Math.max(1, Math.min(image.height - top, Math.round(box[3] - box[1] - 2 * insetY)));
  return embedRegion(image, left, top, width, height, (box[2] - box[0]) / Math.max(1, box[3] - box[1]));
}

/** 1 for identical embeddings, falling towards 0 with the Euclidean distance. */
function similarity(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i]! - b[i]!) ** 2;
  return 1 / (1 + Math.sqrt(d));
}

export interface Recognition {
  sku: string;
  brand: string;
  is_competitor: boolean;
  similarity: number;
}

export class SkuMatcher {
  private constructor(private readonly references: { sku: CatalogSku; embedding: Float32Array }[], readonly minSimilarity: number) {}

  /** Builds reference embeddings from rendered pack images of each catalog SKU (under a few lighting levels). */
  static async fromCatalog(catalog: readonly CatalogSku[], minSimilarity = 0.3): Promise<SkuMatcher> {
    const references = [];
    for (const sku of catalog) {
      const png = await renderPack(sku);
      for (const gain of [0.8, 1, 1.15]) {
        const { data, info } = await sharp(png).removeAlpha().linear(gain, 0).raw().toBuffer({ resolveWithObject: true });
        const image = { data, width: info.width, height: info.height };
        references.push({ sku, embedding: embedCrop(image, [0, 0, info.width, info.height]) });
      }
    }
    return new SkuMatcher(references, minSimilarity);
  }

  async recognize(image: RgbImage, box: Corners): Promise<Recognition> {
    const embedding = embedCrop(image, box);
    let best = this.references[0]!;
    let bestSimilarity = -Infinity;
    for (const ref of this.references) {
      const s = similarity(embedding, ref.embedding);
      if (s > bestSimilarity) {
        bestSimilarity = s;
        best = ref;
      }
    }
    const rounded = Number(bestSimilarity.toFixed(3));
    if (bestSimilarity < this.minSimilarity) return { sku: 'unknown', brand: 'unknown', is_competitor: false, similarity: rounded };
    return { sku: best.sku.sku, brand: best.sku.brand, is_competitor: best.sku.is_competitor, similarity: rounded };
  }
}
