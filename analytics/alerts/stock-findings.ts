import { addDays, dayRange, oneYearEarlier } from '../../lib/days.ts';
import { windowDaysFor } from '../rules/thresholds.ts';
import { decideZeroSale, isSilentStore } from '../rules/zero-sale.ts';
import { IN_SCOPE, storeManager, type DayClose, type Findings, type RuleInputs } from './day-close.ts';
import { slotOf, type Finding } from './model.ts';
import type { Alert } from '../../contracts/alerts.ts';
import { scopeParams } from './scope.ts';
import { noDataTexts, outOfStockTexts, zeroSaleTexts } from './texts.ts';

// zero_sale, out_of_stock and no_data: the stock family of the daily close.

/**
 * Store × SKU pairs with no sale in W and possibly enough baseline sales to make that improbable: those whose last
 * sale day falls in the baseline before W, read from one row per pair (pair_sales), no day scanned. Their units by
 * month from the baseline's month on bound the baseline from above, so the bound only drops pairs that cannot
 * pass; the exact baseline comes from their days (PAIR_DAYS) and the rule decides.
 * Pairs that sold after the as-of day (a close run late, or for a past day) cannot be judged by their last sale day:
 * the second part decides those from their days in the 31-day slice.
 */
const ZERO_SALE_CANDIDATES = `
  WITH toDate({as_of:String}) AS d, d - {window_days:UInt16} + 1 AS w_start, w_start - {baseline_days:UInt16} AS b_start
  SELECT store_id, sku FROM pair_sales FINAL
  WHERE last_sale_day >= b_start AND last_sale_day < w_start AND ${IN_SCOPE}
    AND arraySum(mapValues(mapFilter((month, units) -> month >= toStartOfMonth(b_start), units_by_month))) >= {min_baseline_units:Float64}
  UNION ALL
  SELECT store_id, sku FROM daily_sales
  WHERE (store_id, sku) IN (SELECT store_id, sku FROM pair_sales WHERE last_sale_day > d AND ${IN_SCOPE}) AND day >= b_start AND day <= d
  GROUP BY store_id, sku
  HAVING countIf(units > 0 AND day >= w_start) = 0 AND sumIf(units, day < w_start) >= {min_baseline_units:Float64}`;

/**
 * Pairs given as two parallel lists, as a set the sorting keys (store, sku first) can prune with: reading a few
 * thousand pairs touches their granules only.
 */
const PAIRS = `(store_id, sku) IN (SELECT arrayJoin(arrayZip({stores:Array(String)}, {skus:Array(String)})))`;

/** Which of the candidate pairs are ranged own SKUs, with their category. */
const RANGED_OWN_SKUS = `
  SELECT a.store_id AS store_id, a.sku AS sku, p.category AS category, p.name AS product_name
  FROM (SELECT store_id, sku FROM assortment FINAL WHERE ${PAIRS}) AS a
  INNER JOIN (SELECT sku, category, name FROM products FINAL WHERE NOT is_competitor) AS p ON p.sku = a.sku`;

/** POS lines per store in W and in the baseline before it. */
const STORE_ACTIVITY = `
  WITH toDate({as_of:String}) AS d, d - {window_days:UInt16} + 1 AS w_start, w_start - {baseline_days:UInt16} AS b_start
  SELECT store_id, sumIf(lines, day >= w_start) AS window_lines, sumIf(lines, day < w_start) AS baseline_lines
  FROM store_daily WHERE day >= b_start AND day <= d AND ${IN_SCOPE}
  GROUP BY store_id`;

/** The newest stock count at or before the close of the as-of day. */
const ON_HAND_AT_CLOSE = `
  SELECT store_id, sku, argMax(on_hand, ts) AS on_hand
  FROM inventory
  WHERE ts < toDateTime64(toDate({as_of:String}) + 1, 3, {timezone:String})
    AND ${PAIRS}
  GROUP BY store_id, sku`;

/**
 * Daily units of some pairs from a day up to as_of (the exact baseline and the evidence series) and the 28 days up
 * to the same date a year earlier (the evidence's last year).
 */
const PAIR_DAYS = `
  SELECT store_id, sku, toString(day) AS date, sum(units) AS units
  FROM daily_sales
  WHERE ${PAIRS}
    AND ((day BETWEEN toDate({from:String}) AND toDate({as_of:String}))
      OR (day BETWEEN toDate({as_of:String}) - INTERVAL 1 YEAR - 27 AND toDate({as_of:String}) - INTERVAL 1 YEAR))
  GROUP BY store_id, sku, day`;

/** Last day with a sale since a given day, for the stock alerts that are open (sales resumed → resolved). */
const LAST_SALE_SINCE = `
  SELECT store_id, sku, toString(max(day)) AS last_sale
  FROM daily_sales
  WHERE day > toDate({since:String}) AND day <= toDate({as_of:String}) AND units > 0
    AND ${PAIRS}
  GROUP BY store_id, sku`;

/** POS lines of a store in the default window W and in the baseline before it. */
export interface StoreActivity {
  store_id: string;
  window_lines: number;
  baseline_lines: number;
}

/** A ranged own SKU of a store still scanning that sold nothing in its category's window W. */
export interface StockCandidate {
  store_id: string;
  sku: string;
  windowDays: number;
  category: string;
  product_name: string;
}

/** What the stock family reads for one close. */
export interface StockRows {
  /** Every store of the close that scanned in the default window or its baseline. */
  activity: StoreActivity[];
  candidates: StockCandidate[];
  /** The newest stock count at the close of the as-of day, for the candidates ever counted. */
  onHand: { store_id: string; sku: string; on_hand: number }[];
  /** The candidates' daily units: their baseline, the 28 days up to the as-of day and the same 28 days a year earlier. */
  days: { store_id: string; sku: string; date: string; units: number }[];
  /** The last sale day after the oldest open stock alert's day, for the pairs with a stock alert open. */
  lastSales: { store_id: string; sku: string; last_sale: string }[];
}

const pairKey = (r: { store_id: string; sku: string }) => `${r.store_id}|${r.sku}`;

// A set of pairs goes to the queries (PAIRS) as two parallel lists: stores[i] with skus[i].
function stockKeys(rows: readonly { store_id: string; sku: string }[]): { stores: string[]; skus: string[] } {
  const pairs = [...new Map(rows.map((r) => [pairKey(r), r])).values()];
  return { stores: pairs.map((r) => r.store_id), skus: pairs.map((r) => r.sku) };
}

const openStockAlerts = (open: readonly Alert[]) => open.filter((a) => a.type === 'zero_sale' || a.type === 'out_of_stock');

export async function loadStockRows({ warehouse, asOf, thresholds, timezone, scope, open }: DayClose): Promise<StockRows> {
  // no_data uses the default window: a silent store raises one alert and none of its SKUs do, so they are not read.
  const activity = await warehouse.query<StoreActivity>(STORE_ACTIVITY, {
    as_of: asOf,
    window_days: thresholds.zeroSaleWindowDays,
    baseline_days: thresholds.baselineDays,
    ...scopeParams(scope),
  });
  const silent = new Set(activity.filter((a) => isSilentStore(a.window_lines, a.baseline_lines)).map((a) => a.store_id));

  const windows = new Set([thresholds.zeroSaleWindowDays, ...Object.keys(thresholds.zeroSaleWindowDaysByCategory).map((c) => windowDaysFor(thresholds, c))]);
  const silentInWindow: { store_id: string; sku: string; windowDays: number }[] = [];
  for (const windowDays of windows) {
    const rows = await warehouse.query<{ store_id: string; sku: string }>(ZERO_SALE_CANDIDATES, {
      as_of: asOf,
      window_days: windowDays,
      baseline_days: thresholds.baselineDays,
      // λ ≥ −ln(p) ⇔ baseline units ≥ −ln(p) × baseline days / window days: a pre-filter, the rule decides exactly.
      min_baseline_units: (-Math.log(thresholds.maxZeroProbability) * thresholds.baselineDays) / windowDays - 1e-9,
      ...scopeParams(scope),
    });
    silentInWindow.push(...rows.filter((r) => !silent.has(r.store_id)).map((r) => ({ ...r, windowDays })));
  }
  // Keep ranged own SKUs whose category uses this window length.
  const ranged = new Map<string, { category: string; product_name: string }>();
  if (silentInWindow.length > 0) {
    for (const r of await warehouse.query<{ store_id: string; sku: string; category: string; product_name: string }>(
      RANGED_OWN_SKUS,
      stockKeys(silentInWindow),
    )) {
      ranged.set(pairKey(r), r);
    }
  }
  const candidates = silentInWindow.flatMap((c) => {
    const product = ranged.get(pairKey(c));
    return product && windowDaysFor(thresholds, product.category) === c.windowDays ? [{ ...c, ...product }] : [];
  });

  let onHand: StockRows['onHand'] = [];
  let days: StockRows['days'] = [];
  if (candidates.length > 0) {
    onHand = await warehouse.query(ON_HAND_AT_CLOSE, { as_of: asOf, timezone, ...stockKeys(candidates) });
    // From the earliest baseline start (the longest window) or the evidence start, whichever is earlier.
    const longest = Math.max(...candidates.map((c) => c.windowDays));
    const from = [addDays(asOf, -27), addDays(asOf, 1 - longest - thresholds.baselineDays)].sort()[0]!;
    days = await warehouse.query(PAIR_DAYS, { as_of: asOf, from, ...stockKeys(candidates) });
  }

  const stockOpen = openStockAlerts(open);
  const lastSales =
    stockOpen.length === 0
      ? []
      : await warehouse.query<StockRows['lastSales'][number]>(LAST_SALE_SINCE, {
          since: stockOpen.map((a) => a.as_of).sort()[0]!,
          as_of: asOf,
          ...stockKeys(stockOpen),
        });
  return { activity, candidates, onHand, days, lastSales };
}

/** `days` units of a pair from `from` on, 0 on the days without a row. */
function series(rows: { day: string; units: number }[], from: string, days: number): { date: string; units: number }[] {
  const byDay = new Map(rows.map((r) => [r.day, r.units]));
  return dayRange(from, addDays(from, days - 1)).map((date) => ({ date, units: byDay.get(date) ?? 0 }));
}

/**
 * zero_sale, out_of_stock and no_data for the day, plus the stock and no-data slots whose problem ended (the store
 * scans again; the pair sold after its alert's day).
 */
export function stockFindings(rows: StockRows, { asOf, thresholds, stores, open }: RuleInputs): Findings {
  const findings: Finding[] = [];
  const resolved = new Set<string>();

  for (const a of rows.activity) {
    const store = stores.get(a.store_id);
    if (!store || !isSilentStore(a.window_lines, a.baseline_lines)) continue;
    findings.push({
      type: 'no_data',
      store_id: a.store_id,
      sku: '',
      territory: store.territory,
      category: '',
      // A whole store is blind: till or feed down.
      severity: 'high',
      evidence: { window: { from: addDays(asOf, 1 - thresholds.zeroSaleWindowDays), to: asOf, days: thresholds.zeroSaleWindowDays } },
      assignee: storeManager(store, a.store_id),
      ...noDataTexts({ storeName: store.name, days: thresholds.zeroSaleWindowDays }),
    });
  }
  const scanning = new Set(rows.activity.filter((a) => a.window_lines > 0).map((a) => a.store_id));
  for (const alert of open) if (alert.type === 'no_data' && scanning.has(alert.store_id)) resolved.add(slotOf(alert));

  const onHand = new Map(rows.onHand.map((r) => [pairKey(r), r.on_hand]));
  const history = new Map<string, { day: string; units: number }[]>();
  for (const r of rows.days) {
    const key = pairKey(r);
    const days = history.get(key);
    if (days) days.push({ day: r.date, units: r.units });
    else history.set(key, [{ day: r.date, units: r.units }]);
  }
  const seriesFrom = addDays(asOf, -27);
  const lastYearFrom = addDays(oneYearEarlier(asOf), -27);
  for (const c of rows.candidates) {
    const key = pairKey(c);
    const known = onHand.get(key);
    const days = history.get(key) ?? [];
    const windowFrom = addDays(asOf, 1 - c.windowDays);
    const baselineFrom = addDays(windowFrom, -thresholds.baselineDays);
    const baselineUnits = days.reduce((n, r) => (r.day >= baselineFrom && r.day < windowFrom ? n + r.units : n), 0);
    const decision = decideZeroSale({ storeId: c.store_id, sku: c.sku, windowDays: c.windowDays, baselineUnits, onHand: known ?? null }, thresholds);
    if (!decision.type) continue;
    const store = stores.get(c.store_id);
    const lastYearRows = days.filter((r) => r.day <= oneYearEarlier(asOf));
    const texts =
      decision.type === 'out_of_stock'
        ? outOfStockTexts({
            storeName: store?.name ?? c.store_id,
            productName: c.product_name,
            sku: c.sku,
            days: c.windowDays,
            expected: decision.expectedUnits,
          })
        : zeroSaleTexts({
            storeName: store?.name ?? c.store_id,
            productName: c.product_name,
            sku: c.sku,
            days: c.windowDays,
            expected: decision.expectedUnits,
            pZero: decision.zeroProbability,
          });
    findings.push({
      type: decision.type,
      store_id: c.store_id,
      sku: c.sku,
      territory: store?.territory ?? '',
      category: c.category,
      severity: decision.severity,
      assignee: storeManager(store, c.store_id),
      evidence: {
        window: { from: windowFrom, to: asOf, days: c.windowDays },
        baseline_units: baselineUnits,
        expected_units: Number(decision.expectedUnits.toFixed(3)),
        p_zero: Number(decision.zeroProbability.toPrecision(4)),
        on_hand: known ?? null,
        series: series(
          days.filter((r) => r.day >= seriesFrom),
          seriesFrom,
          28,
        ),
        last_year: lastYearRows.length > 0 ? series(lastYearRows, lastYearFrom, 28) : [],
      },
      ...texts,
    });
  }

  // Sales resumed after an open stock alert's day: it resolves itself.
  const lastSale = new Map(rows.lastSales.map((r) => [pairKey(r), r.last_sale]));
  for (const alert of openStockAlerts(open)) {
    const sale = lastSale.get(pairKey(alert));
    if (sale && sale > alert.as_of) resolved.add(slotOf(alert));
  }
  return { findings, resolved };
}
