import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShelfAnalysis } from '../../contracts/shelf-analysis.ts';
import { PhotoIntake } from '../../pipelines/photo-intake.ts';
import { PhotoStore } from '../../pipelines/photo-store.ts';
import { AS_OF as D, day } from '../support/days.ts';
import { adminRequests } from '../support/requests.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { analysedShelf } from '../support/shelf-analysis.ts';

let server: TestServer;
const { post, alerts } = adminRequests(() => server);

/** One POS line a day (qty = the day's units) at noon Shanghai time. */
function dailyScans(store: string, sku: string, fromOffset: number, toOffset: number, units: (offset: number) => number, base = D) {
  const rows = [];
  for (let o = fromOffset; o <= toOffset; o++) {
    const qty = units(o);
    if (qty > 0) rows.push({ event_id: `${store}-${sku}-${day(o, base)}`, store_id: store, sku, ts: `${day(o, base)}T12:00:00+08:00`, qty, unit_price: 10 });
  }
  return rows;
}

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink,notifier' });
  const store = (store_id: string, territory: string) => ({
    store_id,
    name: `门店${store_id}`,
    territory,
    region: '华东',
    city: '上海',
    lat: 31.2,
    lon: 121.4,
    manager: `mgr-${store_id}`,
  });
  await post('/v1/stores', [store('S1', '浦东'), store('S2', '浦东'), store('S3', '浦西')]);
  await post('/v1/products', [
    { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
    { sku: 'P2', name: '慢销品', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
    { sku: 'P3', name: '牧原牛奶', brand: '牧原', category: '乳品', regular_price: 10, is_competitor: false },
    { sku: 'P4', name: '脆乐薯片', brand: '脆乐', category: '零食', regular_price: 10, is_competitor: false },
    { sku: 'C1', name: '恒泰矿泉水', brand: '恒泰', category: '饮料', regular_price: 9.5, is_competitor: true, matches_sku: 'P1' },
  ]);
  await post('/v1/assortment', [
    { store_id: 'S1', sku: 'P1' },
    { store_id: 'S1', sku: 'P2' },
    { store_id: 'S1', sku: 'P3' },
    { store_id: 'S1', sku: 'P4' },
    { store_id: 'S2', sku: 'P1' },
    { store_id: 'S3', sku: 'P1' },
  ]);
  // S1 runs a store promotion on P1: its own effective price is 9.00, not the regular 10.
  await post('/v1/promotions', [{ promo_id: 'PR1', sku: 'P1', store_id: 'S1', start_date: day(-5), end_date: day(5), promo_price: 9 }]);
  await post('/v1/events/scans', [
    ...dailyScans('S1', 'P1', -30, -3, () => 2), // a display problem: 2 a day, then nothing for 3 days
    ...dailyScans('S1', 'P1', -30, -3, () => 3, day(-365)), // a year earlier
    ...dailyScans('S1', 'P2', -30, -3, (o) => (o === -20 ? 1 : 0)), // a slow mover: silence is normal
    ...dailyScans('S1', 'P3', -30, -3, () => 2), // runs out of stock
    ...dailyScans('S1', 'P4', -30, 0, () => 6), // the rest of the store sells as usual
    ...dailyScans('S2', 'P1', -30, 0, () => 4), // keeps selling
    ...dailyScans('S3', 'P1', -30, -3, () => 5), // the whole store goes silent
  ]);
  await post('/v1/events/inventory', [
    { event_id: 'inv-1', store_id: 'S1', sku: 'P3', ts: `${day(-1)}T20:00:00+08:00`, on_hand: 0 },
    { event_id: 'inv-2', store_id: 'S1', sku: 'P1', ts: `${day(-1)}T20:00:00+08:00`, on_hand: 24 },
  ]);
  await post('/v1/events/orders', [
    { event_id: 'o-1', order_id: 'ORD1', store_id: 'S1', sku: 'P1', ts: `${day(-100)}T10:00:00+08:00`, qty: 100, unit_price: 8 },
    { event_id: 'o-2', order_id: 'ORD2', store_id: 'S2', sku: 'P1', ts: `${day(-10)}T10:00:00+08:00`, qty: 50, unit_price: 8 },
  ]);
  await post('/v1/events/competitor-prices', [
    { event_id: 'cp-1', store_id: 'S2', sku: 'C1', ts: `${D}T09:00:00+08:00`, price: 9.4, source: 'manual' }, // 6% under 10.00
    { event_id: 'cp-2', store_id: 'S1', sku: 'C1', ts: `${D}T09:00:00+08:00`, price: 8.8, source: 'photo' }, // 2.2% under the 9.00 promo
  ]);
});
afterAll(async () => server?.stop());

describe('the daily close', () => {
  it('finds exactly the display problem, the stock-out, the silent store, the price gap and the dormant customer', async () => {
    const summary = await post('/v1/alerts/evaluate', { as_of: D });
    expect(summary).toMatchObject({ as_of: D, opened: 5, resolved: 0 });
    const open = await alerts('status=open');
    const keys = open.map((a) => `${a.type}:${a.store_id}:${a.sku}`).sort();
    expect(keys).toEqual(['dormant_customer:S1:', 'no_data:S3:', 'out_of_stock:S1:P3', 'price_gap:S2:P1', 'zero_sale:S1:P1']);
  });

  it('explains a zero-sale alert with its evidence and the suggested action, in both languages', async () => {
    const [alert] = await alerts('type=zero_sale');
    expect(alert).toMatchObject({ store_id: 'S1', sku: 'P1', territory: '浦东', category: '饮料', as_of: D, assignee: 'mgr-S1', status: 'open' });
    // S1's promotion on P1 from day −5 sets −5..−3 aside: the baseline is −30..−6 at 2 a day and the three silent days
    // before (it sold a year ago, so it is no new listing): 50 units over 28 days → 50 / 28 × 3.
    expect(alert!.evidence).toMatchObject({
      expected_units: 5.357,
      on_hand: 24,
      window: { from: day(-2), to: D, days: 3 },
      baseline: { days: 28, promotion_days: 3, closed_days: 0 },
    });
    expect(alert!.evidence.p_zero).toBeLessThanOrEqual(0.05);
    expect(alert!.evidence.series).toHaveLength(28);
    expect(alert!.evidence.series.at(-1)).toEqual({ date: D, units: 0 });
    expect(alert!.evidence.series.at(-4)).toEqual({ date: day(-3), units: 2 });
    expect(alert!.evidence.last_year).toHaveLength(28);
    expect(alert!.evidence.last_year.at(-4)).toEqual({ date: '2025-11-17', units: 3 });
    expect(alert!.suggestion).toMatch(/陈列/);
    expect(alert!.suggestion).toMatch(/display position/);
    const english = await alerts('type=zero_sale&lang=en');
    expect(english[0]!.message).toBe(english[0]!.messages.en);
    expect(english[0]!.message).toContain('has sold nothing for 3 days');
  });

  it('prices the gap against the own effective price (store promotion first)', async () => {
    const [gap] = await alerts('type=price_gap');
    expect(gap!.evidence).toMatchObject({ own_sku: 'P1', competitor_sku: 'C1', own_price: 10, own_price_source: 'regular', competitor_price: 9.4, gap: 0.06 });
    expect(gap!.assignee).toBe('reps:浦东');
    expect(gap!.suggestion).toMatch(/重新报价/);
  });

  it('re-running the same day changes nothing', async () => {
    const again = await post('/v1/alerts/evaluate', { as_of: D });
    expect(again).toMatchObject({ opened: 0, updated: 0, resolved: 0 });
    expect(await alerts('status=open')).toHaveLength(5);
  });

  it('a zero-sale alert resolves itself when sales resume', async () => {
    await post(
      '/v1/events/scans',
      dailyScans('S1', 'P1', 1, 1, () => 1),
    );
    const next = await post('/v1/alerts/evaluate', { as_of: day(1) });
    expect(next.by_type.zero_sale).toMatchObject({ resolved: 1 });
    const [resolved] = await alerts('type=zero_sale');
    expect(resolved).toMatchObject({ status: 'resolved', resolved_at: expect.any(String) });
  });

  it('acknowledge, assign and resolve by hand', async () => {
    const [gap] = await alerts('type=price_gap&status=open');
    const ack = await post(`/v1/alerts/${encodeURIComponent(gap!.id)}/ack`, {});
    expect(ack.status).toBe('acknowledged');
    // Alerts are assigned to users (GET /v1/assignees), not to free text.
    await post('/v1/users', { username: 'li.wei', name: 'Li Wei', password: 'correct horse battery', role: 'merchandiser' });
    const assigned = await post(`/v1/alerts/${encodeURIComponent(gap!.id)}/assign`, { assignee: 'li.wei' });
    expect(assigned).toMatchObject({ assignee: 'li.wei', status: 'acknowledged' });
    const resolved = await post(`/v1/alerts/${encodeURIComponent(gap!.id)}/resolve`, {});
    expect(resolved.status).toBe('resolved');
    const missing = await server.app.inject({ method: 'POST', url: '/v1/alerts/nope/ack', headers: server.admin(), payload: {} });
    expect(missing.statusCode).toBe(404);
  });
});

describe('the territory map', () => {
  it('gives per-store KPIs vs the previous period with open alerts, and territory aggregates', async () => {
    const res = await server.app.inject({ method: 'GET', url: `/v1/map?metric=sales&from=${day(-27)}&to=${D}`, headers: server.admin() });
    expect(res.statusCode, res.body).toBe(200);
    const map = res.json();
    expect(map).toMatchObject({ metric: 'sales', unit: 'CNY', from: day(-27), to: D, previous: { from: day(-55), to: day(-28) } });
    const s2 = map.stores.find((s: { store_id: string }) => s.store_id === 'S2');
    // S2 sells 4 a day at ¥10 every day of the 31 days of history: 28 days in the period, 3 in the previous one.
    expect(s2).toMatchObject({ sales: 1120, units: 112, sales_prev: 120, value: 1120, vs_ly: null, dormant: false });
    expect(s2.vs_prev).toBeCloseTo(1120 / 120 - 1, 3);
    const s1 = map.stores.find((s: { store_id: string }) => s.store_id === 'S1');
    expect(s1.dormant).toBe(true);
    expect(s1.open_alerts).toMatchObject({ out_of_stock: 1, dormant_customer: 1 });
    expect(s1.sell_through).toBeGreaterThan(0);
    const pudong = map.territories.find((t: { territory: string }) => t.territory === '浦东');
    expect(pudong).toMatchObject({ stores: 2, dormant_stores: 1 });
    expect(pudong.sales).toBeCloseTo(s1.sales + s2.sales, 2);
    // One figure a day of the period, adding up to the period's sales: S2's ¥40 a day is in every one of them.
    expect(pudong.daily_sales).toHaveLength(28);
    expect(pudong.daily_sales.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(pudong.sales, 1);
    expect(Math.min(...pudong.daily_sales)).toBeGreaterThanOrEqual(40);
  });

  it('refuses an unknown metric with a 400', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/v1/map?metric=profit', headers: server.admin() });
    expect(res.statusCode).toBe(400);
  });
});

// Last: the vision alerts add open alerts that the tests above do not expect.
describe('vision alerts at the daily close', () => {
  /** A bay of S2 recorded through the photo intake, as the upload and the vision worker record it. */
  const recordBay = async (photoId: string, takenAt: string, own: number, competitor: number, over: Partial<ShelfAnalysis>) => {
    const { warehouse } = server.platform;
    const intake = new PhotoIntake({ warehouse, photoFiles: new PhotoStore(path.join(server.dataDir, 'photos')), timezone: 'Asia/Shanghai' });
    const photo = { photo_id: photoId, store_id: 'S2', visit_id: '', bay: 'A1', taken_at: takenAt, lat: null, lon: null };
    await intake.record(
      photo,
      analysedShelf(
        [
          { sku: 'P1', brand: '清泉', facings: own },
          { sku: 'C1', brand: '恒泰', facings: competitor },
        ],
        over,
      ),
    );
  };
  const gaps = (n: number) => Array.from({ length: n }, () => ({ row: 0, bbox: [0, 0, 50, 120] as [number, number, number, number] }));

  it('raise shelf_gap, low_share_of_shelf and planogram from the latest photos, and resolve them when a new photo shows the shelf fixed', async () => {
    await recordBay('ph-a', `${day(-1)}T02:00:00.000Z`, 2, 8, { gaps: gaps(3), planogram: { score: 0.5, missing: ['P4'], misplaced: [], extra: [] } });
    await post('/v1/alerts/evaluate', { as_of: D });
    const raised = await alerts('store_id=S2&status=open');
    const vision = raised.filter((a) => ['shelf_gap', 'low_share_of_shelf', 'planogram'].includes(a.type));
    expect(vision.map((a) => [a.type, a.sku]).sort()).toEqual([
      ['low_share_of_shelf', ''],
      ['planogram', 'P4'],
      ['shelf_gap', ''],
    ]);
    const byType = Object.fromEntries(vision.map((a) => [a.type, a]));
    expect(byType.shelf_gap).toMatchObject({ severity: 'medium', assignee: 'mgr-S2', evidence: { day: day(-1), gaps: 3, photos: ['ph-a'] } });
    expect(byType.low_share_of_shelf).toMatchObject({ severity: 'medium', evidence: { share: 0.2, own_facings: 2, total_facings: 10, unknown_facings: 0 } });
    expect(byType.planogram).toMatchObject({ severity: 'high', category: '零食', evidence: { status: 'missing', photo_id: 'ph-a' } });
    expect(byType.planogram.messages.zh).toContain('脆乐薯片');
    expect(byType.planogram.messages.en).toContain('missing');

    // The next day the bay is photographed again: full, own brands at 70%, every planned SKU in place.
    await recordBay('ph-b', `${D}T02:00:00.000Z`, 7, 3, { planogram: { score: 1, missing: [], misplaced: [], extra: [] } });
    const next = await post('/v1/alerts/evaluate', { as_of: D });
    expect(next.by_type).toMatchObject({ shelf_gap: { resolved: 1 }, low_share_of_shelf: { resolved: 1 }, planogram: { resolved: 1 } });
  });
});
