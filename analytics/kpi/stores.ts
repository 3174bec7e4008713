import { listAlerts } from '../alerts/alert-rows.ts';
import type { Alert } from '../../contracts/alerts.ts';
import type { SkuTrend, Store, StoreListItem, StoreOverview } from '../../contracts/dashboard.ts';
import { effectivePrices, priceKey } from '../effective-prices.ts';
import { priceGap } from '../rules/price-gap.ts';
import type { Warehouse } from '../warehouse.ts';
import { kpiPeriod, latestSalesDay, mapView } from './map.ts';
import { addDays, dayRange } from '../../lib/days.ts';
import { ownShare, type ShelfFacings } from '../shelf-share.ts';

const STORE_LIST = `
  SELECT store_id, name, city, territory, lat, lon FROM stores FINAL
  WHERE (empty({stores:Array(String)}) OR store_id IN {stores:Array(String)})
    AND (empty({territories:Array(String)}) OR territory IN {territories:Array(String)})
  ORDER BY store_id`;

const SALES_BY_CATEGORY = `
  SELECT toString(d.day) AS date, p.category AS category, sum(d.revenue) AS sales, sum(d.units) AS units
  FROM daily_sales AS d LEFT JOIN (SELECT sku, category FROM products FINAL) AS p ON p.sku = d.sku
  WHERE d.day BETWEEN toDate({from:String}) AND toDate({to:String}) AND d.store_id = {store_id:String}
  GROUP BY date, category
  ORDER BY date, category`;

const PHOTOS = `
  SELECT photo_id, formatDateTime(taken_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS taken_at, status, own_facings, recognised_facings, unknown_facings
  FROM photos FINAL
  WHERE store_id = {store_id:String}
  ORDER BY taken_at DESC
  LIMIT {limit:UInt32}`;

/** Each brand's facings over the day's recognised facings (the share of shelf's base), by the store's local day. */
const SHARE_OF_SHELF_TREND = `
  SELECT toString(p.local_day) AS date, o.brand AS brand, sum(o.facings) / any(d.recognised_facings) AS share
  FROM shelf_observations AS o FINAL
  INNER JOIN (
    SELECT photo_id, local_day FROM photos FINAL
    WHERE store_id = {store_id:String} AND status = 'analyzed' AND local_day BETWEEN toDate({from:String}) AND toDate({to:String})
  ) AS p ON p.photo_id = o.photo_id
  INNER JOIN (
    SELECT day, recognised_facings FROM shelf_share_days
    WHERE store_id = {store_id:String} AND day BETWEEN toDate({from:String}) AND toDate({to:String})
  ) AS d ON d.day = p.local_day
  WHERE o.store_id = {store_id:String} AND o.facings > 0
  GROUP BY date, brand
  ORDER BY date, brand`;

/** Competitor prices seen at the store in the period, with the own SKU each competitor product matches. */
const COMPETITOR_PRICES = `
  SELECT toString(toDate(cp.ts, {timezone:String})) AS date, p.matches_sku AS sku, cp.sku AS competitor_sku, cp.price AS competitor_price
  FROM competitor_prices AS cp
  INNER JOIN (SELECT sku, matches_sku FROM products FINAL WHERE is_competitor AND matches_sku != '') AS p ON p.sku = cp.sku
  WHERE cp.store_id = {store_id:String}
    AND toDate(cp.ts, {timezone:String}) BETWEEN toDate({from:String}) AND toDate({to:String})
  ORDER BY cp.ts, cp.sku`;

const SKU_DAILY = `
  SELECT toString(day) AS date, sum(units) AS units, sum(revenue) AS revenue FROM daily_sales
  WHERE day BETWEEN toDate({from:String}) AND toDate({to:String}) AND store_id = {store_id:String} AND sku = {sku:String}
  GROUP BY day`;

/** Stock counts up to the end of the window: the last count of each day, to carry forward. */
const SKU_COUNTS = `
  SELECT toString(toDate(ts, {timezone:String})) AS date, argMax(on_hand, ts) AS on_hand FROM inventory
  WHERE store_id = {store_id:String} AND sku = {sku:String} AND toDate(ts, {timezone:String}) <= toDate({to:String})
  GROUP BY date
  ORDER BY date`;

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance (haversine) in kilometres. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Stores in scope; with `near`, nearest first with their distance (the capture page picks the store a merchandiser stands in). */
export async function storeList(
  warehouse: Warehouse,
  request: { near?: { lat: number; lon: number } | undefined; storeIds: readonly string[]; territories: readonly string[]; limit?: number | undefined },
): Promise<StoreListItem[]> {
  const rows = await warehouse.query<Omit<StoreListItem, 'distance_km'>>(STORE_LIST, { stores: request.storeIds, territories: request.territories });
  const near = request.near;
  const stores = rows.map((s) => ({ ...s, distance_km: near ? Math.round(distanceKm(near, s) * 100) / 100 : null }));
  if (near) stores.sort((a, b) => a.distance_km! - b.distance_km!);
  return request.limit ? stores.slice(0, request.limit) : stores;
}

/** The store page as analytics reads it: the alerts as stored, the route presents them in the reader's language. */
export type StoreOverviewRows = Omit<StoreOverview, 'open_alerts'> & { open_alerts: Alert[] };

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** Everything the store page shows, for one period (default: the 28 days up to the latest sales day). */
export async function storeOverview(
  warehouse: Warehouse,
  store: Store,
  request: { from?: string | undefined; to?: string | undefined; timezone: string; dormantAfterDays: number },
): Promise<StoreOverviewRows> {
  const { from, to } = await kpiPeriod(warehouse, request.from, request.to);
  const scoped = { store_id: store.store_id, from, to, timezone: request.timezone };
  const [map, byCategory, alerts, photos, trend, prices] = await Promise.all([
    mapView(warehouse, { metric: 'sales', from, to, dormantAfterDays: request.dormantAfterDays, storeIds: [store.store_id] }),
    warehouse.query<{ date: string; category: string; sales: number; units: number }>(SALES_BY_CATEGORY, scoped),
    listAlerts(warehouse, { store_id: store.store_id, stores: [], territories: [], limit: 1000, offset: 0 }),
    warehouse.query<{ photo_id: string; taken_at: string; status: string } & ShelfFacings>(PHOTOS, { store_id: store.store_id, limit: 12 }),
    warehouse.query<{ date: string; brand: string; share: number }>(SHARE_OF_SHELF_TREND, scoped),
    warehouse.query<{ date: string; sku: string; competitor_sku: string; competitor_price: number }>(COMPETITOR_PRICES, scoped),
  ]);
  const ownPrices = await effectivePrices(
    warehouse,
    prices.map((p) => ({ store_id: store.store_id, sku: p.sku, day: p.date })),
  );
  const k = map.stores[0];
  return {
    store,
    from,
    to,
    kpis: {
      sales: k?.sales ?? 0,
      sales_prev: k?.sales_prev ?? 0,
      sales_ly: k?.sales_ly ?? 0,
      vs_prev: k?.vs_prev ?? null,
      vs_ly: k?.vs_ly ?? null,
      units: k?.units ?? 0,
      sell_through: k?.sell_through ?? null,
      open_alerts_total: k?.open_alerts_total ?? 0,
      share_of_shelf: k?.share_of_shelf ?? null,
      own_facings: k?.own_facings ?? 0,
      recognised_facings: k?.recognised_facings ?? 0,
      unknown_facings: k?.unknown_facings ?? 0,
    },
    sales_by_category: byCategory.map((r) => ({ ...r, sales: round(r.sales, 2) })),
    open_alerts: alerts.alerts.filter((a) => a.status !== 'resolved'),
    photos: photos.map((p) => ({ ...p, image_url: `/v1/photos/${p.photo_id}/image`, share_of_shelf: ownShare(p) })),
    share_of_shelf_trend: trend.map((t) => ({ ...t, share: round(t.share, 4) })),
    competitor_prices: prices.map((p) => {
      const own = ownPrices.get(priceKey({ store_id: store.store_id, sku: p.sku, day: p.date }))?.price ?? 0;
      return {
        date: p.date,
        sku: p.sku,
        competitor_sku: p.competitor_sku,
        own_price: own,
        competitor_price: p.competitor_price,
        gap: round(priceGap(own, p.competitor_price), 4),
      };
    }),
  };
}

/**
 * One SKU at one store, day by day: units, revenue and the stock on hand (the latest count up to that day, carried
 * forward; null before the first count), and the same weekdays a year earlier (364 days back).
 */
export async function skuTrend(
  warehouse: Warehouse,
  request: { storeId: string; sku: string; days: number; to?: string | undefined; timezone: string },
): Promise<SkuTrend> {
  const to = request.to ?? (await latestSalesDay(warehouse));
  const from = addDays(to, -(request.days - 1));
  const base = { store_id: request.storeId, sku: request.sku, timezone: request.timezone };
  const [sales, salesLy, counts] = await Promise.all([
    warehouse.query<{ date: string; units: number; revenue: number }>(SKU_DAILY, { ...base, from, to }),
    warehouse.query<{ date: string; units: number; revenue: number }>(SKU_DAILY, { ...base, from: addDays(from, -364), to: addDays(to, -364) }),
    warehouse.query<{ date: string; on_hand: number }>(SKU_COUNTS, { ...base, to }),
  ]);
  const salesBy = new Map(sales.map((s) => [s.date, s]));
  const lyBy = new Map(salesLy.map((s) => [s.date, s.units]));
  let onHand: number | null = null;
  let c = 0;
  const series = dayRange(from, to).map((date) => {
    while (c < counts.length && counts[c]!.date <= date) onHand = counts[c++]!.on_hand;
    const day = salesBy.get(date);
    return { date, units: day?.units ?? 0, revenue: round(day?.revenue ?? 0, 2), on_hand: onHand };
  });
  const lastYear = salesLy.length === 0 ? [] : dayRange(addDays(from, -364), addDays(to, -364)).map((date) => ({ date, units: lyBy.get(date) ?? 0 }));
  return { store_id: request.storeId, sku: request.sku, from, to, series, last_year: lastYear };
}
