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

/** The photo an observation row belongs to. */
export interface ObservedPhoto {
  photo_id: string;
  store_id: string;
  visit_id: string;
  taken_at: string;
}

/** One row per SKU seen (unrecognised packs excluded) plus one per planogram SKU missing from the bay. */
export function shelfObservationRows(photo: ObservedPhoto, shelf: ObservedShelf): ShelfObservationRow[] {
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

/**
 * The SKUs a photo's stored observations name now. A retired row (no facings, no planogram status) names none: no
 * real row has neither, since a row is a SKU seen (facings > 0) or a planned SKU missing from the bay.
 */
const NAMED_SKUS = `
  SELECT sku FROM shelf_observations FINAL
  WHERE store_id = {store_id:String} AND photo_id = {photo_id:String} AND (facings > 0 OR planogram_status != '')`;

/**
 * A row that retires a SKU a photo named before and no longer names (recognised again, an unknown pack now a
 * product, a planned SKU now found): it replaces the old row, and no reader counts it (share and trends read
 * facings > 0, the planogram check the statuses missing and misplaced).
 */
function retiredRow(photo: ObservedPhoto, sku: string): ShelfObservationRow {
  const { photo_id, store_id, visit_id, taken_at } = photo;
  return {
    photo_id,
    store_id,
    visit_id,
    taken_at,
    sku,
    brand: '',
    is_competitor: false,
    facings: 0,
    linear_px: 0,
    price: null,
    promo: false,
    photo_gaps: 0,
    planogram_score: null,
    planogram_status: '',
  };
}

/**
 * Stores a photo's observations as a whole: its rows, and a retired row for each SKU its stored observations named
 * and these do not, in one insert, so that a reader sees the photo's old observations or its new ones, never a mix.
 * Storing the same rows again changes nothing.
 */
export async function replaceShelfObservations(warehouse: Warehouse, photo: ObservedPhoto, rows: ShelfObservationRow[]): Promise<void> {
  const named = await warehouse.query<{ sku: string }>(NAMED_SKUS, { store_id: photo.store_id, photo_id: photo.photo_id });
  const now = new Set(rows.map((r) => r.sku));
  const retired = named.filter((r) => !now.has(r.sku)).map((r) => retiredRow(photo, r.sku));
  const all = [...rows, ...retired];
  if (all.length > 0)
    await warehouse.insert(
      'shelf_observations',
      all.map((r) => ({ ...r })),
    );
}
