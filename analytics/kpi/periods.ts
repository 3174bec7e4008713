import type { CompareKind, MapPeriod, PeriodKind } from '../../contracts/enums.ts';
import { addDays, daysBetween } from '../../lib/days.ts';

/**
 * The map's periods and compare-to periods as plain calendar arithmetic on YYYY-MM-DD days. A period is anchored on
 * the latest sales day: `week` is the last complete ISO week (Monday to Sunday) and `month` the last complete calendar
 * month, so a week or a month is never compared half-done with a whole one; this week or month to date is a custom
 * from/to.
 */

/** The longest period or compare-to period a request may ask for: a year, leap day included. */
export const MAX_PERIOD_DAYS = 366;
/** The rolling period when nothing else is asked for. */
export const DEFAULT_PERIOD_DAYS = 28;

export interface Span {
  from: string;
  to: string;
}

/** What a request asks for; every field optional. */
export interface PeriodAsk {
  period?: MapPeriod | undefined;
  /** Rolling days up to the latest sales day. */
  days?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  compare?: CompareKind | undefined;
  compareFrom?: string | undefined;
  compareTo?: string | undefined;
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
const isoWeekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
const monthStart = (day: string) => `${day.slice(0, 8)}01`;
const monthEnd = (day: string) => addDays(monthStart(addDays(monthStart(day), 31)), -1);
const lengthOf = (span: Span) => daysBetween(span.from, span.to) + 1;

/** The last ISO week (Monday–Sunday) that ends on or before `anchor`. */
export function lastCompleteWeek(anchor: string): Span {
  const to = addDays(anchor, -(isoWeekday(anchor) % 7));
  return { from: addDays(to, -6), to };
}

/** The last calendar month that ends on or before `anchor`. */
export function lastCompleteMonth(anchor: string): Span {
  const to = monthEnd(anchor) === anchor ? anchor : addDays(monthStart(anchor), -1);
  return { from: monthStart(to), to };
}

/** The same calendar month a year earlier (February of a leap year against a February of 28 days). */
function sameMonthLastYear(span: Span): Span {
  const from = `${Number(span.from.slice(0, 4)) - 1}${span.from.slice(4)}`;
  return { from, to: monthEnd(from) };
}

/**
 * What is wrong with the ask, as a sentence saying what to change; null when nothing is. Checked before anything is
 * read, so a bad link costs no query.
 */
export function periodProblem(ask: PeriodAsk): string | null {
  if (ask.period && (ask.from || ask.to)) return `period=${ask.period} picks its own days: leave out from/to, or leave out period for a custom period`;
  if (ask.days !== undefined && (ask.period || ask.from || ask.to)) return 'days counts back from the latest sales day: leave out period, from and to with it';
  if (ask.days !== undefined && (ask.days < 1 || ask.days > MAX_PERIOD_DAYS)) return `days=${ask.days}: ask for 1 to ${MAX_PERIOD_DAYS} days`;
  if (ask.from && ask.to) {
    if (ask.from > ask.to) return `from ${ask.from} is after to ${ask.to}`;
    if (lengthOf({ from: ask.from, to: ask.to }) > MAX_PERIOD_DAYS)
      return `from ${ask.from} to ${ask.to} is longer than ${MAX_PERIOD_DAYS} days: ask for a shorter period`;
  }
  const customCompare = ask.compareFrom !== undefined || ask.compareTo !== undefined;
  if (customCompare && ask.compare && ask.compare !== 'custom') return `compare=${ask.compare} picks its own days: leave out compare_from/compare_to`;
  if ((customCompare || ask.compare === 'custom') && !(ask.compareFrom && ask.compareTo))
    return 'a custom compare-to period needs both compare_from and compare_to';
  if (ask.compareFrom && ask.compareTo) {
    if (ask.compareFrom > ask.compareTo) return `compare_from ${ask.compareFrom} is after compare_to ${ask.compareTo}`;
    if (lengthOf({ from: ask.compareFrom, to: ask.compareTo }) > MAX_PERIOD_DAYS) {
      return `compare_from ${ask.compareFrom} to compare_to ${ask.compareTo} is longer than ${MAX_PERIOD_DAYS} days: ask for a shorter period`;
    }
  }
  return null;
}

/**
 * The period of the figures: week or month as above; a custom from/to (one end alone: the 28 days from or up to it);
 * else `days` (default 28) up to the latest sales day.
 */
export function resolvePeriod(ask: PeriodAsk, latestDay: string): Span & { kind: PeriodKind } {
  if (ask.period === 'week') return { kind: 'week', ...lastCompleteWeek(latestDay) };
  if (ask.period === 'month') return { kind: 'month', ...lastCompleteMonth(latestDay) };
  if (!ask.from && !ask.to) return { kind: 'days', from: addDays(latestDay, -((ask.days ?? DEFAULT_PERIOD_DAYS) - 1)), to: latestDay };
  const to = ask.to ?? addDays(ask.from!, DEFAULT_PERIOD_DAYS - 1);
  return { kind: 'custom', from: ask.from ?? addDays(to, -(DEFAULT_PERIOD_DAYS - 1)), to };
}

/**
 * The compare-to period. Last year: a calendar month against the same month a year earlier; any other period 364 days
 * back, so weekdays line up (52 weeks). Previous period: the calendar month or ISO week before, else the days of equal
 * length just before. Periods of unequal length (March against February) are compared per open day (comparableChange).
 */
export function resolveCompare(
  period: Span & { kind: PeriodKind },
  ask: Pick<PeriodAsk, 'compare' | 'compareFrom' | 'compareTo'>,
): Span & { kind: CompareKind } {
  if (ask.compareFrom && ask.compareTo) return { kind: 'custom', from: ask.compareFrom, to: ask.compareTo };
  if (ask.compare === 'previous_period') {
    if (period.kind === 'month') return { kind: 'previous_period', ...lastCompleteMonth(addDays(period.from, -1)) };
    const len = lengthOf(period);
    return { kind: 'previous_period', from: addDays(period.from, -len), to: addDays(period.from, -1) };
  }
  if (period.kind === 'month') return { kind: 'last_year', ...sameMonthLastYear(period) };
  return { kind: 'last_year', from: addDays(period.from, -364), to: addDays(period.to, -364) };
}

/** Days of a span the store was open: its closed days (a set of YYYY-MM-DD) left out. */
export function openDays(span: Span, closed: ReadonlySet<string> | ReadonlyMap<string, unknown>): number {
  let open = lengthOf(span);
  for (const day of closed.keys()) if (day >= span.from && day <= span.to) open--;
  return open;
}

/**
 * The change of sales per open day against the compare-to period (0.05 = +5 %): null when either period had no open
 * day or the compare-to period sold nothing (no base to compare with).
 */
export function comparableChange(now: { sales: number; openDays: number }, base: { sales: number; openDays: number }): number | null {
  if (now.openDays <= 0 || base.openDays <= 0 || base.sales <= 0) return null;
  return Number((now.sales / now.openDays / (base.sales / base.openDays) - 1).toFixed(4));
}
