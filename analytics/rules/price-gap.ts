import type { Severity } from '../../contracts/enums.ts';

/** (own − competitor) / own; positive when the competitor is cheaper. */
export function priceGap(ownPrice: number, competitorPrice: number): number {
  return ownPrice > 0 ? (ownPrice - competitorPrice) / ownPrice : 0;
}

// Prices are decimals in binary floating point: 19.90 vs 18.905 is exactly 5% but computes as 4.9999…%.
const EPSILON = 1e-9;

export function isPriceGap(gap: number, minGap: number): boolean {
  return gap >= minGap - EPSILON;
}

/** A price gap's severity by its size: ≥ 15% high, ≥ 10% medium, else (5–10%) low. */
export function priceGapSeverity(gap: number): Severity {
  return gap >= 0.15 ? 'high' : gap >= 0.1 ? 'medium' : 'low';
}
