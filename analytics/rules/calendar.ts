import { addDays } from '../../lib/days.ts';

/** A closed day of the chain's calendar: the store's when store_id is set, else its region's, else the chain's. */
export interface Closure {
  date: string;
  store_id: string;
  region: string;
  reason: string;
}

/** A promotion as the baseline reads it: which SKU, where (store before region) and when. */
export interface PromotionSpan {
  sku: string;
  store_id: string;
  region: string;
  start_date: string;
  end_date: string;
}

/**
 * The store's closed days (day → reason): its own closures, its region's and the whole chain's. A day closed twice
 * takes the most specific reason (store, then region, then chain; then the first reason in order), whatever order
 * the rows come in, so the evidence reads the same on every close.
 */
export function closedDaysOf(closures: readonly Closure[], store: { store_id: string; region: string }): Map<string, string> {
  const closed = new Map<string, { rank: number; reason: string }>();
  for (const c of closures) {
    const rank = c.store_id !== '' ? (c.store_id === store.store_id ? 2 : -1) : c.region !== '' ? (c.region === store.region ? 1 : -1) : 0;
    if (rank < 0) continue;
    const known = closed.get(c.date);
    if (!known || rank > known.rank || (rank === known.rank && c.reason < known.reason)) closed.set(c.date, { rank, reason: c.reason });
  }
  return new Map([...closed].map(([day, { reason }]) => [day, reason]));
}

/**
 * The zero-sale window W: the last `days` days up to `asOf` the store was open, oldest first. A store closed for
 * longer than `lookback` days has no window (empty): nothing can be judged.
 */
export function openWindow(asOf: string, days: number, closed: ReadonlyMap<string, string>, lookback = 60): string[] {
  const window: string[] = [];
  for (let back = 0; back < lookback && window.length < days; back++) {
    const day = addDays(asOf, -back);
    if (!closed.has(day)) window.unshift(day);
  }
  return window.length === days ? window : [];
}

/** Whether the SKU is on promotion in that store on that day (a store promotion, or one of the store's region). */
export function onPromotion(promotions: readonly PromotionSpan[], store: { store_id: string; region: string }, sku: string, day: string): boolean {
  return promotions.some(
    (p) =>
      p.sku === sku &&
      p.start_date <= day &&
      day <= p.end_date &&
      (p.store_id !== '' ? p.store_id === store.store_id : p.region !== '' && p.region === store.region),
  );
}
