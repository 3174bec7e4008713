import { addDays, daysBetween } from '../../lib/days.ts';

/** The median of the days between consecutive order days (sorted, distinct); null under two order days. */
export function usualInterval(orderDays: readonly string[]): number | null {
  const gaps = orderDays.slice(1).map((day, i) => daysBetween(orderDays[i]!, day));
  if (gaps.length === 0) return null;
  const sorted = gaps.sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The Monday of a day's week (ISO weeks, as ClickHouse's toMonday). */
export function mondayOf(day: string): string {
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** Every week from the one holding `from` to the one holding `to`, with its orders (0 where none). */
export function weeklySeries<T extends { week: string; orders: number; value: number }>(
  rows: readonly T[],
  from: string,
  to: string,
): { week: string; orders: number; value: number }[] {
  const byWeek = new Map(rows.map((r) => [r.week, r]));
  const weeks: { week: string; orders: number; value: number }[] = [];
  for (let week = mondayOf(from); week <= to; week = addDays(week, 7)) {
    const row = byWeek.get(week);
    weeks.push({ week, orders: row ? Number(row.orders) : 0, value: row ? Number(Number(row.value).toFixed(2)) : 0 });
  }
  return weeks;
}
