import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectivePrices, priceKey } from '../../analytics/effective-prices.ts';
import type { DeliveredRecord } from '../../pipelines/log/event-log.ts';
import { sinkEvents } from '../../pipelines/workers/warehouse-sink.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The warehouse model (migration 018): order history per store, the own effective price, store-local days.

let server: TestServer;
const store = (store_id: string, timezone?: string) => ({
  store_id,
  name: `门店${store_id}`,
  territory: '浦东',
  region: '华东',
  city: '上海',
  lat: 31.2,
  lon: 121.4,
  ...(timezone === undefined ? {} : { timezone }),
});

async function post(url: string, payload: unknown) {
  const res = await server.app.inject({ method: 'POST', url, headers: server.admin(), payload: payload as object });
  expect(res.statusCode, res.body).toBe(202);
  return res.json() as { accepted: number; duplicates: number; rejected: { line: number; error: string }[] };
}

const query = <T>(sql: string, params?: Record<string, unknown>) => server.platform.warehouse.query<T>(sql, params);

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink', SHELFPULSE_TIMEZONE: 'Asia/Shanghai' });
  await server.addStores([store('SH'), store('TK', 'Asia/Tokyo'), store('UR', 'Asia/Urumqi'), store('D1'), store('D2', 'Asia/Tokyo'), store('SZ')]);
  await post('/v1/products', [
    { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
    { sku: 'P2', name: '牧原牛奶', brand: '牧原', category: '乳品', regular_price: 6, is_competitor: false },
  ]);
});

afterAll(async () => {
  await server.stop();
});

describe('store-local days', () => {
  it('a store in another zone gets its sales on its own calendar days', async () => {
    // 15:30 UTC on 21 Nov: 00:30 on the 22nd in Tokyo, 23:30 on the 21st in Shanghai, 21:30 in Urumqi.
    // 17:30 UTC: 01:30 on the 22nd in Shanghai, still 23:30 on the 21st in Urumqi (UTC+6).
    const scans = ['SH', 'TK', 'UR'].flatMap((s) => [
      { event_id: `${s}-a`, store_id: s, sku: 'P1', ts: '2026-11-21T15:30:00Z', qty: 1, unit_price: 10 },
      { event_id: `${s}-b`, store_id: s, sku: 'P1', ts: '2026-11-21T17:30:00+00:00', qty: 2, unit_price: 10 },
    ]);
    expect(await post('/v1/events/scans', scans)).toMatchObject({ accepted: 6, duplicates: 0 });
    await server.settle();
    const days = await query<{ store_id: string; day: string; units: number }>(
      "SELECT store_id, toString(day) AS day, sum(units) AS units FROM daily_sales WHERE store_id IN ('SH', 'TK', 'UR') GROUP BY store_id, day ORDER BY store_id, day",
    );
    expect(days).toEqual([
      { store_id: 'SH', day: '2026-11-21', units: 1 },
      { store_id: 'SH', day: '2026-11-22', units: 2 },
      { store_id: 'TK', day: '2026-11-22', units: 3 },
      { store_id: 'UR', day: '2026-11-21', units: 3 },
    ]);
    const totals = await query<{ store_id: string; day: string; lines: number }>(
      "SELECT store_id, toString(day) AS day, sum(lines) AS lines FROM store_daily WHERE store_id IN ('TK', 'UR') GROUP BY store_id, day ORDER BY store_id",
    );
    expect(totals).toEqual([
      { store_id: 'TK', day: '2026-11-22', lines: 2 },
      { store_id: 'UR', day: '2026-11-21', lines: 2 },
    ]);
  });

  it('a zone set on a store applies to what is stored from then on; days already stored stay', async () => {
    // The sink has read the zones already (the scans above): the upserts must reach its next rows.
    await server.addStores([store('UR', ''), store('SZ', 'Asia/Tokyo')]); // UR back to the platform zone, SZ off it
    await post('/v1/events/scans', [
      { event_id: 'UR-c', store_id: 'UR', sku: 'P2', ts: '2026-11-21T17:30:00Z', qty: 5, unit_price: 6 },
      // 15:30 UTC: 23:30 on the 21st in Shanghai, 00:30 on the 22nd in Tokyo.
      { event_id: 'SZ-a', store_id: 'SZ', sku: 'P2', ts: '2026-11-21T15:30:00Z', qty: 1, unit_price: 6 },
    ]);
    await server.settle();
    const days = await query<{ store_id: string; sku: string; day: string }>(
      "SELECT store_id, sku, toString(day) AS day FROM daily_sales WHERE store_id IN ('UR', 'SZ') ORDER BY store_id DESC, sku",
    );
    expect(days).toEqual([
      { store_id: 'UR', sku: 'P1', day: '2026-11-21' },
      { store_id: 'UR', sku: 'P2', day: '2026-11-22' },
      { store_id: 'SZ', sku: 'P2', day: '2026-11-22' },
    ]);
  });

  it('a store time zone the platform does not know is rejected with the field named', async () => {
    const res = await post('/v1/stores', [store('X1', 'Asia/Atlantis'), store('X2', 'Asia/Tokyo')]);
    expect(res.accepted).toBe(1);
    expect(res.rejected).toEqual([{ line: 1, error: expect.stringContaining('timezone') }]);
  });
});

describe('order history per store', () => {
  const orders = [
    // D1: one order of two lines (P1 below its regular price, P2 at it), and a second order.
    { event_id: 'o1', order_id: 'A', store_id: 'D1', sku: 'P1', ts: '2026-07-01T10:00:00+08:00', qty: 10, unit_price: 8 },
    { event_id: 'o2', order_id: 'A', store_id: 'D1', sku: 'P2', ts: '2026-07-01T10:00:00+08:00', qty: 5, unit_price: 6 },
    { event_id: 'o3', order_id: 'B', store_id: 'D1', sku: 'P1', ts: '2026-07-20T10:00:00+08:00', qty: 4, unit_price: 9 },
    // D2 (Tokyo): 23:30 UTC on 31 Jul is 08:30 on 1 Aug in Tokyo.
    { event_id: 'o4', order_id: 'C', store_id: 'D2', sku: 'P1', ts: '2026-07-31T23:30:00Z', qty: 3, unit_price: 7 },
  ];

  const history = () =>
    query<{ store_id: string; last: string; orders: number; value: number; margin: number; lines: number }>(`
      SELECT o.store_id AS store_id, toString(max(o.day)) AS last, uniqExactMerge(o.orders) AS orders, sum(o.value) AS value,
        sum(p.regular_price * o.units - o.value) AS margin, sum(o.lines) AS lines
      FROM order_days AS o LEFT JOIN (SELECT sku, regular_price FROM products FINAL) AS p ON p.sku = o.sku
      WHERE o.store_id IN ('D1', 'D2') GROUP BY o.store_id ORDER BY o.store_id`);

  it('counts each order line once however often it is sent or re-delivered', async () => {
    expect(await post('/v1/events/orders', orders)).toMatchObject({ accepted: 4, duplicates: 0 });
    expect(await post('/v1/events/orders', orders)).toMatchObject({ accepted: 0, duplicates: 4 });
    await server.settle();
    // A batch the log delivers again (a consumer that crashed before committing): the sink finds the ids stored.
    let offset = 0;
    const again: DeliveredRecord[] = orders.map((value) => ({ topic: 'orders', partition: 0, offset: String(offset++), key: value.store_id, value }));
    expect(await sinkEvents(server.platform.warehouse, 'orders', again)).toMatchObject({ inserted: 0, duplicates: 4 });

    expect(await history()).toEqual([
      // margin: (10 − 8) × 10 + (6 − 6) × 5 + (10 − 9) × 4 = 24
      { store_id: 'D1', last: '2026-07-20', orders: 2, value: 80 + 30 + 36, margin: 24, lines: 3 },
      { store_id: 'D2', last: '2026-08-01', orders: 1, value: 21, margin: 9, lines: 1 },
    ]);
  });

  it("a zone's close covers the stores of that zone only", async () => {
    const { summary } = await server.platform.alertService.closeDay('2026-11-20', undefined, 'Asia/Tokyo');
    expect(summary.by_type.dormant_customer).toMatchObject({ opened: 1, open: 1 });
    const list = await server.app.inject({ method: 'GET', url: '/v1/alerts?type=dormant_customer', headers: server.admin() });
    expect((list.json().alerts as { store_id: string }[]).map((a) => a.store_id)).toEqual(['D2']);
  });

  it('feeds the dormant rule and the map with the same figures as the order lines', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/v1/alerts/evaluate', headers: server.admin(), payload: { as_of: '2026-11-20' } });
    expect(res.statusCode, res.body).toBe(200);
    const list = await server.app.inject({ method: 'GET', url: '/v1/alerts?type=dormant_customer', headers: server.admin() });
    const dormant = (list.json().alerts as { store_id: string; evidence: Record<string, unknown> }[]).sort((a, b) => a.store_id.localeCompare(b.store_id));
    expect(dormant.map((a) => [a.store_id, a.evidence])).toEqual([
      [
        'D1',
        expect.objectContaining({ last_order_day: '2026-07-20', days_since_last_order: 123, orders: 2, order_value: 146, historical_margin: 24, rank: 1 }),
      ],
      ['D2', expect.objectContaining({ last_order_day: '2026-08-01', days_since_last_order: 111, orders: 1, order_value: 21, historical_margin: 9, rank: 2 })],
    ]);
    const map = await server.app.inject({ method: 'GET', url: '/v1/map?metric=sales&from=2026-11-01&to=2026-11-20', headers: server.admin() });
    const stores = map.json().stores as { store_id: string; dormant: boolean; days_since_last_order: number | null; historical_margin: number }[];
    expect(stores.filter((s) => s.store_id.startsWith('D')).map((s) => [s.store_id, s.days_since_last_order, s.historical_margin, s.dormant])).toEqual([
      ['D1', 123, 24, true],
      ['D2', 111, 9, true],
    ]);
  });
});

describe('the own effective price', () => {
  it('store promotion before region promotion before regular price, on the day asked', async () => {
    await post('/v1/promotions', [
      { promo_id: 'R1', sku: 'P1', region: '华东', start_date: '2026-11-01', end_date: '2026-11-30', promo_price: 9.5 },
      { promo_id: 'R2', sku: 'P1', region: '华东', start_date: '2026-11-10', end_date: '2026-11-12', promo_price: 9.4 },
      // A store promotion wins even when a region promotion is cheaper.
      { promo_id: 'S1', sku: 'P1', store_id: 'SH', start_date: '2026-11-10', end_date: '2026-11-20', promo_price: 9.6 },
      { promo_id: 'R3', sku: 'P1', region: '华南', start_date: '2026-11-01', end_date: '2026-11-30', promo_price: 5 },
    ]);
    await server.addStores([
      { ...store('SOUTH'), region: '华南' },
      { ...store('NORTH'), region: '华北' },
    ]);
    const asked = [
      { store_id: 'SH', sku: 'P1', day: '2026-11-11' },
      { store_id: 'TK', sku: 'P1', day: '2026-11-11' }, // same region, no store promotion: the lowest region one
      { store_id: 'TK', sku: 'P1', day: '2026-11-15' },
      { store_id: 'SH', sku: 'P1', day: '2026-11-25' }, // the store promotion has ended
      { store_id: 'SOUTH', sku: 'P1', day: '2026-11-15' },
      { store_id: 'NORTH', sku: 'P1', day: '2026-11-15' },
      { store_id: 'SH', sku: 'P1', day: '2026-12-01' },
      { store_id: 'SH', sku: 'P2', day: '2026-11-15' },
    ];
    const prices = await effectivePrices(server.platform.warehouse, asked);
    expect(asked.map((a) => prices.get(priceKey(a)))).toEqual([
      { ...asked[0], price: 9.6, source: 'store_promotion' },
      { ...asked[1], price: 9.4, source: 'region_promotion' },
      { ...asked[2], price: 9.5, source: 'region_promotion' },
      { ...asked[3], price: 9.5, source: 'region_promotion' },
      { ...asked[4], price: 5, source: 'region_promotion' },
      { ...asked[5], price: 10, source: 'regular' },
      { ...asked[6], price: 10, source: 'regular' },
      { ...asked[7], price: 6, source: 'regular' },
    ]);
  });

  it('the store page shows competitor prices on the days of the store zone, against the effective price of that day', async () => {
    await post('/v1/products', [{ sku: 'C1', name: '恒泰矿泉水', brand: '恒泰', category: '饮料', regular_price: 9, is_competitor: true, matches_sku: 'P1' }]);
    // 15:30 UTC on 11 Nov is 00:30 on 12 Nov in Tokyo: the cheaper region promotion (9.4) still runs that day.
    await post('/v1/events/competitor-prices', [{ event_id: 'cp1', store_id: 'TK', sku: 'C1', ts: '2026-11-11T15:30:00Z', price: 8.93, source: 'manual' }]);
    await server.settle();
    const res = await server.app.inject({ method: 'GET', url: '/v1/stores/TK/overview?from=2026-11-01&to=2026-11-30', headers: server.admin() });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().store.timezone).toBe('Asia/Tokyo');
    expect(res.json().competitor_prices).toEqual([{ date: '2026-11-12', sku: 'P1', competitor_sku: 'C1', own_price: 9.4, competitor_price: 8.93, gap: 0.05 }]);
  });
});
