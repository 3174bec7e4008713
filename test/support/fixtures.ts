import { day } from './days.ts';

/** The day every scan fixture is sold on (store-local, China time). */
export const SCAN_TS = '2026-11-20T10:00:00+08:00';

/** One valid scan row (store S1, product P1, one unit at 1 CNY); `over` replaces fields, valid or not. */
export const scan = (event_id: string, over: Record<string, unknown> = {}) => ({
  event_id,
  store_id: 'S1',
  sku: 'P1',
  ts: SCAN_TS,
  qty: 1,
  unit_price: 1,
  ...over,
});

/** `n` valid scans with ids `${prefix}-0`…; `vary(i)` replaces fields of the i-th. */
export const scans = (prefix: string, n: number, vary: (i: number) => Record<string, unknown> = () => ({})) =>
  Array.from({ length: n }, (_, i) => scan(`${prefix}-${i}`, vary(i)));

/** The same scans as an NDJSON body. */
export const scansNdjson = (prefix: string, n: number, vary?: (i: number) => Record<string, unknown>) =>
  scans(prefix, n, vary)
    .map((row) => JSON.stringify(row))
    .join('\n');

/** One scan a day at noon (China time) of `qty` units at ¥10, on the days `from`…`to` (offsets from AS_OF). */
export function dailyScans(store: string, sku: string, from: number, to: number, qty: number) {
  const rows = [];
  for (let o = from; o <= to; o++) rows.push({ event_id: `${store}-${sku}-${o}`, store_id: store, sku, ts: `${day(o)}T12:00:00+08:00`, qty, unit_price: 10 });
  return rows;
}
