import type { MapView, StoreKpis, TerritoryKpis } from '../../contracts/dashboard.ts';
import type { MapMetric } from '../../contracts/enums.ts';
import type { Warehouse } from '../warehouse.ts';
import { addDays, daysBetween } from '../../lib/days.ts';
import { closedDaysOf, type Closure } from '../rules/calendar.ts';
import { addFacings, NO_FACINGS, ownShare } from '../shelf-share.ts';
import { comparableChange, openDays, type PeriodAsk, resolveCompare, resolvePeriod } from './periods.ts';

const LATEST_SALES_DAY = `SELECT toString(max(day)) AS day FROM store_daily`;

/** Limits a query to some stores; an empty list means every store. */
export const IN_SCOPE = `(empty({stores:Array(String)}) OR store_id IN {stores:Array(String)})`;

/** The own SKUs of the product filter (a category, a brand or both); the queries read it only when a filter is set. */
const FILTER_SKUS = `(SELECT sku FROM products FINAL WHERE NOT is_competitor
  AND (empty({category:String}) OR category = {category:String}) AND (empty({brand:String}) OR brand = {brand:String}))`;

/** What a product filter may name: the own products' categories and brands. */
const FILTER_OPTIONS = `
  SELECT arraySort(groupUniqArrayIf(category, category != '')) AS categories, arraySort(groupUniqArrayIf(brand, brand != '')) AS brands
  FROM products FINAL WHERE NOT is_competitor`;

/** The chain's closed days over the days read (the compare-to period's included). */
const CLOSURES = `
  SELECT toString(closed) AS date, store_id, region, reason
  FROM (SELECT date AS closed, store_id, region, reason FROM closures FINAL WHERE date BETWEEN toDate({first:String}) AND toDate({last:String}))`;

/**
 * The daily sales rows the KPIs sum, up to a WHERE condition: the store-level totals, or with a product filter the
 * store × SKU days of the filter's SKUs (the same sums over fewer rows).
 */
const salesDays = (filtered: boolean) => (filtered ? `daily_sales WHERE sku IN ${FILTER_SKUS} AND` : 'store_daily WHERE');
const skuFilter = (filtered: boolean) => (filtered ? `AND sku IN ${FILTER_SKUS}` : '');

/**
 * Every per-store KPI in one statement (one round trip; the engine runs the sub-aggregates in parallel):
 * - sales in the period, the previous period of equal length, the same weekdays a year earlier (364 days) and the
 *   compare-to period, from the daily totals (of the filter's SKUs when a product filter is set), and by day of the
 *   period (the territories' spark lines) from the same scan: a filtered map reads store × SKU days, so once, not twice;
 * - the latest stock count per store × SKU, summed (for sell-through);
 * - orders up to the period end (the order history model): days since the last one and the historical margin
 *   (regular − paid price) × qty;
 * - open alerts by type (of the filter's SKUs when a product filter is set);
 * - share of shelf: the own, recognised and unrecognised facings of the photos analysed in the period's days (each
 *   store's local days), summed (analytics/shelf-share.ts has the definition).
 * The period is resolved before (a scalar subquery in the WITH clause would run again in every subquery).
 */
const storeKpis = (filtered: boolean) => `
  WITH toDate({from:String}) AS f, toDate({to:String}) AS t, dateDiff('day', f, t) + 1 AS len,
    toDate({compare_from:String}) AS cf, toDate({compare_to:String}) AS ct
  SELECT s.store_id AS store_id, s.name AS name, s.city AS city, s.territory AS territory, s.region AS region, s.format AS format, s.lat AS lat, s.lon AS lon,
    sales.sales AS sales, sales.units AS units, sales.sales_prev AS sales_prev, sales.sales_ly AS sales_ly, sales.has_ly AS has_ly, sales.has_prev AS has_prev,
    sales.sales_compare AS sales_compare, sales.daily AS daily,
    stock.on_hand AS on_hand,
    ord.days_since_last_order AS days_since_last_order, ord.historical_margin AS historical_margin,
    open.by_type AS open_alerts,
    shelf.own_facings AS own_facings, shelf.recognised_facings AS recognised_facings, shelf.unknown_facings AS unknown_facings
  FROM (SELECT store_id, name, city, territory, region, format, lat, lon FROM stores FINAL WHERE ${IN_SCOPE}) AS s
  LEFT JOIN (
    SELECT store_id,
      sumIf(revenue, day BETWEEN f AND t) AS sales,
      sumIf(units, day BETWEEN f AND t) AS units,
      sumIf(revenue, day BETWEEN f - len AND f - 1) AS sales_prev,
      sumIf(revenue, day BETWEEN f - 364 AND t - 364) AS sales_ly,
      sumIf(revenue, day BETWEEN cf AND ct) AS sales_compare,
      sumMapIf(map(day, revenue), day BETWEEN f AND t) AS daily,
      countIf(day BETWEEN f - 364 AND t - 364) > 0 AS has_ly,
      countIf(day BETWEEN f - len AND f - 1) > 0 AS has_prev
    FROM ${salesDays(filtered)} (day BETWEEN f - len AND t OR day BETWEEN f - 364 AND t - 364 OR day BETWEEN cf AND ct) AND ${IN_SCOPE}
    GROUP BY store_id
  ) AS sales ON sales.store_id = s.store_id
  LEFT JOIN (SELECT store_id, sum(on_hand) AS on_hand FROM latest_on_hand FINAL WHERE ${IN_SCOPE} ${skuFilter(filtered)} GROUP BY store_id) AS stock ON stock.store_id = s.store_id
  LEFT JOIN (
    SELECT o.store_id AS store_id, dateDiff('day', max(o.day), t) AS days_since_last_order,
      sum(p.regular_price * o.units - o.value) AS historical_margin
    FROM order_days AS o LEFT JOIN (SELECT sku, regular_price FROM products FINAL) AS p ON p.sku = o.sku
    WHERE (empty({stores:Array(String)}) OR o.store_id IN {stores:Array(String)}) AND o.day <= t
    GROUP BY o.store_id
  ) AS ord ON ord.store_id = s.store_id
  LEFT JOIN (
    SELECT store_id, CAST(groupArray((type, n)), 'Map(String, UInt64)') AS by_type
    FROM (SELECT store_id, type, count() AS n FROM alerts FINAL WHERE status != 'resolved' AND ${IN_SCOPE} ${skuFilter(filtered)} GROUP BY store_id, type)
    GROUP BY store_id
  ) AS open ON open.store_id = s.store_id
  LEFT JOIN (
    SELECT store_id, sum(own_facings) AS own_facings, sum(recognised_facings) AS recognised_facings, sum(unknown_facings) AS unknown_facings
    FROM shelf_share_days WHERE day BETWEEN f AND t AND ${IN_SCOPE}
    GROUP BY store_id
  ) AS shelf ON shelf.store_id = s.store_id
  ORDER BY s.store_id
  SETTINGS join_use_nulls = 1`;
const STORE_KPIS = storeKpis(false);
const FILTERED_STORE_KPIS = storeKpis(true);

interface StoreKpiRow {
  store_id: string;
  name: string;
  city: string;
  territory: string;
  region: string;
  format: string;
  lat: number;
  lon: number;
  sales: number | null;
  units: number | null;
  sales_prev: number | null;
  sales_ly: number | null;
  sales_compare: number | null;
  /** Revenue by day of the period (the territories' spark lines), from the same scan as the sums. */
  daily: Record<string, number> | null;
  has_ly: boolean | number | null;
  has_prev: boolean | number | null;
  on_hand: number | null;
  days_since_last_order: number | null;
  historical_margin: number | null;
  open_alerts: Record<string, number> | null;
  own_facings: number | null;
  recognised_facings: number | null;
  unknown_facings: number | null;
}

const change = (now: number, before: number, hasBase: boolean) => (hasBase && before > 0 ? Number((now / before - 1).toFixed(4)) : null);
export const round2 = (x: number) => Math.round(x * 100) / 100;
const vsCompare = (s: OpenDaySales) => comparableChange({ sales: s.sales, openDays: s.openDays }, { sales: s.compareSales, openDays: s.compareOpenDays });

function metricValue(metric: MapMetric, k: Omit<StoreKpis, 'value'> | Omit<TerritoryKpis, 'value'>): number | null {
  switch (metric) {
    case 'sales_vs_ly':
      return k.vs_ly;
    case 'sales_vs_prev':
      return k.vs_prev;
    case 'sell_through':
      return k.sell_through;
    case 'open_alerts':
      return k.open_alerts_total;
    case 'share_of_shelf':
      return k.share_of_shelf;
    case 'sales':
      return round2(k.sales);
    case 'sales_vs_compare':
      return k.vs_compare;
  }
}

export const METRIC_UNITS: Record<MapMetric, MapView['unit']> = {
  sales_vs_ly: 'ratio',
  sales_vs_prev: 'ratio',
  sell_through: 'ratio',
  open_alerts: 'count',
  share_of_shelf: 'ratio',
  sales: 'CNY',
  sales_vs_compare: 'ratio',
};

/** The latest day with sales anywhere (the default end of every KPI period); today when there are no sales yet. */
export async function latestSalesDay(warehouse: Warehouse): Promise<string> {
  const [row] = await warehouse.query<{ day: string }>(LATEST_SALES_DAY);
  return row && row.day !== '1970-01-01' ? row.day : new Date().toISOString().slice(0, 10);
}

/** The KPI period: from/to as asked, else the 28 days up to the latest sales day. */
export async function kpiPeriod(warehouse: Warehouse, from: string | undefined, to: string | undefined): Promise<{ from: string; to: string }> {
  const latest = from || to ? '' : await latestSalesDay(warehouse);
  const period = resolvePeriod({ from, to }, latest);
  return { from: period.from, to: period.to };
}

/** A product filter that names a category or a brand the product master's own products do not have. */
export class UnknownProductFilter extends Error {
  override name = 'UnknownProductFilter';
}

/**
 * The period asked (analytics/kpi/periods.ts: a calendar period, else from/to, else the 28 days up to the latest sales
 * day) and its compare-to period (last year unless asked), with the metric and filters.
 */
export interface MapRequest extends PeriodAsk {
  metric: MapMetric;
  /** Only the sales, stock and alerts of the own SKUs of this category and/or brand; empty or absent = all. */
  category?: string | undefined;
  brand?: string | undefined;
  dormantAfterDays: number;
  /** Only these stores (a scoped reader, or one store's page); empty or absent = every store. */
  storeIds?: readonly string[];
}

/** The sales of a store or a territory over open days, in the period and in the compare-to period. */
interface OpenDaySales {
  sales: number;
  openDays: number;
  compareSales: number;
  compareOpenDays: number;
}

/**
 * Per-store KPIs and their territory aggregates for the heat map. Default period: the 28 days up to the latest sales
 * day. Throws UnknownProductFilter for a category or brand no own product has.
 */
export async function mapView(warehouse: Warehouse, request: MapRequest): Promise<MapView> {
  const needsLatest = request.period !== undefined || (!request.from && !request.to);
  const [latest, [options]] = await Promise.all([
    needsLatest ? latestSalesDay(warehouse) : '',
    warehouse.query<{ categories: string[]; brands: string[] }>(FILTER_OPTIONS),
  ]);
  const categories = options?.categories ?? [];
  const brands = options?.brands ?? [];
  const category = request.category ?? '';
  const brand = request.brand ?? '';
  if (category && !categories.includes(category))
    throw new UnknownProductFilter(`no own product has category ${category}: pick one of ${categories.join(', ')}`);
  if (brand && !brands.includes(brand)) throw new UnknownProductFilter(`no own product has brand ${brand}: pick one of ${brands.join(', ')}`);
  const filtered = category !== '' || brand !== '';

  const period = resolvePeriod(request, latest);
  const compare = resolveCompare(period, request);
  const { from, to } = period;
  const params = { from, to, compare_from: compare.from, compare_to: compare.to, category, brand, stores: request.storeIds ?? [] };
  const [rows, closures] = await Promise.all([
    warehouse.query<StoreKpiRow>(filtered ? FILTERED_STORE_KPIS : STORE_KPIS, params),
    warehouse.query<Closure>(CLOSURES, { first: [compare.from, from].sort()[0], last: [compare.to, to].sort()[1] }),
  ]);
  const len = daysBetween(from, to) + 1;
  const dailySales = new Map<string, number[]>();
  for (const row of rows) {
    const days = dailySales.get(row.territory) ?? Array<number>(len).fill(0);
    for (const [day, sales] of Object.entries(row.daily ?? {})) days[daysBetween(from, day)]! += Number(sales);
    dailySales.set(row.territory, days);
  }
  const onHandBy = new Map<string, number>();
  const openDaySales = new Map<string, OpenDaySales>();

  const storeKpis: StoreKpis[] = rows.map((r) => {
    const units = r.units ?? 0;
    const sales = r.sales ?? 0;
    if (r.on_hand !== null) onHandBy.set(r.store_id, Math.max(0, r.on_hand));
    const stock = onHandBy.get(r.store_id);
    const shelf = { own_facings: r.own_facings ?? 0, recognised_facings: r.recognised_facings ?? 0, unknown_facings: r.unknown_facings ?? 0 };
    const open = Object.fromEntries(Object.entries(r.open_alerts ?? {}).map(([type, n]) => [type, Number(n)]));
    const closed = closures.length > 0 ? closedDaysOf(closures, r) : new Map<string, string>();
    const compared = { sales, openDays: openDays(period, closed), compareSales: r.sales_compare ?? 0, compareOpenDays: openDays(compare, closed) };
    openDaySales.set(r.store_id, compared);
    const kpis = {
      store_id: r.store_id,
      name: r.name,
      city: r.city,
      territory: r.territory,
      region: r.region,
      format: r.format,
      lat: r.lat,
      lon: r.lon,
      sales: round2(sales),
      sales_prev: round2(r.sales_prev ?? 0),
      sales_ly: round2(r.sales_ly ?? 0),
      units,
      vs_prev: change(sales, r.sales_prev ?? 0, Boolean(r.has_prev)),
      vs_ly: change(sales, r.sales_ly ?? 0, Boolean(r.has_ly)),
      sales_compare: round2(compared.compareSales),
      vs_compare: vsCompare(compared),
      sell_through: stock !== undefined && units + stock > 0 ? Number((units / (units + stock)).toFixed(4)) : null,
      open_alerts: open,
      open_alerts_total: Object.values(open).reduce((n, x) => n + x, 0),
      ...shelf,
      share_of_shelf: ownShare(shelf),
      dormant: r.days_since_last_order !== null && r.days_since_last_order >= request.dormantAfterDays,
      days_since_last_order: r.days_since_last_order,
      historical_margin: round2(r.historical_margin ?? 0),
    };
    return { ...kpis, value: metricValue(request.metric, kpis) };
  });

  const byTerritory = new Map<string, StoreKpis[]>();
  for (const s of storeKpis) {
    const members = byTerritory.get(s.territory);
    if (members) members.push(s);
    else byTerritory.set(s.territory, [s]);
  }
  const territories: TerritoryKpis[] = [...byTerritory.entries()].map(([territory, members]) => {
    const sum = (f: (s: StoreKpis) => number) => members.reduce((n, s) => n + f(s), 0);
    const withStock = members.filter((s) => s.sell_through !== null);
    const shelf = members.reduce(addFacings, NO_FACINGS);
    const units = sum((s) => s.units);
    const stock = sum((s) => onHandBy.get(s.store_id) ?? 0);
    const agg = {
      territory,
      region: members[0]!.region,
      stores: members.length,
      lat: Number((sum((s) => s.lat) / members.length).toFixed(4)),
      lon: Number((sum((s) => s.lon) / members.length).toFixed(4)),
      sales: round2(sum((s) => s.sales)),
      sales_prev: round2(sum((s) => s.sales_prev)),
      sales_ly: round2(sum((s) => s.sales_ly)),
      sales_compare: round2(sum((s) => s.sales_compare)),
      // Store-days weighted: the territory's sales per open store-day in each period.
      vs_compare: vsCompare(
        members
          .map((s) => openDaySales.get(s.store_id)!)
          .reduce((a, b) => ({
            sales: a.sales + b.sales,
            openDays: a.openDays + b.openDays,
            compareSales: a.compareSales + b.compareSales,
            compareOpenDays: a.compareOpenDays + b.compareOpenDays,
          })),
      ),
      vs_prev: change(
        sum((s) => s.sales),
        sum((s) => s.sales_prev),
        members.some((s) => s.vs_prev !== null),
      ),
      vs_ly: change(
        sum((s) => s.sales),
        sum((s) => s.sales_ly),
        members.some((s) => s.vs_ly !== null),
      ),
      sell_through: withStock.length > 0 && units + stock > 0 ? Number((units / (units + stock)).toFixed(4)) : null,
      open_alerts_total: sum((s) => s.open_alerts_total),
      // Facing-weighted over the stores' photos, like a store's share over its photos.
      ...shelf,
      share_of_shelf: ownShare(shelf),
      dormant_stores: members.filter((s) => s.dormant).length,
      daily_sales: (dailySales.get(territory) ?? Array<number>(len).fill(0)).map(round2),
    };
    return { ...agg, value: metricValue(request.metric, agg) };
  });

  return {
    metric: request.metric,
    unit: METRIC_UNITS[request.metric],
    from,
    to,
    previous: { from: addDays(from, -len), to: addDays(from, -1) },
    last_year: { from: addDays(from, -364), to: addDays(to, -364) },
    period: period.kind,
    compare: { kind: compare.kind, from: compare.from, to: compare.to },
    filter: { category, brand },
    options: { categories, brands },
    stores: storeKpis,
    territories: territories.sort((a, b) => a.territory.localeCompare(b.territory)),
  };
}
