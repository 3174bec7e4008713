import type { Corners } from './detector.ts';

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
  const bySku = new Map<string, Facings>();
  for (const p of products) {
    const f = bySku.get(p.sku) ?? { sku: p.sku, brand: p.brand, facings: 0, linear_px: 0 };
    f.facings += 1;
    f.linear_px += Math.round(p.box[2] - p.box[0]);
    bySku.set(p.sku, f);
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

/**
 * Empty spans per row: a horizontal space between neighbouring packs (or between a pack and the bay's edge, taken
 * as the outermost packs over all rows) wider than `minWidthRatio` × the row's typical pack width.
 */
export function findGaps(products: PlacedProduct[], minWidthRatio = 0.6): Gap[] {
  if (products.length === 0) return [];
  const bayLeft = Math.min(...products.map((p) => p.box[0]));
  const bayRight = Math.max(...products.map((p) => p.box[2]));
  const gaps: Gap[] = [];
  const rowCount = Math.max(...products.map((p) => p.row)) + 1;
  for (let r = 0; r < rowCount; r++) {
    const row = products.filter((p) => p.row === r).sort((a, b) => a.box[0] - b.box[0]);
    if (row.length === 0) continue;
    const typicalWidth = median(row.map((p) => p.box[2] - p.box[0]));
    const top = Math.min(...row.map((p) => p.box[1]));
    const bottom = Math.max(...row.map((p) => p.box[3]));
    const edges = [bayLeft, ...row.flatMap((p) => [p.box[0], p.box[2]]), bayRight];
    for (let i = 0; i < edges.length; i += 2) {
      const [from, to] = [edges[i]!, edges[i + 1]!];
      if (to - from > typicalWidth * minWidthRatio) gaps.push({ row: r, bbox: [Math.round(from), Math.round(top), Math.round(to - from), Math.round(bottom - top)] });
    }
  }
  return gaps;
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
  const missing = [...expectedRow.keys()].filter((sku) => !seen.has(sku)).sort();
  const extra = [...seen].filter((sku) => !expectedRow.has(sku)).sort();
  const misplaced = [...new Set(products.filter((p) => expectedRow.has(p.sku) && !expectedRow.get(p.sku)!.has(p.row)).map((p) => p.sku))].sort();
  return { score: total === 0 ? 1 : round(matched / total), missing, misplaced, extra };
}
