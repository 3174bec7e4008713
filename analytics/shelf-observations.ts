import type { Warehouse } from './warehouse.ts';

/** The parts of a photo's shelf analysis that become observation rows (structurally the vision result). */
export interface ObservedShelf {
  facings: { sku: string; brand: string; facings: number; linear_px: number }[];
  detections: { sku: string; is_competitor: boolean }[];
  gaps: unknown[];
  prices: { price: number; promo: boolean; sku: string | null }[];
  planogram: { score: number; missing: string[]; misplaced: string[]; extra: string[] } | null;
}

export interface ShelfObservationRow {
  photo_id: string;
  store_id: string;
  visit_id: string;
  taken_at: string;
  sku: string;
  brand: string;
  is_competitor: boolean;
  facings: number;
  linear_px: number;
  price: number | null;
  promo: boolean;
  photo_gaps: number;
  planogram_score: number | null;
  planogram_status: '' | 'ok' | 'missing' | 'misplaced' | 'extra';
}

/** One row per SKU seen (unrecognised packs excluded) plus one per planogram SKU missing from the bay. */
export function shelfObservationRows(
  photo: { photo_id: string; store_id: string; visit_id: string; taken_at: string },
  shelf: ObservedShelf,
): ShelfObservationRow[] {
  const competitor = new Set(shelf.detections.filter((d) => d.is_competitor).map((d) => d.sku));
  const priceOf = new Map(shelf.prices.filter((p) => p.sku).map((p) => [p.sku!, p]));
  const plan = shelf.planogram;
  const status = (sku: string): ShelfObservationRow['planogram_status'] =>
    !plan ? '' : plan.missing.includes(sku) ? 'missing' : plan.misplaced.includes(sku) ? 'misplaced' : plan.extra.includes(sku) ? 'extra' : 'ok';
  const common = { ...photo, photo_gaps: shelf.gaps.length, planogram_score: plan?.score ?? null };
  const seen = shelf.facings
    .filter((f) => f.sku !== 'unknown')
    .map((f) => ({
      ...common,
      sku: f.sku,
      brand: f.brand,
      is_competitor: competitor.has(f.sku),
      facings: f.facings,
      linear_px: f.linear_px,
      price: priceOf.get(f.sku)?.price ?? null,
      promo: priceOf.get(f.sku)?.promo ?? false,
      planogram_status: status(f.sku),
    }));
  const missing = (plan?.missing ?? []).map((sku) => ({
    ...common,
    sku,
    brand: '',
    is_competitor: false,
    facings: 0,
    linear_px: 0,
    price: priceOf.get(sku)?.price ?? null,
    promo: priceOf.get(sku)?.promo ?? false,
    planogram_status: 'missing' as const,
  }));
  return [...seen, ...missing];
}

export async function saveShelfObservations(warehouse: Warehouse, rows: ShelfObservationRow[]): Promise<void> {
  if (rows.length > 0)
    await warehouse.insert(
      'shelf_observations',
      rows.map((r) => ({ ...r })),
    );
}
