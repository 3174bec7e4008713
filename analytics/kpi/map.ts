import type { MapView, StoreKpis, TerritoryKpis } from '../../contracts/dashboard.ts';
import type { MapMetric } from '../../contracts/enums.ts';
import type { Warehouse } from '../warehouse.ts';
import { addDays, daysBetween } from '../../lib/days.ts';
import { addFacings, NO_FACINGS, ownShare } from '../shelf-share.ts';

const LATEST_SALES_DAY = `SELECT toString(max(day)) AS day FROM store_daily`;

/** Limits a query to some stores; an empty list means every store. */
export const IN_SCOPE = `(empty({stores:Array(String)}) OR store_id IN {stores:Array(String)})`;

/**
 * Every per-store KPI in one statement (one round trip; the engine runs the sub-aggregates in parallel):
 * - sales in the period, the previous period of equal length and the same weekdays a year earlier (364 days),
 *   from the store-level daily totals;
 * - the latest stock count per store × SKU, summed (for sell-through);
 * - orders up to the period end (the order history model): days since the last one and the historical margin
 *   (regular − paid price) × qty;
 * - open alerts by type;
 * - share of shelf: the own, recognised and unrecognised facings of the photos analysed in the period's days (each
 *   store's local days), summed (analytics/shelf-share.ts has the definition).
 * The period is resolved before (a scalar subquery in the WITH clause would run again in every subquery).
 */
const STORE_KPIS = `
  WITH toDate({from:String}) AS f, toDate({to:String}) AS t, dateDiff('day', f, t) + 1 AS len
  SELECT s.store_id AS store_id, s.name AS name, s.city AS city, s.territory AS territory, s.region AS region, s.format AS format, s.lat AS lat, s.lon AS lon,
    sales.sales AS sales, sales.units AS units, sales.sales_prev AS sales_prev, sales.sales_ly AS sales_ly, sales.has_ly AS has_ly, sales.has_prev AS has_prev,
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
      countIf(day BETWEEN f - 364 AND t - 364) > 0 AS has_ly,
      countIf(day BETWEEN f - len AND f - 1) > 0 AS has_prev
    FROM store_daily
    WHERE (day BETWEEN f - len AND t OR day BETWEEN f - 364 AND t - 364) AND ${IN_SCOPE}
    GROUP BY store_id
  ) AS sales ON sales.store_id = s.store_id
  LEFT JOIN (SELECT store_id, sum(on_hand) AS on_hand FROM latest_on_hand FINAL WHERE ${IN_SCOPE} GROUP BY store_id) AS stock ON stock.store_id = s.store_id
  LEFT JOIN (
    SELECT o.store_id AS store_id, dateDiff('day', max(o.day), t) AS days_since_last_order,
      sum(p.regular_price * o.units - o.value) AS historical_margin
    FROM order_days AS o LEFT JOIN (SELECT sku, regular_price FROM products FINAL) AS p ON p.sku = o.sku
    WHERE (empty({stores:Array(String)}) OR o.store_id IN {stores:Array(String)}) AND o.day <= t
    GROUP BY o.store_id
  ) AS ord ON ord.store_id = s.store_id
  LEFT JOIN (
    SELECT store_id, CAST(groupArray((type, n)), 'Map(String, UInt64)') AS by_type
    FROM (SELECT store_id, type, count() AS n FROM alerts FINAL WHERE status != 'resolved' AND ${IN_SCOPE} GROUP BY store_id, type)
    GROUP BY store_id
  ) AS open ON open.store_id = s.store_id
  LEFT JOIN (
    SELECT store_id, sum(own_facings) AS own_facings, sum(recognised_facings) AS recognised_facings, sum(unknown_facings) AS unknown_facings
    FROM shelf_share_days WHERE day BETWEEN f AND t AND ${IN_SCOPE}
    GROUP BY store_id
  ) AS shelf ON shelf.store_id = s.store_id
  ORDER BY s.store_id
  SETTINGS join_use_nulls = 1`;

/** Each territory's sales by day of the period (the spark line of the director's territory list). */
const TERRITORY_DAILY_SALES = `
  SELECT s.territory AS territory, toString(d.day) AS day, sum(d.revenue) AS sales
  FROM store_daily AS d
  INNER JOIN (SELECT store_id, territory FROM stores FINAL WHERE ${IN_SCOPE}) AS s ON s.store_id = d.store_id
  WHERE d.day BETWEEN toDate({from:String}) AND toDate({to:String}) AND (empty({stores:Array(String)}) OR d.store_id IN {stores:Array(String)})
  GROUP BY territory, day`;

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
  }
}

export const METRIC_UNITS: Record<MapMetric, MapView['unit']> = {
  sales_vs_ly: 'ratio',
  sales_vs_prev: 'ratio',
  sell_through: 'ratio',
  open_alerts: 'count',
  share_of_shelf: 'ratio',
  sales: 'CNY',
};

/** The latest day with sales anywhere (the default end of every KPI period); today when there are no sales yet. */
export async function latestSalesDay(warehouse: Warehouse): Promise<string> {
  const [row] = await warehouse.query<{ day: string }>(LATEST_SALES_DAY);
  return row && row.day !== '1970-01-01' ? row.day : new Date().toISOString().slice(0, 10);
}

/** The KPI period: from/to as asked, else the 28 days up to the latest sales day. */
export async function kpiPeriod(warehouse: Warehouse, from: string | undefined, to: string | undefined): Promise<{ from: string; to: string }> {
  const end = to ?? (from ? addDays(from, 27) : await latestSalesDay(warehouse));
  return { from: from ?? addDays(end, -27), to: end };
}

export interface MapRequest {
  metric: MapMetric;
  from?: string | undefined;
  to?: string | undefined;
  dormantAfterDays: number;
  /** Only these stores (a scoped reader, or one store's page); empty or absent = every store. */
  storeIds?: readonly string[];
}

/** Per-store KPIs and their territory aggregates for the heat map. Default period: the 28 days up to the latest sales day. */
export async function mapView(warehouse: Warehouse, request: MapRequest): Promise<MapView> {
  const { from, to } = await kpiPeriod(warehouse, request.from, request.to);
  const params = { from, to, stores: request.storeIds ?? [] };
  const [rows, daily] = await Promise.all([
    warehouse.query<StoreKpiRow>(STORE_KPIS, params),
    warehouse.query<{ territory: string; day: string; sales: number }>(TERRITORY_DAILY_SALES, params),
  ]);
  const len = daysBetween(from, to) + 1;
  const dailySales = new Map<string, number[]>();
  for (const row of daily) {
    const days = dailySales.get(row.territory) ?? Array<number>(len).fill(0);
    days[daysBetween(from, row.day)] = round2(Number(row.sales));
    dailySales.set(row.territory, days);
  }
  const onHandBy = new Map<string, number>();

  const storeKpis: StoreKpis[] = rows.map((r) => {
    const units = r.units ?? 0;
    const sales = r.sales ?? 0;
    if (r.on_hand !== null) onHandBy.set(r.store_id, Math.max(0, r.on_hand));
    const stock = onHandBy.get(r.store_id);
    const shelf = { own_facings: r.own_facings ?? 0, recognised_facings: r.recognised_facings ?? 0, unknown_facings: r.unknown_facings ?? 0 };
    const open = Object.fromEntries(Object.entries(r.open_alerts ?? {}).map(([type, n]) => [type, Number(n)]));
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
      daily_sales: dailySales.get(territory) ?? Array<number>(len).fill(0),
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
    stores: storeKpis,
    territories: territories.sort((a, b) => a.territory.localeCompare(b.territory)),
  };
}
