import type { Severity } from '../../contracts/enums.ts';
import type { RuleThresholds } from './thresholds.ts';

/** One ranged store × SKU that sold nothing in its window W, with what the baseline says it should have sold. */
export interface ZeroSaleCandidate {
  storeId: string;
  sku: string;
  windowDays: number;
  /** Units sold over the baseline days before W. */
  baselineUnits: number;
  /** Latest known on-hand at the close of the as-of day; null when never counted. */
  onHand: number | null;
}

export type ZeroSaleFinding =
  | { type: 'zero_sale' | 'out_of_stock'; expectedUnits: number; zeroProbability: number; severity: Severity }
  | { type: null; expectedUnits: number; zeroProbability: number };

/** Expected units over W: the baseline's daily mean times the window length. */
export function expectedUnits(baselineUnits: number, baselineDays: number, windowDays: number): number {
  return (Math.max(0, baselineUnits) / baselineDays) * windowDays;
}

/** P(0 units) for a Poisson count with mean λ. */
export function zeroProbability(lambda: number): number {
  return Math.exp(-lambda);
}

/**
 * The zero-sale streak decision. A streak is an alert only when it is improbable (P(0) ≤ the threshold given the
 * baseline), so slow movers stay quiet; on-hand 0 makes it a replenishment problem (out_of_stock), otherwise a
 * display problem (zero_sale). Severity by the sales the streak is costing, the expected units over W: ≥ 10 high,
 * ≥ 5 medium.
 */
export function decideZeroSale(candidate: ZeroSaleCandidate, thresholds: RuleThresholds): ZeroSaleFinding {
  const lambda = expectedUnits(candidate.baselineUnits, thresholds.baselineDays, candidate.windowDays);
  const p = zeroProbability(lambda);
  if (p > thresholds.maxZeroProbability) return { type: null, expectedUnits: lambda, zeroProbability: p };
  const type = candidate.onHand !== null && candidate.onHand <= 0 ? 'out_of_stock' : 'zero_sale';
  const severity: Severity = lambda >= 10 ? 'high' : lambda >= 5 ? 'medium' : 'low';
  return { type, expectedUnits: lambda, zeroProbability: p, severity };
}

/** A store that scanned nothing at all in W while it scanned before is a till or feed problem, not N SKU alerts. */
export function isSilentStore(windowLines: number, baselineLines: number): boolean {
  return windowLines === 0 && baselineLines > 0;
}
