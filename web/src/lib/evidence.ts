import type { DailyUnits } from './types';

/** A day of an alert's evidence series; `closed` names why the store was closed (the chain calendar). */
export type EvidenceDay = DailyUnits & { closed?: string };

/** The closed days of this year's and last year's series: left out of the window and the baseline, named under the chart. */
export function closedDays(series: readonly EvidenceDay[], lastYear: readonly EvidenceDay[]): { date: string; reason: string }[] {
  return [...series, ...lastYear].flatMap((day) => (day.closed ? [{ date: day.date, reason: day.closed }] : []));
}
