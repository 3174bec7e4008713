import { addDays, dayRange, oneYearEarlier } from '../../lib/days.ts';
import { dormantCustomers, type OrderHistory } from '../rules/dormant.ts';
import { effectivePrices, priceKey } from '../effective-prices.ts';
import { isPriceGap, priceGap } from '../rules/price-gap.ts';
import { windowDaysFor, type RuleThresholds } from '../rules/thresholds.ts';
import { decideLowShare, decidePlanogram, decideShelfGap, type PlanogramStatus, type ShelfDay } from '../rules/shelf.ts';
import { decideZeroSale, isSilentStore } from '../rules/zero-sale.ts';
import type { ShelfFacings } from '../shelf-share.ts';
import type { Warehouse } from '../warehouse.ts';
import type { Alert } from '../../contracts/alerts.ts';
import type { AlertType, Severity } from '../../contracts/enums.ts';
import { reconcile, slotOf, type Finding } from './model.ts';
import { inScope, inScopeSql, scopeParams, type StoreScope } from './scope.ts';
import { openAlerts, saveAlerts } from './store.ts';
import { dormantTexts, lowShareTexts, noDataTexts, outOfStockTexts, planogramTexts, priceGapTexts, shelfGapTexts, zeroSaleTexts } from './texts.ts';

// ---- SQL (server-side parameters only) ----
//
// A close covers the stores of one time zone (StoreScope): the queries over every store's rows take the scope as
// parameters (IN_SCOPE), those given pairs or photos inherit it from them.

const IN_SCOPE = inScopeSql('store_id');

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

const STORES = `SELECT store_id, name, territory, region, manager FROM stores FINAL`;

/** The newest competitor price per store × competitor product within the last 30 days, with the own SKU it matches. */
const LATEST_COMPETITOR_PRICES = `
  SELECT cp.store_id AS store_id, cp.sku AS competitor_sku, cp.price AS price, cp.source AS source,
    formatDateTime(cp.observed_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS observed_at,
    toString(toDate(cp.observed_at, {timezone:String})) AS day
  FROM (
    SELECT store_id, sku, argMax(price, ts) AS price, argMax(source, ts) AS source, max(ts) AS observed_at
    FROM competitor_prices
    WHERE ts < toDateTime64(toDate({as_of:String}) + 1, 3, {timezone:String})
      AND ts >= toDateTime64(toDate({as_of:String}) - 29, 3, {timezone:String})
      AND ${IN_SCOPE}
    GROUP BY store_id, sku
  ) AS cp`;

const PRODUCTS = `SELECT sku, name, category, regular_price, is_competitor, matches_sku FROM products FINAL`;

/**
 * Every store that ever ordered, with its last order day (local) and historical margin up to the as-of day, from
 * the order history model (order_days: the margin is regular price × units − value per SKU). Not scoped: the
 * dormant are ranked by margin over the whole chain, whichever zone's close raises their alert.
 */
const ORDER_HISTORY = `
  SELECT o.store_id AS store_id, toString(max(o.day)) AS last_order_day,
    uniqExactMerge(o.orders) AS orders, sum(o.value) AS value, sum(p.regular_price * o.units - o.value) AS margin
  FROM order_days AS o
  LEFT JOIN (SELECT sku, regular_price FROM products FINAL) AS p ON p.sku = o.sku
  WHERE o.day <= toDate({as_of:String})
  GROUP BY o.store_id`;

/**
 * Per store, its latest photographed day (store-local) within the look-back up to the close: the photos, their
 * holes and their facings by owner, as the photo intake stored them (the share of shelf the map shows).
 */
const SHELF_DAYS = `
  SELECT store_id, toString(s.day) AS day, photos, gaps, own_facings, recognised_facings, unknown_facings, photo_ids
  FROM shelf_share_days AS s
  WHERE s.day BETWEEN toDate({as_of:String}) + 1 - {lookback_days:UInt16} AND toDate({as_of:String}) AND ${IN_SCOPE}
  ORDER BY store_id, day DESC
  LIMIT 1 BY store_id`;

/**
 * Own SKUs the planogram check flagged (missing from the bay, or misplaced) on the given photos. A planned SKU that
 * is missing was never seen, so its row cannot tell a competitor's product: the product master does.
 */
const PLANOGRAM_ISSUES = `
  SELECT store_id, sku, argMax(planogram_status, taken_at) AS status, argMax(photo_id, taken_at) AS latest_photo,
    argMax(planogram_score, taken_at) AS score
  FROM shelf_observations FINAL
  WHERE photo_id IN {photos:Array(String)} AND NOT is_competitor AND planogram_status IN ('missing', 'misplaced')
    AND sku NOT IN (SELECT sku FROM products FINAL WHERE is_competitor)
  GROUP BY store_id, sku`;

// ---- evaluation ----
//
// Severity basis (what a category manager should look at first):
// - zero_sale / out_of_stock: the sales the streak is costing, expected units over W: ≥ 10 high, ≥ 5 medium, else low.
// - no_data: high (a whole store is blind: till or feed down).
// - price_gap: the gap: ≥ 15% high, ≥ 10% medium, else low (5–10%).
// - dormant_customer: the rank by historical margin among the dormant: top 20% high, top 50% medium, else low.

export interface EvaluationSummary {
  as_of: string;
  opened: number;
  updated: number;
  resolved: number;
  by_type: Record<string, { opened: number; updated: number; resolved: number; open: number }>;
}

export interface Evaluation {
  summary: EvaluationSummary;
  /** Every alert written by this run (new versions), for the notifier. */
  changed: Alert[];
}

interface StoreInfo {
  store_id: string;
  name: string;
  territory: string;
  region: string;
  manager: string;
}

interface ProductInfo {
  sku: string;
  name: string;
  category: string;
  regular_price: number;
  is_competitor: boolean;
  matches_sku: string;
}

export interface CompetitorObservation {
  store_id: string;
  competitor_sku: string;
  price: number;
  source: string;
  observed_at: string;
  /** Store-local day of the observation. */
  day: string;
}

/** What every rule reads besides its own queries: the thresholds and the master data by key. */
interface RuleInputs {
  warehouse: Warehouse;
  thresholds: RuleThresholds;
  stores: Map<string, StoreInfo>;
  products: Map<string, ProductInfo>;
}

/** One daily close: the day `asOf` (store-local in `timezone`), the stores it covers and their open alerts. */
interface DayClose extends RuleInputs {
  asOf: string;
  timezone: string;
  scope: StoreScope;
  open: readonly Alert[];
}

const LN = Math.log;

function storeManager(store: StoreInfo | undefined, storeId: string): string {
  return store?.manager ? store.manager : `manager:${storeId}`;
}

async function storesById(warehouse: Warehouse): Promise<Map<string, StoreInfo>> {
  return new Map((await warehouse.query<StoreInfo>(STORES)).map((s) => [s.store_id, s]));
}

async function productsBySku(warehouse: Warehouse): Promise<Map<string, ProductInfo>> {
  return new Map((await warehouse.query<ProductInfo>(PRODUCTS)).map((p) => [p.sku, p]));
}

function series(rows: { day: string; units: number }[], from: string, days: number): { date: string; units: number }[] {
  const byDay = new Map(rows.map((r) => [r.day, r.units]));
  return dayRange(from, addDays(from, days - 1)).map((date) => ({ date, units: byDay.get(date) ?? 0 }));
}

/** zero_sale, out_of_stock and no_data for the day, plus the stock/no-data slots whose problem ended. */
async function stockFindings({ warehouse, asOf, thresholds, timezone, scope, stores, open }: DayClose): Promise<{ findings: Finding[]; resolved: Set<string> }> {
  const findings: Finding[] = [];
  const resolved = new Set<string>();
  const windows = new Set([thresholds.zeroSaleWindowDays, ...Object.keys(thresholds.zeroSaleWindowDaysByCategory).map((c) => windowDaysFor(thresholds, c))]);

  // no_data uses the default window: a silent store raises one alert and none of its SKUs do.
  const activity = await warehouse.query<{ store_id: string; window_lines: number; baseline_lines: number }>(STORE_ACTIVITY, {
    as_of: asOf,
    window_days: thresholds.zeroSaleWindowDays,
    baseline_days: thresholds.baselineDays,
    ...scopeParams(scope),
  });
  const silent = new Set(activity.filter((a) => isSilentStore(a.window_lines, a.baseline_lines)).map((a) => a.store_id));
  const scanning = new Set(activity.filter((a) => a.window_lines > 0).map((a) => a.store_id));
  for (const storeId of silent) {
    const store = stores.get(storeId);
    if (!store) continue;
    findings.push({
      type: 'no_data',
      store_id: storeId,
      sku: '',
      territory: store.territory,
      category: '',
      severity: 'high',
      evidence: { window: { from: addDays(asOf, 1 - thresholds.zeroSaleWindowDays), to: asOf, days: thresholds.zeroSaleWindowDays } },
      assignee: storeManager(store, storeId),
      ...noDataTexts({ storeName: store.name, days: thresholds.zeroSaleWindowDays }),
    });
  }
  for (const alert of open) if (alert.type === 'no_data' && scanning.has(alert.store_id)) resolved.add(slotOf(alert));

  const pairKey = (r: { store_id: string; sku: string }) => `${r.store_id}|${r.sku}`;
  // A set of pairs goes to the queries (PAIRS) as two parallel lists: stores[i] with skus[i].
  const stockKeys = (rows: { store_id: string; sku: string }[]) => {
    const pairs = [...new Map(rows.map((r) => [pairKey(r), r])).values()];
    return { stores: pairs.map((r) => r.store_id), skus: pairs.map((r) => r.sku) };
  };
  const silentInWindow: { store_id: string; sku: string; windowDays: number }[] = [];
  for (const windowDays of windows) {
    const rows = await warehouse.query<{ store_id: string; sku: string }>(ZERO_SALE_CANDIDATES, {
      as_of: asOf,
      window_days: windowDays,
      baseline_days: thresholds.baselineDays,
      // λ ≥ −ln(p) ⇔ baseline units ≥ −ln(p) × baseline days / window days: a pre-filter, the rule decides exactly.
      min_baseline_units: (-LN(thresholds.maxZeroProbability) * thresholds.baselineDays) / windowDays - 1e-9,
      ...scopeParams(scope),
    });
    silentInWindow.push(...rows.filter((r) => !silent.has(r.store_id)).map((r) => ({ ...r, windowDays })));
  }
  // Keep ranged own SKUs whose category uses this window length.
  const ranged = new Map<string, { category: string; product_name: string }>();
  if (silentInWindow.length > 0) {
    for (const r of await warehouse.query<{ store_id: string; sku: string; category: string; product_name: string }>(RANGED_OWN_SKUS, stockKeys(silentInWindow))) {
      ranged.set(pairKey(r), r);
    }
  }
  const candidates = silentInWindow.flatMap((c) => {
    const product = ranged.get(pairKey(c));
    return product && windowDaysFor(thresholds, product.category) === c.windowDays ? [{ ...c, ...product }] : [];
  });

  const onHand = new Map<string, number>();
  const history = new Map<string, { day: string; units: number }[]>();
  const seriesFrom = addDays(asOf, -27);
  if (candidates.length > 0) {
    for (const r of await warehouse.query<{ store_id: string; sku: string; on_hand: number }>(ON_HAND_AT_CLOSE, {
      as_of: asOf,
      timezone,
      ...stockKeys(candidates),
    })) {
      onHand.set(pairKey(r), r.on_hand);
    }
    // From the earliest baseline start (the longest window) or the evidence start, whichever is earlier.
    const longest = Math.max(...candidates.map((c) => c.windowDays));
    const from = [seriesFrom, addDays(asOf, 1 - longest - thresholds.baselineDays)].sort()[0]!;
    for (const r of await warehouse.query<{ store_id: string; sku: string; date: string; units: number }>(PAIR_DAYS, {
      as_of: asOf,
      from,
      ...stockKeys(candidates),
    })) {
      const key = pairKey(r);
      const days = history.get(key);
      if (days) days.push({ day: r.date, units: r.units });
      else history.set(key, [{ day: r.date, units: r.units }]);
    }
  }

  const lastYearFrom = addDays(oneYearEarlier(asOf), -27);
  for (const c of candidates) {
    const key = pairKey(c);
    const known = onHand.get(key);
    const rows = history.get(key) ?? [];
    const windowFrom = addDays(asOf, 1 - c.windowDays);
    const baselineFrom = addDays(windowFrom, -thresholds.baselineDays);
    const baselineUnits = rows.reduce((n, r) => (r.day >= baselineFrom && r.day < windowFrom ? n + r.units : n), 0);
    const decision = decideZeroSale(
      { storeId: c.store_id, sku: c.sku, windowDays: c.windowDays, baselineUnits, onHand: known ?? null },
      thresholds,
    );
    if (!decision.type) continue;
    const store = stores.get(c.store_id);
    const lastYearRows = rows.filter((r) => r.day <= oneYearEarlier(asOf));
    const severity: Severity = decision.expectedUnits >= 10 ? 'high' : decision.expectedUnits >= 5 ? 'medium' : 'low';
    const texts =
      decision.type === 'out_of_stock'
        ? outOfStockTexts({ storeName: store?.name ?? c.store_id, productName: c.product_name, sku: c.sku, days: c.windowDays, expected: decision.expectedUnits })
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
      severity,
      assignee: storeManager(store, c.store_id),
      evidence: {
        window: { from: windowFrom, to: asOf, days: c.windowDays },
        baseline_units: baselineUnits,
        expected_units: Number(decision.expectedUnits.toFixed(3)),
        p_zero: Number(decision.zeroProbability.toPrecision(4)),
        on_hand: known ?? null,
        series: series(rows.filter((r) => r.day >= seriesFrom), seriesFrom, 28),
        last_year: lastYearRows.length > 0 ? series(lastYearRows, lastYearFrom, 28) : [],
      },
      ...texts,
    });
  }

  // Sales resumed after an open stock alert's day: it resolves itself.
  const stockOpen = open.filter((a) => a.type === 'zero_sale' || a.type === 'out_of_stock');
  if (stockOpen.length > 0) {
    const since = stockOpen.map((a) => a.as_of).sort()[0]!;
    const lastSales = await warehouse.query<{ store_id: string; sku: string; last_sale: string }>(LAST_SALE_SINCE, {
      since,
      as_of: asOf,
      ...stockKeys(stockOpen),
    });
    const lastSale = new Map(lastSales.map((r) => [pairKey(r), r.last_sale]));
    for (const alert of stockOpen) {
      const sale = lastSale.get(pairKey(alert));
      if (sale && sale > alert.as_of) resolved.add(slotOf(alert));
    }
  }
  return { findings, resolved };
}

/** price_gap findings for competitor observations; slots whose latest observation shows no gap resolve. */
export async function priceGapFindings(
  { warehouse, thresholds, stores, products }: RuleInputs,
  observations: readonly CompetitorObservation[],
): Promise<{ findings: Finding[]; resolved: Set<string> }> {
  const asked = observations.flatMap((o) => {
    const sku = products.get(o.competitor_sku)?.matches_sku;
    return sku ? [{ store_id: o.store_id, sku, day: o.day }] : [];
  });
  const ownPrices = await effectivePrices(warehouse, asked);

  // Several competitor products can match one own SKU at a store: the cheapest observation decides.
  const best = new Map<string, Finding & { gapValue: number }>();
  const closed = new Set<string>();
  for (const o of observations) {
    const competitor = products.get(o.competitor_sku);
    const own = competitor?.matches_sku ? products.get(competitor.matches_sku) : undefined;
    const store = stores.get(o.store_id);
    if (!competitor || !own || !store) continue;
    const ownPrice = ownPrices.get(priceKey({ store_id: o.store_id, sku: own.sku, day: o.day }));
    if (!ownPrice) continue;
    const gap = priceGap(ownPrice.price, o.price);
    const slot = slotOf({ type: 'price_gap', store_id: o.store_id, sku: own.sku });
    if (!isPriceGap(gap, thresholds.minPriceGap)) {
      closed.add(slot);
      continue;
    }
    if ((best.get(slot)?.gapValue ?? -Infinity) >= gap) continue;
    const gapRounded = Number(gap.toFixed(4));
    best.set(slot, {
      gapValue: gap,
      type: 'price_gap',
      store_id: o.store_id,
      sku: own.sku,
      territory: store.territory,
      category: own.category,
      severity: gap >= 0.15 ? 'high' : gap >= 0.1 ? 'medium' : 'low',
      assignee: `reps:${store.territory}`,
      evidence: {
        own_sku: own.sku,
        competitor_sku: competitor.sku,
        own_price: ownPrice.price,
        own_price_source: ownPrice.source,
        regular_price: own.regular_price,
        competitor_price: o.price,
        gap: gapRounded,
        observed_at: o.observed_at,
        source: o.source,
      },
      ...priceGapTexts({
        storeName: store.name,
        productName: own.name,
        competitorName: competitor.name,
        ownPrice: ownPrice.price,
        competitorPrice: o.price,
        gap,
        territory: store.territory,
      }),
    });
  }
  const findings = [...best.values()].map(({ gapValue: _gap, ...finding }) => finding);
  for (const f of findings) closed.delete(slotOf(f));
  return { findings, resolved: closed };
}

async function dormantFindings({ warehouse, asOf, thresholds, scope, stores, open }: DayClose): Promise<{ findings: Finding[]; resolved: Set<string> }> {
  const histories = (
    await warehouse.query<{ store_id: string; last_order_day: string; orders: number; value: number; margin: number }>(ORDER_HISTORY, { as_of: asOf })
  ).map((h): OrderHistory => ({ storeId: h.store_id, lastOrderDay: h.last_order_day, orders: h.orders, value: h.value, margin: h.margin }));
  const dormant = dormantCustomers(histories, asOf, thresholds.dormantAfterDays);
  const ranked = dormant.length;
  const covered = inScope(scope);
  const findings: Finding[] = dormant.flatMap((d) => {
    const store = stores.get(d.storeId);
    if (!store || !covered(d.storeId)) return [];
    const severity: Severity = d.rank <= Math.ceil(ranked * 0.2) ? 'high' : d.rank <= Math.ceil(ranked * 0.5) ? 'medium' : 'low';
    return [
      {
        type: 'dormant_customer' as const,
        store_id: d.storeId,
        sku: '',
        territory: store.territory,
        category: '',
        severity,
        assignee: `reps:${store.territory}`,
        evidence: {
          last_order_day: d.lastOrderDay,
          days_since_last_order: d.daysSinceLastOrder,
          orders: d.orders,
          order_value: Number(d.value.toFixed(2)),
          historical_margin: Number(d.margin.toFixed(2)),
          rank: d.rank,
          dormant_customers: ranked,
        },
        ...dormantTexts({ storeName: store.name, days: d.daysSinceLastOrder, margin: d.margin, rank: d.rank, territory: store.territory }),
      },
    ];
  });
  const dormantIds = new Set(dormant.map((d) => d.storeId));
  const resolved = new Set(open.filter((a) => a.type === 'dormant_customer' && !dormantIds.has(a.store_id)).map(slotOf));
  return { findings, resolved };
}

const VISION_TYPES: AlertType[] = ['shelf_gap', 'low_share_of_shelf', 'planogram'];

/**
 * shelf_gap, low_share_of_shelf (store level) and planogram (per own SKU) from each store's latest photographed
 * day in the look-back. A store photographed again without the problem resolves its alert; a store without new
 * photos keeps what it has (no news is not a fix).
 */
async function visionFindings({ warehouse, asOf, thresholds, scope, stores, products, open }: DayClose): Promise<{ findings: Finding[]; resolved: Set<string> }> {
  const days = await warehouse.query<{ store_id: string; day: string; photos: number; gaps: number; photo_ids: string[] } & ShelfFacings>(
    SHELF_DAYS,
    { as_of: asOf, lookback_days: thresholds.shelfLookbackDays, ...scopeParams(scope) },
  );
  const findings: Finding[] = [];
  const dayOf = new Map(days.map((d) => [d.store_id, d]));
  for (const d of days) {
    const store = stores.get(d.store_id);
    if (!store) continue;
    const shelf: ShelfDay = { storeId: d.store_id, day: d.day, photos: d.photos, gaps: d.gaps, ownFacings: d.own_facings, totalFacings: d.recognised_facings };
    const base = { store_id: d.store_id, sku: '', territory: store.territory, category: '', assignee: storeManager(store, d.store_id) };
    const gap = decideShelfGap(shelf, thresholds.minShelfGaps);
    if (gap.alert) {
      findings.push({
        ...base,
        type: 'shelf_gap',
        severity: gap.severity,
        evidence: { day: d.day, photos: d.photo_ids, gaps: d.gaps },
        ...shelfGapTexts({ storeName: store.name, day: d.day, gaps: d.gaps, photos: d.photos }),
      });
    }
    const share = decideLowShare(shelf, thresholds.minShareOfShelf);
    if (share.alert && share.share !== null) {
      findings.push({
        ...base,
        type: 'low_share_of_shelf',
        severity: share.severity,
        evidence: {
          day: d.day,
          photos: d.photo_ids,
          own_facings: d.own_facings,
          total_facings: d.recognised_facings,
          unknown_facings: d.unknown_facings,
          share: Number(share.share.toFixed(4)),
          target: thresholds.minShareOfShelf,
        },
        ...lowShareTexts({ storeName: store.name, day: d.day, share: share.share, target: thresholds.minShareOfShelf }),
      });
    }
  }
  const issues =
    days.length === 0
      ? []
      : await warehouse.query<{ store_id: string; sku: string; status: PlanogramStatus; latest_photo: string; score: number | null }>(PLANOGRAM_ISSUES, {
          photos: days.flatMap((d) => d.photo_ids),
        });
  for (const issue of issues) {
    const store = stores.get(issue.store_id);
    const decision = decidePlanogram(issue.status);
    if (!store || !decision.alert || (issue.status !== 'missing' && issue.status !== 'misplaced')) continue;
    const product = products.get(issue.sku);
    const day = dayOf.get(issue.store_id)!.day;
    findings.push({
      type: 'planogram',
      store_id: issue.store_id,
      sku: issue.sku,
      territory: store.territory,
      category: product?.category ?? '',
      severity: decision.severity,
      assignee: storeManager(store, issue.store_id),
      evidence: { day, photo_id: issue.latest_photo, status: issue.status, planogram_score: issue.score },
      ...planogramTexts({ storeName: store.name, productName: product?.name ?? issue.sku, sku: issue.sku, status: issue.status, day }),
    });
  }
  // Re-photographed stores: whatever their latest photos no longer show is resolved (a finding keeps its slot open).
  const resolved = new Set(open.filter((a) => VISION_TYPES.includes(a.type) && dayOf.has(a.store_id)).map(slotOf));
  return { findings, resolved };
}

const DAILY_TYPES: AlertType[] = ['zero_sale', 'out_of_stock', 'no_data', 'price_gap', 'dormant_customer', ...VISION_TYPES];

function summarize(asOf: string, changes: { opened: Alert[]; updated: Alert[]; resolved: Alert[] }, openAfter: Alert[]): EvaluationSummary {
  const byType: EvaluationSummary['by_type'] = {};
  const bump = (type: string, key: 'opened' | 'updated' | 'resolved' | 'open') => {
    byType[type] ??= { opened: 0, updated: 0, resolved: 0, open: 0 };
    byType[type][key]++;
  };
  for (const a of changes.opened) bump(a.type, 'opened');
  for (const a of changes.updated) bump(a.type, 'updated');
  for (const a of changes.resolved) bump(a.type, 'resolved');
  for (const a of openAfter) bump(a.type, 'open');
  return { as_of: asOf, opened: changes.opened.length, updated: changes.updated.length, resolved: changes.resolved.length, by_type: byType };
}

function openAfterChanges(open: readonly Alert[], changes: { opened: Alert[]; updated: Alert[]; resolved: Alert[] }): Alert[] {
  const byId = new Map(open.map((a) => [a.id, a]));
  for (const a of [...changes.opened, ...changes.updated]) byId.set(a.id, a);
  for (const a of changes.resolved) byId.delete(a.id);
  return [...byId.values()];
}

/**
 * The daily close for the day `asOf` (store-local in `timezone`) of the stores in `scope` (default: every store):
 * runs every sales rule over those stores, reconciles with their open alerts and writes the changes. Running the
 * same day again finds the same things and writes nothing.
 */
export async function evaluateDay(
  warehouse: Warehouse,
  asOf: string,
  thresholds: RuleThresholds,
  timezone: string,
  scope: StoreScope = {},
): Promise<Evaluation> {
  const [stores, products, open] = await Promise.all([storesById(warehouse), productsBySku(warehouse), openAlerts(warehouse, DAILY_TYPES, scope)]);
  const close: DayClose = { warehouse, asOf, thresholds, timezone, scope, stores, products, open };
  const stock = await stockFindings(close);
  const observations = await warehouse.query<CompetitorObservation>(LATEST_COMPETITOR_PRICES, { as_of: asOf, timezone, ...scopeParams(scope) });
  const prices = await priceGapFindings(close, observations);
  const dormant = await dormantFindings(close);
  const vision = await visionFindings(close);
  const changes = reconcile({
    open,
    findings: [...stock.findings, ...prices.findings, ...dormant.findings, ...vision.findings],
    resolvedSlots: new Set([...stock.resolved, ...prices.resolved, ...dormant.resolved, ...vision.resolved]),
    asOf,
    now: new Date().toISOString(),
  });
  const changed = [...changes.opened, ...changes.updated, ...changes.resolved];
  await saveAlerts(warehouse, changed);
  return { summary: summarize(asOf, changes, openAfterChanges(open, changes)), changed };
}

/** The price-gap trigger: competitor prices as they arrive, evaluated at once against the own effective price. */
export async function evaluatePriceObservations(
  warehouse: Warehouse,
  observations: readonly CompetitorObservation[],
  thresholds: RuleThresholds,
): Promise<Evaluation> {
  const [stores, products, open] = await Promise.all([storesById(warehouse), productsBySku(warehouse), openAlerts(warehouse, ['price_gap'])]);
  const prices = await priceGapFindings({ warehouse, thresholds, stores, products }, observations);
  const asOf = observations.map((o) => o.day).sort().at(-1) ?? new Date().toISOString().slice(0, 10);
  const changes = reconcile({ open, findings: prices.findings, resolvedSlots: prices.resolved, asOf, now: new Date().toISOString() });
  const changed = [...changes.opened, ...changes.updated, ...changes.resolved];
  await saveAlerts(warehouse, changed);
  return { summary: summarize(asOf, changes, openAfterChanges(open, changes)), changed };
}
