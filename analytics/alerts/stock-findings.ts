import { addDays, dayRange, oneYearEarlier } from '../../lib/days.ts';
import { closedDaysOf, onPromotion, openWindow, type Closure, type PromotionSpan } from '../rules/calendar.ts';
import { loosestZeroProbability, windowDaysFor } from '../rules/thresholds.ts';
import { baselineOf, decideZeroSale, expectedOverWindow, isSilentStore } from '../rules/zero-sale.ts';
import { IN_SCOPE, storeManager, type DayClose, type Findings, type RuleInputs } from './day-close.ts';
import { slotOf, type Finding } from './model.ts';
import type { Alert } from '../../contracts/alerts.ts';
import { inScope, scopeParams } from './scope.ts';
import { noDataTexts, outOfStockTexts, zeroSaleTexts } from './texts.ts';

// zero_sale, out_of_stock and no_data: the stock family of the daily close.

/**
 * Store × SKU pairs with no sale in W and possibly enough baseline sales to make that improbable: those whose last
 * sale day falls in the lookback before W, read from one row per pair (pair_sales), no day scanned. Their units by
 * month from the lookback's month on bound the baseline from above, so the bound only drops pairs that cannot
 * pass; the exact baseline comes from their days (PAIR_DAYS) and the rule decides. W is the latest a store's window
 * can start (its open-day window starts earlier after a closure: the rule checks that window's days).
 * Pairs that sold after the as-of day (a close run late, or for a past day) cannot be judged by their last sale day:
 * the second part decides those from their days.
 */
const ZERO_SALE_CANDIDATES = `
  WITH toDate({as_of:String}) AS d, toDate({w_start:String}) AS w_start, toDate({b_start:String}) AS b_start,
    -- A baseline that may be short or reach back past 28 days: a store with closed days, a SKU with promotions, a
    -- pair first sold within the lookback. The others' baseline is the plain 28 days before W.
    (store_id IN {short_stores:Array(String)} OR sku IN {short_skus:Array(String)} OR {all_short:Bool}
      OR arrayMin(mapKeys(mapFilter((month, units) -> units > 0, units_by_month))) >= toStartOfMonth(b_start)) AS short
  SELECT store_id, sku FROM pair_sales FINAL
  WHERE last_sale_day >= if(short, b_start, w_start - {baseline_days:UInt16}) AND last_sale_day < w_start AND ${IN_SCOPE}
    AND arraySum(mapValues(mapFilter((month, units) -> month >= toStartOfMonth(b_start), units_by_month)))
      >= if(short, {min_short_units:Float64}, {min_baseline_units:Float64})
  UNION ALL
  SELECT store_id, sku FROM daily_sales
  WHERE (store_id, sku) IN (SELECT store_id, sku FROM pair_sales WHERE last_sale_day > toDate({as_of:String}) AND ${IN_SCOPE})
    AND day >= toDate({b_start:String}) AND day <= toDate({as_of:String})
  GROUP BY store_id, sku
  HAVING countIf(units > 0 AND day >= toDate({w_start:String})) = 0 AND sumIf(units, day < toDate({w_start:String})) >= {min_short_units:Float64}`;

/** SKUs with a promotion over some days: their baseline skips those days. */
const PROMOTED_SKUS = `
  SELECT DISTINCT sku FROM promotions FINAL WHERE end_date >= toDate({from:String}) AND start_date <= toDate({as_of:String})`;

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

/** POS lines per store and day from a day up to as_of: each store's open-day window and its baseline are taken from them. */
const STORE_DAYS = `
  SELECT store_id, toString(day) AS date, sum(lines) AS lines
  FROM store_daily WHERE day >= toDate({from:String}) AND day <= toDate({as_of:String}) AND ${IN_SCOPE}
  GROUP BY store_id, day`;

/** The chain's closed days up to as_of, from a day on (the evidence's last year included). */
const CLOSURES = `
  SELECT toString(closed) AS date, store_id, region, reason
  FROM (SELECT date AS closed, store_id, region, reason FROM closures FINAL WHERE date >= toDate({from:String}) AND date <= toDate({as_of:String}))`;

/** The promotions of some SKUs that overlap the days read. */
const PROMOTIONS = `
  SELECT sku, store_id, region, toString(starts) AS start_date, toString(ends) AS end_date
  FROM (
    SELECT sku, store_id, region, start_date AS starts, end_date AS ends FROM promotions FINAL
    WHERE sku IN {skus:Array(String)} AND end_date >= toDate({from:String}) AND start_date <= toDate({as_of:String}))`;

/**
 * The first sale day of the pairs that sold nothing before the month of `from` (new listings; the others sold
 * before any day the baseline can reach).
 */
const FIRST_SALES = `
  SELECT store_id, sku, toString(minIf(day, units > 0)) AS first_sale
  FROM daily_sales
  WHERE ${PAIRS} AND day >= toStartOfMonth(toDate({from:String}))
    AND (store_id, sku) NOT IN (
      SELECT store_id, sku FROM pair_sales FINAL
      WHERE ${PAIRS} AND arrayExists((month, units) -> month < toStartOfMonth(toDate({from:String})) AND units > 0, mapKeys(units_by_month), mapValues(units_by_month)))
  GROUP BY store_id, sku
  HAVING countIf(units > 0) > 0`;

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

/** POS lines of a store on one day. */
export interface StoreDay {
  store_id: string;
  date: string;
  lines: number;
}

/** A ranged own SKU of a store still scanning that sold nothing in the last days of its category's window W. */
export interface StockCandidate {
  store_id: string;
  sku: string;
  windowDays: number;
  category: string;
  product_name: string;
}

/** What the stock family reads for one close. */
export interface StockRows {
  /** POS lines per store and day of the stores of the close, over their windows and the baselines before them. */
  storeDays: StoreDay[];
  candidates: StockCandidate[];
  /** The newest stock count at the close of the as-of day, for the candidates ever counted. */
  onHand: { store_id: string; sku: string; on_hand: number }[];
  /** The candidates' daily units: their lookback, the 28 days up to the as-of day and the same 28 days a year earlier. */
  days: { store_id: string; sku: string; date: string; units: number }[];
  /** The last sale day after the oldest open stock alert's day, for the pairs with a stock alert open. */
  lastSales: { store_id: string; sku: string; last_sale: string }[];
  /** The chain's closed days over the days read (and a year before, for the evidence). */
  closures: Closure[];
  /** The candidates' promotions over the days read. */
  promotions: PromotionSpan[];
  /** The first sale day of the candidates first sold within the days read (new listings). */
  firstSales: { store_id: string; sku: string; first_sale: string }[];
}

const pairKey = (r: { store_id: string; sku: string }) => `${r.store_id}|${r.sku}`;

// A set of pairs goes to the queries (PAIRS) as two parallel lists: stores[i] with skus[i].
function stockKeys(rows: readonly { store_id: string; sku: string }[]): { stores: string[]; skus: string[] } {
  const pairs = [...new Map(rows.map((r) => [pairKey(r), r])).values()];
  return { stores: pairs.map((r) => r.store_id), skus: pairs.map((r) => r.sku) };
}

const openStockAlerts = (open: readonly Alert[]) => open.filter((a) => a.type === 'zero_sale' || a.type === 'out_of_stock');

/** How far before the as-of day a closure can push a window: a store closed longer has no window. */
const MAX_CLOSED_LOOKBACK = 60;

/** Each store's closed days, from the close's closures: registered stores by their region, others chain-wide only. */
function calendarOf(closures: readonly Closure[], stores: RuleInputs['stores']): (storeId: string) => Map<string, string> {
  const byStore = new Map<string, Map<string, string>>();
  return (storeId) => {
    let closed = byStore.get(storeId);
    if (!closed) {
      closed = closedDaysOf(closures, { store_id: storeId, region: stores.get(storeId)?.region ?? '' });
      byStore.set(storeId, closed);
    }
    return closed;
  };
}

/** The earliest day a store's open window of `days` days can start, over the stores given (closures push it back). */
function earliestWindowStart(asOf: string, days: number, storeIds: Iterable<string>, closedOf: (storeId: string) => Map<string, string>): string {
  let earliest = addDays(asOf, 1 - days);
  for (const id of storeIds) {
    const window = openWindow(asOf, days, closedOf(id), MAX_CLOSED_LOOKBACK);
    if (window[0] && window[0] < earliest) earliest = window[0];
  }
  return earliest;
}

export async function loadStockRows({ warehouse, asOf, thresholds, timezone, scope, stores, open }: DayClose): Promise<StockRows> {
  const closures = await warehouse.query<Closure>(CLOSURES, { from: addDays(oneYearEarlier(asOf), -MAX_CLOSED_LOOKBACK - 28), as_of: asOf });
  const closedOf = calendarOf(closures, stores);
  const covered = inScope(scope);
  // '' stands for the stores not registered yet: the chain's closures only.
  const closingStores = [...[...stores.keys()].filter(covered), ''];
  const windowStart = (days: number) => earliestWindowStart(asOf, days, closingStores, closedOf);

  // no_data uses the default window: a silent store raises one alert and none of its SKUs do, so they are not read.
  const storeDays = await warehouse.query<StoreDay>(STORE_DAYS, {
    from: addDays(windowStart(thresholds.zeroSaleWindowDays), -thresholds.baselineDays),
    as_of: asOf,
    ...scopeParams(scope),
  });
  const silent = new Set(silentStores(storeDays, asOf, thresholds, closedOf).map((s) => s.store_id));

  const windows = new Set([thresholds.zeroSaleWindowDays, ...Object.keys(thresholds.zeroSaleWindowDaysByCategory).map((c) => windowDaysFor(thresholds, c))]);
  const silentInWindow: { store_id: string; sku: string; windowDays: number }[] = [];
  for (const windowDays of windows) {
    const bStart = addDays(windowStart(windowDays), -thresholds.baselineLookbackDays);
    const closedIn = (storeId: string) => [...closedOf(storeId).keys()].some((day) => day >= bStart);
    const promoted = await warehouse.query<{ sku: string }>(PROMOTED_SKUS, { from: bStart, as_of: asOf });
    // λ ≤ W × baseline units / baseline days, and λ ≥ −ln(p) to alert: a pre-filter, the rule decides exactly.
    const minUnits = (days: number) => (-Math.log(loosestZeroProbability(thresholds)) * days) / windowDays - 1e-9;
    const rows = await warehouse.query<{ store_id: string; sku: string }>(ZERO_SALE_CANDIDATES, {
      as_of: asOf,
      w_start: addDays(asOf, 1 - windowDays),
      b_start: bStart,
      baseline_days: thresholds.baselineDays,
      short_stores: closingStores.filter((id) => id !== '' && closedIn(id)),
      short_skus: promoted.map((p) => p.sku),
      all_short: closedIn(''),
      min_baseline_units: minUnits(thresholds.baselineDays),
      min_short_units: minUnits(thresholds.minExposureDays),
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
  let promotions: PromotionSpan[] = [];
  let firstSales: StockRows['firstSales'] = [];
  if (candidates.length > 0) {
    const keys = stockKeys(candidates);
    onHand = await warehouse.query(ON_HAND_AT_CLOSE, { as_of: asOf, timezone, ...keys });
    // From the earliest lookback start (the longest window, pushed back by closures) or the evidence start.
    const longest = Math.max(...candidates.map((c) => c.windowDays));
    const from = [addDays(asOf, -27), addDays(earliestWindowStart(asOf, longest, keys.stores, closedOf), -thresholds.baselineLookbackDays)].sort()[0]!;
    days = await warehouse.query(PAIR_DAYS, { as_of: asOf, from, ...keys });
    promotions = await warehouse.query(PROMOTIONS, { skus: [...new Set(keys.skus)], from, as_of: asOf });
    firstSales = await warehouse.query(FIRST_SALES, { from, ...keys });
  }

  const stockOpen = openStockAlerts(open);
  const lastSales =
    stockOpen.length === 0
      ? []
      : await warehouse.query<StockRows['lastSales'][number]>(LAST_SALE_SINCE, {
          since: stockOpen.map((a) => judgedSince(a, asOf)).sort()[0]!,
          as_of: asOf,
          ...stockKeys(stockOpen),
        });
  return { storeDays, candidates, onHand, days, lastSales, closures, promotions, firstSales };
}

/**
 * The day after which a sale ends an open stock alert at the close of `asOf`: its last confirmed day, or the day
 * before the close when a later close confirmed it (a re-close over late rows judges the day as an on-time close would).
 */
function judgedSince(alert: Alert, asOf: string): string {
  return [alert.as_of, addDays(asOf, -1)].sort()[0]!;
}

/** POS lines of one store in its open-day window W (default length) and in the baseline days before it. */
export interface StoreActivity {
  store_id: string;
  window: string[];
  window_lines: number;
  baseline_lines: number;
}

/** Each store's lines in its window and baseline; a store closed past the lookback has no window and is left out. */
function storeActivity(
  storeDays: readonly StoreDay[],
  asOf: string,
  thresholds: RuleInputs['thresholds'],
  closedOf: (storeId: string) => Map<string, string>,
): StoreActivity[] {
  const byStore = new Map<string, Map<string, number>>();
  for (const d of storeDays) {
    const lines = byStore.get(d.store_id) ?? new Map<string, number>();
    lines.set(d.date, (lines.get(d.date) ?? 0) + d.lines);
    byStore.set(d.store_id, lines);
  }
  return [...byStore].flatMap(([store_id, lines]) => {
    const window = openWindow(asOf, thresholds.zeroSaleWindowDays, closedOf(store_id), MAX_CLOSED_LOOKBACK);
    if (window.length === 0) return [];
    const baselineFrom = addDays(window[0]!, -thresholds.baselineDays);
    let window_lines = 0;
    let baseline_lines = 0;
    for (const [date, n] of lines) {
      if (window.includes(date)) window_lines += n;
      else if (date >= baselineFrom && date < window[0]!) baseline_lines += n;
    }
    return [{ store_id, window, window_lines, baseline_lines }];
  });
}

function silentStores(
  storeDays: readonly StoreDay[],
  asOf: string,
  thresholds: RuleInputs['thresholds'],
  closedOf: (storeId: string) => Map<string, string>,
): StoreActivity[] {
  return storeActivity(storeDays, asOf, thresholds, closedOf).filter((a) => isSilentStore(a.window_lines, a.baseline_lines));
}

/** `days` units of a pair from `from` on, 0 on the days without a row; a closed day is marked (the chart shades it). */
function series(
  rows: { day: string; units: number }[],
  from: string,
  days: number,
  closed: ReadonlyMap<string, string>,
): { date: string; units: number; closed?: string }[] {
  const byDay = new Map(rows.map((r) => [r.day, r.units]));
  return dayRange(from, addDays(from, days - 1)).map((date) => {
    const reason = closed.get(date);
    return reason === undefined ? { date, units: byDay.get(date) ?? 0 } : { date, units: byDay.get(date) ?? 0, closed: reason };
  });
}

/**
 * zero_sale, out_of_stock and no_data for the day, plus the stock and no-data slots whose problem ended (the store
 * scans again; the pair sold after its alert's day). Every window is the store's last N open days.
 */
export function stockFindings(rows: StockRows, { asOf, thresholds, stores, open }: RuleInputs): Findings {
  const findings: Finding[] = [];
  const resolved = new Set<string>();
  const closedOf = calendarOf(rows.closures, stores);

  const activity = storeActivity(rows.storeDays, asOf, thresholds, closedOf);
  for (const a of activity) {
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
      evidence: { window: { from: a.window[0], to: a.window.at(-1), days: thresholds.zeroSaleWindowDays } },
      assignee: storeManager(store, a.store_id),
      ...noDataTexts({ storeName: store.name, days: thresholds.zeroSaleWindowDays }),
    });
  }
  const scanning = new Set(activity.filter((a) => a.window_lines > 0).map((a) => a.store_id));
  for (const alert of open) if (alert.type === 'no_data' && scanning.has(alert.store_id)) resolved.add(slotOf(alert));

  const onHand = new Map(rows.onHand.map((r) => [pairKey(r), r.on_hand]));
  const firstSale = new Map(rows.firstSales.map((r) => [pairKey(r), r.first_sale]));
  const history = new Map<string, { day: string; units: number }[]>();
  for (const r of rows.days) {
    const key = pairKey(r);
    const days = history.get(key);
    if (days) days.push({ day: r.date, units: r.units });
    else history.set(key, [{ day: r.date, units: r.units }]);
  }
  const promotionsOf = new Map<string, PromotionSpan[]>();
  for (const p of rows.promotions) promotionsOf.set(p.sku, [...(promotionsOf.get(p.sku) ?? []), p]);
  const seriesFrom = addDays(asOf, -27);
  const lastYearFrom = addDays(oneYearEarlier(asOf), -27);
  for (const c of rows.candidates) {
    const key = pairKey(c);
    const store = stores.get(c.store_id);
    const where = { store_id: c.store_id, region: store?.region ?? '' };
    const closed = closedOf(c.store_id);
    const window = openWindow(asOf, c.windowDays, closed, MAX_CLOSED_LOOKBACK);
    const days = history.get(key) ?? [];
    const units = new Map(days.map((r) => [r.day, r.units]));
    // The candidate query takes W as the last N calendar days; a store closed in them has an earlier window.
    if (window.length === 0 || window.some((day) => (units.get(day) ?? 0) > 0)) continue;
    const baseline = baselineOf(
      units,
      window[0]!,
      {
        isClosed: (day) => closed.has(day),
        onPromotion: (day) => onPromotion(promotionsOf.get(c.sku) ?? [], where, c.sku, day),
        firstSale: firstSale.get(key) ?? null,
      },
      { baselineDays: thresholds.baselineDays, lookbackDays: thresholds.baselineLookbackDays },
    );
    const known = onHand.get(key);
    const expected = expectedOverWindow(baseline.days, window);
    const decision = decideZeroSale({ expectedUnits: expected, exposureDays: baseline.days.length, onHand: known ?? null, category: c.category }, thresholds);
    if (!decision.type) continue;
    const baselineUnits = baseline.days.reduce((n, d) => n + d.units, 0);
    // The plain 28 days before W, or what the calendar made of them.
    const plain = !baseline.newListing && baseline.closedDays === 0 && baseline.promotionDays === 0 && baseline.days.length === thresholds.baselineDays;
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
            regularDays: plain ? undefined : baseline.days.length,
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
        window: { from: window[0], to: window.at(-1), days: c.windowDays },
        baseline_units: baselineUnits,
        ...(plain
          ? {}
          : {
              baseline: {
                days: baseline.days.length,
                closed_days: baseline.closedDays,
                promotion_days: baseline.promotionDays,
                first_sale: baseline.newListing ? firstSale.get(key) : null,
              },
            }),
        expected_units: Number(decision.expectedUnits.toFixed(3)),
        p_zero: Number(decision.zeroProbability.toPrecision(4)),
        on_hand: known ?? null,
        series: series(
          days.filter((r) => r.day >= seriesFrom),
          seriesFrom,
          28,
          closed,
        ),
        last_year: lastYearRows.length > 0 ? series(lastYearRows, lastYearFrom, 28, closed) : [],
      },
      ...texts,
    });
  }

  // Sales resumed after an open stock alert's day: it resolves itself.
  const lastSale = new Map(rows.lastSales.map((r) => [pairKey(r), r.last_sale]));
  for (const alert of openStockAlerts(open)) {
    const sale = lastSale.get(pairKey(alert));
    if (sale && sale > judgedSince(alert, asOf)) resolved.add(slotOf(alert));
  }
  return { findings, resolved };
}
