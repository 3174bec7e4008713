import { addDays } from '../../lib/days.ts';
import type { Severity } from '../../contracts/enums.ts';
import { maxZeroProbabilityFor, type RuleThresholds } from './thresholds.ts';

/** Units a pair sold on one day. */
export interface PairDay {
  date: string;
  units: number;
}

/** What a pair's day is for its baseline: whether the store was closed, the SKU on promotion there. */
export interface PairCalendar {
  isClosed: (day: string) => boolean;
  onPromotion: (day: string) => boolean;
  /** The pair's first day with a sale ever; null when unknown (it sold before the history read). */
  firstSale: string | null;
}

/** The days that set a pair's expected rate, and how many were set aside on the way (closed, on promotion). */
export interface Baseline {
  days: PairDay[];
  closedDays: number;
  promotionDays: number;
  /** True when the pair's first sale cut the baseline short: a new listing judged on its own exposure. */
  newListing: boolean;
}

/**
 * The baseline: the `baselineDays` most recent days before W that count — the store open, the SKU at its regular
 * price there, on or after the pair's first sale — looked for within `lookbackDays` before W. A promotion's days
 * thus never set the rate expected after it, a closure's zeros never lower it, and a new listing's days before its
 * first sale are not zeros.
 */
export function baselineOf(
  units: ReadonlyMap<string, number>,
  windowFrom: string,
  calendar: PairCalendar,
  { baselineDays, lookbackDays }: { baselineDays: number; lookbackDays: number },
): Baseline {
  const baseline: Baseline = { days: [], closedDays: 0, promotionDays: 0, newListing: false };
  for (let back = 1; back <= lookbackDays && baseline.days.length < baselineDays; back++) {
    const day = addDays(windowFrom, -back);
    if (calendar.firstSale !== null && day < calendar.firstSale) {
      baseline.newListing = true;
      break;
    }
    if (calendar.isClosed(day)) baseline.closedDays++;
    else if (calendar.onPromotion(day)) baseline.promotionDays++;
    else baseline.days.push({ date: day, units: units.get(day) ?? 0 });
  }
  return baseline;
}

const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();

/** How strongly a pair's own weekday history moves its weekday rate, in pseudo-units (see expectedOverWindow). */
export const WEEKDAY_PSEUDO_UNITS = 2;

/**
 * Expected units over the window days from the baseline days, by weekday: the flat mean r = U / n, and for each
 * window day the weekday's rate r × (U_wd + a) / (n_wd × r + a) (a = 2 pseudo-units pull a thin weekday history
 * towards r), never above r: a weekend-only seller expects little on a Monday, while a noisy profile cannot raise
 * an expectation above the flat mean and so cannot make an alert by itself.
 */
export function expectedOverWindow(baseline: readonly PairDay[], window: readonly string[]): number {
  if (baseline.length === 0) return 0;
  const total = baseline.reduce((n, d) => n + Math.max(0, d.units), 0);
  const rate = total / baseline.length;
  const units = new Array<number>(7).fill(0);
  const days = new Array<number>(7).fill(0);
  for (const d of baseline) {
    units[weekday(d.date)]! += Math.max(0, d.units);
    days[weekday(d.date)]!++;
  }
  return window.reduce((sum, day) => {
    const wd = weekday(day);
    const byWeekday = (rate * (units[wd]! + WEEKDAY_PSEUDO_UNITS)) / (days[wd]! * rate + WEEKDAY_PSEUDO_UNITS);
    return sum + Math.min(rate, byWeekday);
  }, 0);
}

/** One ranged store × SKU that sold nothing in its window W, with what its baseline says it should have sold. */
export interface ZeroSaleCandidate {
  /** Expected units over W (expectedOverWindow). */
  expectedUnits: number;
  /** Days that set the expectation: fewer than `minExposureDays` is too little history to alert on. */
  exposureDays: number;
  /** Latest known on-hand at the close of the as-of day; null when never counted. */
  onHand: number | null;
  /** The SKU's category, for a threshold set per category. */
  category?: string;
}

export type ZeroSaleFinding =
  | { type: 'zero_sale' | 'out_of_stock'; expectedUnits: number; zeroProbability: number; severity: Severity }
  | { type: null; expectedUnits: number; zeroProbability: number };

/** P(0 units) for a Poisson count with mean λ. */
export function zeroProbability(lambda: number): number {
  return Math.exp(-lambda);
}

/**
 * The zero-sale streak decision. A streak is an alert only when the pair has enough history (minExposureDays) and
 * the streak is improbable (P(0) ≤ the threshold given the baseline), so slow movers stay quiet; on-hand 0 makes it
 * a replenishment problem (out_of_stock), otherwise a display problem (zero_sale). Severity by the sales the streak
 * is costing, the expected units over W: ≥ 10 high, ≥ 5 medium.
 */
export function decideZeroSale(candidate: ZeroSaleCandidate, thresholds: RuleThresholds): ZeroSaleFinding {
  const lambda = candidate.expectedUnits;
  const p = zeroProbability(lambda);
  if (candidate.exposureDays < thresholds.minExposureDays || p > maxZeroProbabilityFor(thresholds, candidate.category ?? ''))
    return { type: null, expectedUnits: lambda, zeroProbability: p };
  const type = candidate.onHand !== null && candidate.onHand <= 0 ? 'out_of_stock' : 'zero_sale';
  const severity: Severity = lambda >= 10 ? 'high' : lambda >= 5 ? 'medium' : 'low';
  return { type, expectedUnits: lambda, zeroProbability: p, severity };
}

/** A store that scanned nothing at all in W while it scanned before is a till or feed problem, not N SKU alerts. */
export function isSilentStore(windowLines: number, baselineLines: number): boolean {
  return windowLines === 0 && baselineLines > 0;
}
