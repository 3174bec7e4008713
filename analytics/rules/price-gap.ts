/** (own − competitor) / own; positive when the competitor is cheaper. */
export function priceGap(ownPrice: number, competitorPrice: number): number {
  return ownPrice > 0 ? (ownPrice - competitorPrice) / ownPrice : 0;
}

// Prices are decimals in binary floating point: 19.90 vs 18.905 is exactly 5% but computes as 4.9999…%.
const EPSILON = 1e-9;

export function isPriceGap(gap: number, minGap: number): boolean {
  return gap >= minGap - EPSILON;
}
