import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhotoIntake } from '../../pipelines/photo-intake.ts';
import { PhotoStore } from '../../pipelines/photo-store.ts';
import { AS_OF as D, day } from '../support/days.ts';
import { adminRequests } from '../support/requests.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { analysedShelf } from '../support/shelf-analysis.ts';

let server: TestServer;
let managerToken: string;
const { post } = adminRequests(() => server);

/** One POS line a day at noon Shanghai time. */
function dailyScans(store: string, sku: string, from: number, to: number, qty: number, unitPrice: number, tag = '') {
  const rows = [];
  for (let o = from; o <= to; o++) {
    rows.push({ event_id: `${store}-${sku}-${tag}${o}`, store_id: store, sku, ts: `${day(o)}T12:00:00+08:00`, qty, unit_price: unitPrice });
  }
  return rows;
}

async function get(url: string, token?: string) {
  const headers = token ? { authorization: `Bearer ${token}` } : server.admin();
  return server.app.inject({ method: 'GET', url, headers });
}

/** A shelf photo of S1 recorded through the photo intake: own 清泉 (P1) and competitor 恒泰 (C1) facings. */
async function recordPhoto(photoId: string, takenAt: string, own: number, competitor: number) {
  const { warehouse } = server.platform;
  const intake = new PhotoIntake({ warehouse, photoFiles: new PhotoStore(path.join(server.dataDir, 'photos')), timezone: 'Asia/Shanghai' });
  const photo = { photo_id: photoId, store_id: 'S1', visit_id: '', bay: '', taken_at: takenAt, lat: null, lon: null };
  await intake.record(
    photo,
    analysedShelf([
      { sku: 'P1', brand: '清泉', facings: own },
      { sku: 'C1', brand: '恒泰', facings: competitor },
    ]),
  );
}

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  await post('/v1/stores', [
    {
      store_id: 'S1',
      name: '上海人民广场店',
      territory: '上海',
      region: '华东',
      city: '上海',
      lat: 31.2304,
      lon: 121.4737,
      manager: 'mgr-s1',
      format: 'hypermarket',
    },
    { store_id: 'S2', name: '杭州武林店', territory: '浙北', region: '华东', city: '杭州', lat: 30.2741, lon: 120.1551 },
    { store_id: 'S3', name: '南京新街口店', territory: '苏南', region: '华东', city: '南京', lat: 32.0415, lon: 118.7781 },
  ]);
  await post('/v1/products', [
    { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
    { sku: 'P2', name: '牧原牛奶', brand: '牧原', category: '乳品', regular_price: 5, is_competitor: false },
    { sku: 'C1', name: '恒泰矿泉水', brand: '恒泰', category: '饮料', regular_price: 9, is_competitor: true, matches_sku: 'P1' },
  ]);
  await post('/v1/promotions', [{ promo_id: 'PR1', sku: 'P1', store_id: 'S1', start_date: day(-1), end_date: day(3), promo_price: 9.5 }]);
  await post('/v1/events/scans', [
    ...dailyScans('S1', 'P1', -59, 0, 2, 10), // this period and the previous one
    ...dailyScans('S1', 'P2', -27, 0, 3, 5), // only this period
    ...dailyScans('S1', 'P1', -27 - 364, -364, 1, 10, 'ly'), // the same weekdays a year earlier
  ]);
  await post('/v1/events/inventory', [
    { event_id: 'i1', store_id: 'S1', sku: 'P1', ts: `${day(-10)}T20:00:00+08:00`, on_hand: 10 },
    { event_id: 'i2', store_id: 'S1', sku: 'P1', ts: `${day(-2)}T20:00:00+08:00`, on_hand: 60 },
  ]);
  await post('/v1/events/competitor-prices', [
    { event_id: 'cp1', store_id: 'S1', sku: 'C1', ts: `${day(-3)}T09:00:00+08:00`, price: 9, source: 'manual' }, // vs regular 10
    { event_id: 'cp2', store_id: 'S1', sku: 'C1', ts: `${day(0)}T09:00:00+08:00`, price: 9, source: 'photo' }, // vs the 9.50 store promotion
  ]);
  await server.settle();
  // Shelf photos as the vision pipeline stores them: own brand 清泉 has 60% then 40% of the facings.
  await recordPhoto('ph1', `${day(-1)}T02:00:00.000Z`, 6, 4);
  await recordPhoto('ph2', `${day(-3)}T02:00:00.000Z`, 4, 6);
  const issued = await server.app.inject({
    method: 'POST',
    url: '/v1/tokens',
    headers: server.admin(),
    payload: { name: 'S1 manager', role: 'store_manager', store_ids: ['S1'] },
  });
  managerToken = issued.json().token;
});
afterAll(async () => server?.stop());

describe('GET /v1/map', () => {
  it('defaults to the 28 days up to the latest sales day and compares with the previous period and 364 days earlier', async () => {
    const res = await get('/v1/map');
    expect(res.statusCode, res.body).toBe(200);
    const map = res.json();
    expect(map).toMatchObject({
      metric: 'sales_vs_ly',
      unit: 'ratio',
      from: day(-27),
      to: D,
      previous: { from: day(-55), to: day(-28) },
      last_year: { from: day(-27 - 364), to: day(-364) },
    });
    const s1 = map.stores.find((s: { store_id: string }) => s.store_id === 'S1');
    // P1: 28 days × 2 × ¥10 = 560; P2: 28 × 3 × ¥5 = 420. Previous: P1 only, 560. Last year: 28 × ¥10 = 280.
    expect(s1).toMatchObject({ sales: 980, units: 140, sales_prev: 560, sales_ly: 280, vs_prev: 0.75, vs_ly: 2.5, value: 2.5 });
    // Sell-through: 140 sold / (140 + 60 on hand at the latest count).
    expect(s1.sell_through).toBeCloseTo(0.7, 4);
    // Own facings over recognised facings, over the two photos in the period: (6 + 4) / 20.
    expect(s1.share_of_shelf).toBeCloseTo(0.5, 4);
    const s2 = map.stores.find((s: { store_id: string }) => s.store_id === 'S2');
    expect(s2).toMatchObject({ sales: 0, vs_prev: null, vs_ly: null, sell_through: null, share_of_shelf: null, dormant: false, value: null });
    expect(map.territories.find((t: { territory: string }) => t.territory === '上海')).toMatchObject({
      stores: 1,
      sales: 980,
      vs_ly: 2.5,
      share_of_shelf: 0.5,
    });
  });

  it('a period before the photos has no share of shelf; a store manager sees only their store', async () => {
    const early = (await get(`/v1/map?metric=share_of_shelf&from=${day(-40)}&to=${day(-30)}`)).json();
    expect(early.stores.find((s: { store_id: string }) => s.store_id === 'S1')).toMatchObject({ share_of_shelf: null, value: null });
    const scoped = (await get('/v1/map', managerToken)).json();
    expect(scoped.stores.map((s: { store_id: string }) => s.store_id)).toEqual(['S1']);
    expect(scoped.territories.map((t: { territory: string }) => t.territory)).toEqual(['上海']);
  });
});

describe('the OpenAPI document', () => {
  it('describes the dashboard routes and how the comparison periods are chosen', async () => {
    const doc = (await server.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const route of ['/v1/map', '/v1/stores', '/v1/stores/{store_id}/overview', '/v1/stores/{store_id}/skus/{sku}/trend']) {
      expect(doc.paths[route]?.get?.responses?.['200'], route).toBeDefined();
    }
    expect(doc.paths['/v1/map'].get.description).toMatch(/364 days/);
  });
});

describe('GET /v1/stores', () => {
  it('lists stores nearest first from a location', async () => {
    const res = await get('/v1/stores?near=31.2,121.4');
    expect(res.statusCode, res.body).toBe(200);
    const stores = res.json().stores;
    expect(stores.map((s: { store_id: string }) => s.store_id)).toEqual(['S1', 'S2', 'S3']);
    expect(stores[0].distance_km).toBeLessThan(10);
    // Shanghai to Hangzhou is about 165 km as the crow flies.
    expect(stores[1].distance_km).toBeGreaterThan(150);
    expect(stores[1].distance_km).toBeLessThan(180);
    const plain = (await get('/v1/stores')).json().stores;
    expect(plain.every((s: { distance_km: unknown }) => s.distance_km === null)).toBe(true);
    expect((await get('/v1/stores?near=north')).statusCode).toBe(400);
    expect((await get('/v1/stores', managerToken)).json().stores.map((s: { store_id: string }) => s.store_id)).toEqual(['S1']);
  });
});

describe('the store page', () => {
  it('GET /v1/stores/:id/overview: KPIs, sales by category, photos, share-of-shelf trend, competitor prices at the effective price', async () => {
    const res = await get('/v1/stores/S1/overview?lang=en');
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json();
    expect(page.store).toMatchObject({ store_id: 'S1', manager: 'mgr-s1', format: 'hypermarket' });
    expect(page.kpis).toMatchObject({ sales: 980, sales_prev: 560, units: 140, vs_prev: 0.75, vs_ly: 2.5, share_of_shelf: 0.5 });
    expect(page.sales_by_category.filter((r: { date: string }) => r.date === D)).toEqual([
      { date: D, category: '乳品', sales: 15, units: 3 },
      { date: D, category: '饮料', sales: 20, units: 2 },
    ]);
    expect(page.photos.map((p: { photo_id: string }) => p.photo_id)).toEqual(['ph1', 'ph2']);
    expect(page.photos[0]).toMatchObject({
      image_url: '/v1/photos/ph1/image',
      share_of_shelf: 0.6,
      own_facings: 6,
      recognised_facings: 10,
      unknown_facings: 0,
    });
    expect(page.share_of_shelf_trend).toContainEqual({ date: day(-1), brand: '清泉', share: 0.6 });
    expect(page.competitor_prices).toEqual([
      { date: day(-3), sku: 'P1', competitor_sku: 'C1', own_price: 10, competitor_price: 9, gap: 0.1 },
      { date: D, sku: 'P1', competitor_sku: 'C1', own_price: 9.5, competitor_price: 9, gap: 0.0526 },
    ]);
    expect((await get('/v1/stores/NOPE/overview')).statusCode).toBe(404);
    expect((await get('/v1/stores/S2/overview', managerToken)).statusCode).toBe(404);
  });

  it('GET /v1/stores/:id/skus/:sku/trend: daily units and revenue, stock carried forward, last year', async () => {
    const res = await get('/v1/stores/S1/skus/P1/trend?days=30');
    expect(res.statusCode, res.body).toBe(200);
    const trend = res.json();
    expect(trend).toMatchObject({ store_id: 'S1', sku: 'P1', from: day(-29), to: D });
    expect(trend.series).toHaveLength(30);
    expect(trend.series[0]).toEqual({ date: day(-29), units: 2, revenue: 20, on_hand: null });
    expect(trend.series.find((p: { date: string }) => p.date === day(-10)).on_hand).toBe(10);
    expect(trend.series.find((p: { date: string }) => p.date === day(-3)).on_hand).toBe(10);
    expect(trend.series.at(-1).on_hand).toBe(60);
    expect(trend.last_year).toHaveLength(30);
    expect(trend.last_year[0]).toEqual({ date: day(-29 - 364), units: 0 });
    expect(trend.last_year.at(-1)).toEqual({ date: day(-364), units: 1 });
    const none = (await get('/v1/stores/S1/skus/P2/trend?days=7')).json();
    expect(none.last_year).toEqual([]);
  });
});

// Last: it adds a store, sales and alerts that the tests above do not expect.
describe('GET /v1/map between writes', () => {
  it('answers from the data as it is now: a new sale, store or alert shows on the next read', async () => {
    const url = `/v1/map?metric=sales&from=${day(-27)}&to=${D}`;
    const sales = async (storeId: string) => (await get(url)).json().stores.find((s: { store_id: string }) => s.store_id === storeId);
    expect(await sales('S2')).toMatchObject({ sales: 0, open_alerts_total: 0 });
    expect(await sales('S2')).toMatchObject({ sales: 0 });
    await post('/v1/events/scans', dailyScans('S2', 'P2', -1, -1, 4, 5, 'late'));
    await server.settle();
    expect(await sales('S2')).toMatchObject({ sales: 20, units: 4 });
    await post('/v1/stores', [{ store_id: 'S4', name: '苏州观前店', territory: '苏南', region: '华东', city: '苏州', lat: 31.31, lon: 120.62 }]);
    expect(await sales('S4')).toMatchObject({ sales: 0, territory: '苏南' });
    await post('/v1/alerts/evaluate', { as_of: D });
    expect((await get(url)).json().stores.reduce((n: number, s: { open_alerts_total: number }) => n + s.open_alerts_total, 0)).toBeGreaterThan(0);
  });
});
