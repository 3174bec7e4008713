/** A promotion as the price rule needs it. */
export interface Promotion {
  sku: string;
  storeId: string;
  region: string;
  startDate: string;
  endDate: string;
  promoPrice: number;
}

export type PriceSource = 'store_promotion' | 'region_promotion' | 'regular';

export interface EffectivePrice {
  price: number;
  source: PriceSource;
}

/**
 * The own price a shopper sees at a store on a day: a store promotion, else a region promotion, else the regular
 * price. Among several active promotions of the same kind the lowest price wins.
 */
export function effectivePrice(
  regularPrice: number,
  promotions: readonly Promotion[],
  at: { sku: string; storeId: string; region: string; day: string },
): EffectivePrice {
  const active = promotions.filter((p) => p.sku === at.sku && p.startDate <= at.day && at.day <= p.endDate);
  const lowest = (list: Promotion[]) => Math.min(...list.map((p) => p.promoPrice));
  const store = active.filter((p) => p.storeId !== '' && p.storeId === at.storeId);
  if (store.length > 0) return { price: lowest(store), source: 'store_promotion' };
  const region = active.filter((p) => p.storeId === '' && p.region !== '' && p.region === at.region);
  if (region.length > 0) return { price: lowest(region), source: 'region_promotion' };
  return { price: regularPrice, source: 'regular' };
}

/** (own − competitor) / own; positive when the competitor is cheaper. */
export function priceGap(ownPrice: number, competitorPrice: number): number {
  return ownPrice > 0 ? (ownPrice - competitorPrice) / ownPrice : 0;
}

// Prices are decimals in binary floating point: 19.90 vs 18.905 is exactly 5% but computes as 4.9999…%.
const EPSILON = 1e-9;

export function isPriceGap(gap: number, minGap: number): boolean {
  return gap >= minGap - EPSILON;
}
