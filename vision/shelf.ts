import type { Corners } from './detector.ts';
import { intersectionArea } from './pack-boxes.ts';
import { inner, regionTexture, type TextureMap } from './texture.ts';

/** Shelf geometry over recognised packs: rows, facings, share of shelf, empty gaps, planogram compliance. */
export interface ShelfProduct {
  box: Corners;
  sku: string;
  brand: string;
  is_competitor: boolean;
}

export interface PlacedProduct extends ShelfProduct {
  row: number;
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
};

/**
 * Groups packs into shelf rows by where they stand (their bottom edge): a new row starts where the bottoms jump by
 * more than half a typical pack height. Rows are numbered from the top, 0-based.
 */
export function assignRows<T extends ShelfProduct>(products: T[]): (T & { row: number })[] {
  if (products.length === 0) return [];
  const typicalHeight = median(products.map((p) => p.box[3] - p.box[1]));
  const byBottom = [...products].sort((a, b) => a.box[3] - b.box[3]);
  const rows: T[][] = [];
  for (const p of byBottom) {
    const current = rows[rows.length - 1];
    if (current && p.box[3] - median(current.map((q) => q.box[3])) < typicalHeight * 0.5) current.push(p);
    else rows.push([p]);
  }
  return rows.flatMap((row, r) => row.map((p) => ({ ...p, row: r })));
}

export interface Facings {
  sku: string;
  brand: string;
  facings: number;
  linear_px: number;
}

export function facingsBySku(products: PlacedProduct[]): Facings[] {
  // By SKU and brand: unknown packs whose brand the text named stay apart from the packs of no known brand.
  const bySku = new Map<string, Facings>();
  for (const p of products) {
    const key = `${p.sku}\u0000${p.brand}`;
    const f = bySku.get(key) ?? { sku: p.sku, brand: p.brand, facings: 0, linear_px: 0 };
    f.facings += 1;
    f.linear_px += Math.round(p.box[2] - p.box[0]);
    bySku.set(key, f);
  }
  return [...bySku.values()].sort((a, b) => b.facings - a.facings || a.sku.localeCompare(b.sku));
}

export interface BrandShare {
  brand: string;
  by_facings: number;
  by_width: number;
}

/** Each brand's share of the shelf by facings and by linear width (unrecognised packs count as brand "unknown"). */
export function shareOfShelf(products: PlacedProduct[]): BrandShare[] {
  const totalFacings = products.length;
  const totalWidth = products.reduce((n, p) => n + (p.box[2] - p.box[0]), 0);
  const byBrand = new Map<string, { facings: number; width: number }>();
  for (const p of products) {
    const b = byBrand.get(p.brand) ?? { facings: 0, width: 0 };
    b.facings += 1;
    b.width += p.box[2] - p.box[0];
    byBrand.set(p.brand, b);
  }
  return [...byBrand.entries()]
    .map(([brand, b]) => ({ brand, by_facings: round(b.facings / totalFacings), by_width: round(b.width / totalWidth) }))
    .sort((a, b) => b.by_width - a.by_width);
}

const round = (v: number) => Math.round(v * 1000) / 1000;

export interface Gap {
  row: number;
  bbox: [number, number, number, number];
}

export interface GapOptions {
  /** A space narrower than this × the row's typical pack width is spacing between packs, not an empty facing. */
  minWidthRatio?: number;
  /** ...and wider than the row's usual space between packs by this × the row's typical pack width. */
  beyondUsualRatio?: number;
  /** Empty shelf: edge density and colour spread both below these shares of the row's packs. */
  emptyEdges?: number;
  emptyColour?: number;
  /** The same shares where a price tag under the space has no pack above it. */
  taggedEdges?: number;
  taggedColour?: number;
}

const GAP_DEFAULTS: Required<GapOptions> = {
  minWidthRatio: 0.6,
  beyondUsualRatio: 0.4,
  emptyEdges: 0.35,
  emptyColour: 0.5,
  taggedEdges: 0.6,
  taggedColour: 0.8,
};

/**
 * Empty facings per row, only where the photo shows an empty shelf: a horizontal space between neighbouring packs
 * (or between a pack and the bay's edge, taken as the outermost packs over all rows) wide enough for a pack (and, on
 * a row set out with room between its packs, wider than that room by most of a pack), in which a stretch at least
 * that wide is as plain as a shelf back (its edges and colour spread far below the row's packs), or plainer than a
 * pack where a price tag below it has no pack above. Space alone is no evidence: a pack
 * the detector missed leaves the same space. Rows of fewer than two packs (a sign, the floor) and rows cut by the
 * photo's bottom edge get no gaps.
 */
export function findGaps(products: PlacedProduct[], texture: TextureMap, tags: Corners[] = [], options: GapOptions = {}): Gap[] {
  const o = { ...GAP_DEFAULTS, ...options };
  if (products.length === 0) return [];
  const bayLeft = Math.min(...products.map((p) => p.box[0]));
  const bayRight = Math.max(...products.map((p) => p.box[2]));
  const gaps: Gap[] = [];
  const rowCount = Math.max(...products.map((p) => p.row)) + 1;
  for (let r = 0; r < rowCount; r++) {
    const row = products.filter((p) => p.row === r).sort((a, b) => a.box[0] - b.box[0]);
    if (row.length < 2) continue;
    // A row whose packs stand below the photo's bottom edge shows no shelf to be empty.
    if (median(row.map((p) => p.box[3])) > (texture.height / texture.scale) * 0.995) continue;
    const typicalWidth = median(row.map((p) => p.box[2] - p.box[0]));
    const packs = row.map((p) => regionTexture(texture, inner(p.box))).filter((t) => t !== null);
    if (packs.length === 0) continue;
    const packEdges = median(packs.map((t) => t.edges));
    const packColour = median(packs.map((t) => t.colourSpread));
    // Spaces: left bay edge, between each pack and the next one that starts right of everything before it, right edge.
    // The bay's edges count only for a row that spans most of the bay: a cluster of boxes (a sign, the wall over the
    // top shelf) is no shelf row missing its ends.
    const spansBay = Math.max(...row.map((p) => p.box[2])) - row[0]!.box[0] >= 0.6 * (bayRight - bayLeft);
    const spaces: { from: number; to: number; beside: PlacedProduct[] }[] = [];
    let reach = spansBay ? bayLeft : row[0]!.box[0];
    let last: PlacedProduct | undefined;
    for (const p of row) {
      if (p.box[0] > reach) spaces.push({ from: reach, to: p.box[0], beside: last ? [last, p] : [p] });
      if (p.box[2] > reach) {
        reach = p.box[2];
        last = p;
      }
    }
    if (spansBay && bayRight > reach && last) spaces.push({ from: reach, to: bayRight, beside: [last] });
    // Packs set out with room between them (bottles on a sparse display) leave that room everywhere: there an empty
    // facing is wider than the row's usual space by most of a pack. The usual space is measured where the row has
    // three spaces between packs or more (packs that touch or overlap count as no space).
    const between = spaces.filter((s) => s.beside.length === 2).map((s) => s.to - s.from);
    const usualSpace = row.length >= 4 ? median([...between, ...Array<number>(Math.max(0, row.length - 1 - between.length)).fill(0)]) : 0;
    const minGap = Math.max(typicalWidth * o.minWidthRatio, usualSpace + typicalWidth * o.beyondUsualRatio);
    for (const space of spaces) {
      if (space.to - space.from <= minGap) continue;
      // The band the neighbouring packs stand in, less its top (the shelf above, its tags) and its foot.
      const top = median(space.beside.map((p) => p.box[1]));
      const bottom = median(space.beside.map((p) => p.box[3]));
      const band: [number, number] = [top + (bottom - top) * 0.2, bottom - (bottom - top) * 0.1];
      const tagged = tags.some(
        (t) => (t[0] + t[2]) / 2 > space.from && (t[0] + t[2]) / 2 < space.to && t[1] > bottom - (bottom - top) * 0.3 && t[1] < bottom + (bottom - top) * 0.6,
      );
      const [edgeShare, colourShare] = tagged ? [o.taggedEdges, o.taggedColour] : [o.emptyEdges, o.emptyColour];
      const plain = (x0: number, x1: number) => {
        const t = regionTexture(texture, [x0, band[0], x1, band[1]]);
        return t !== null && t.edges < edgeShare * packEdges && t.colourSpread < colourShare * packColour;
      };
      // Strips an eighth of a pack wide; a run of plain strips is an empty facing when, with up to two strips at
      // either end of the space left out (the neighbour's outline, its shade, a box drawn a little inside its pack),
      // it is as wide as a pack, and is at least a third of a pack wide itself.
      const strips = Math.max(1, Math.round((space.to - space.from) / (typicalWidth / 8)));
      const step = (space.to - space.from) / strips;
      const plainStrips = Array.from({ length: strips }, (_, k) => plain(space.from + k * step, space.from + (k + 1) * step));
      // One busy strip between plain ones is a divider or a clip on the empty shelf, not a pack.
      const isPlain = plainStrips.map((p, k) => p || (k > 0 && k < strips - 1 && plainStrips[k - 1]! && plainStrips[k + 1]!));
      let runStart = -1;
      for (let k = 0; k <= strips; k++) {
        if (k < strips && isPlain[k]) {
          if (runStart < 0) runStart = k;
          continue;
        }
        if (runStart >= 0 && (k - runStart) * step >= typicalWidth * 0.3) {
          const from = space.from + (runStart <= 2 ? 0 : runStart) * step;
          const to = space.from + (k >= strips - 2 ? strips : k) * step;
          if (to - from > minGap) gaps.push({ row: r, bbox: [Math.round(from), Math.round(top), Math.round(to - from), Math.round(bottom - top)] });
        }
        runStart = -1;
      }
    }
  }
  return gaps;
}

/**
 * Adds the empty facings a model with a `gap` class boxed itself to those found on the shelf: each in the row whose
 * packs stand nearest its foot, unless a pack stands in most of it or a found gap already covers it.
 */
export function detectedGaps(products: PlacedProduct[], boxes: Corners[], found: Gap[]): Gap[] {
  const gaps = [...found];
  const rows = [...new Set(products.map((p) => p.row))].map((row) => ({ row, bottom: median(products.filter((p) => p.row === row).map((p) => p.box[3])) }));
  for (const box of boxes) {
    const area = (box[2] - box[0]) * (box[3] - box[1]);
    if (rows.length === 0 || area <= 0 || products.some((p) => intersectionArea(p.box, box) > 0.5 * area)) continue;
    if (gaps.some((g) => intersectionArea([g.bbox[0], g.bbox[1], g.bbox[0] + g.bbox[2], g.bbox[1] + g.bbox[3]], box) > 0.3 * area)) continue;
    const { row } = rows.reduce((best, r) => (Math.abs(r.bottom - box[3]) < Math.abs(best.bottom - box[3]) ? r : best));
    gaps.push({ row, bbox: [Math.round(box[0]), Math.round(box[1]), Math.round(box[2] - box[0]), Math.round(box[3] - box[1])] });
  }
  return gaps.sort((a, b) => a.row - b.row || a.bbox[0] - b.bbox[0]);
}

export interface PlanogramCompliance {
  /** Share of the expected facings found in their expected row, 0..1. */
  score: number;
  missing: string[];
  misplaced: string[];
  extra: string[];
}

/** Compares the bay with its planogram: the expected SKUs per row (one entry per facing), top row first. */
export function planogramCompliance(products: PlacedProduct[], expected: string[][]): PlanogramCompliance {
  const expectedRow = new Map<string, Set<number>>();
  expected.forEach((row, r) => row.forEach((sku) => expectedRow.set(sku, (expectedRow.get(sku) ?? new Set()).add(r))));
  const seen = new Set(products.filter((p) => p.sku !== 'unknown').map((p) => p.sku));
  let matched = 0;
  let total = 0;
  expected.forEach((row, r) => {
    const want = new Map<string, number>();
    for (const sku of row) want.set(sku, (want.get(sku) ?? 0) + 1);
    for (const [sku, n] of want) {
      total += n;
      matched += Math.min(n, products.filter((p) => p.row === r && p.sku === sku).length);
    }
  });
  // Unknown packs in the rows a SKU is planned for may be that SKU: it is missing only when they are too few to be it.
  const unknownInRow = (r: number) => products.filter((p) => p.row === r && p.sku === 'unknown').length;
  const planned = (sku: string) => expected.reduce((n, row) => n + row.filter((s) => s === sku).length, 0);
  const missing = [...expectedRow.keys()]
    .filter((sku) => !seen.has(sku) && [...expectedRow.get(sku)!].reduce((n, r) => n + unknownInRow(r), 0) < planned(sku))
    .sort();
  const extra = [...seen].filter((sku) => !expectedRow.has(sku)).sort();
  const misplaced = [...new Set(products.filter((p) => expectedRow.has(p.sku) && !expectedRow.get(p.sku)!.has(p.row)).map((p) => p.sku))].sort();
  return { score: total === 0 ? 1 : round(matched / total), missing, misplaced, extra };
}
