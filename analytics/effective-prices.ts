import type { Warehouse } from './warehouse.ts';

export type PriceSource = 'store_promotion' | 'region_promotion' | 'regular';

/** The own price a shopper sees at a store on a day, and where it comes from. */
export interface EffectivePrice {
  store_id: string;
  sku: string;
  /** Store-local day, YYYY-MM-DD. */
  day: string;
  price: number;
  source: PriceSource;
}

/**
 * The rule lives in the warehouse (the effective_prices view of migration 018): the lowest active store
 * promotion, else the lowest active promotion of the store's region, else the regular price.
 */
const EFFECTIVE_PRICES = `
  SELECT store_id, sku, day, price, source
  FROM effective_prices(stores = {stores:Array(String)}, skus = {skus:Array(String)}, days = {days:Array(String)})`;

export const priceKey = (at: { store_id: string; sku: string; day: string }): string => `${at.store_id}|${at.sku}|${at.day}`;

/** The own effective price of each store × SKU × day asked, by priceKey. */
export async function effectivePrices(
  warehouse: Warehouse,
  asked: readonly { store_id: string; sku: string; day: string }[],
): Promise<Map<string, EffectivePrice>> {
  if (asked.length === 0) return new Map();
  const rows = await warehouse.query<EffectivePrice>(EFFECTIVE_PRICES, {
    stores: asked.map((a) => a.store_id),
    skus: asked.map((a) => a.sku),
    days: asked.map((a) => a.day),
  });
  return new Map(rows.map((r) => [priceKey(r), r]));
}
