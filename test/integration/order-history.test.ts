import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

/** The evidence of a dormant customer: its orders per week, last order and usual interval, from the order feed. */

let server: TestServer;
const get = (url: string, headers: Record<string, string> = server.admin()) => server.app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink,alerts' });
  await server.addStores([
    { store_id: 'C1', name: '客户一', territory: '苏南', region: '华东', city: '苏州', lat: 31.3, lon: 120.6 },
    { store_id: 'C2', name: '客户二', territory: '苏中苏北', region: '华东', city: '扬州', lat: 32.4, lon: 119.4 },
  ]);
  await server.app.inject({
    method: 'POST',
    url: '/v1/products',
    headers: server.admin(),
    payload: [{ sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 2, is_competitor: false }],
  });
  // C1 ordered every 14 days from June to mid-August (two lines of one order on 1 June), then stopped.
  const days = ['2026-06-01', '2026-06-15', '2026-06-29', '2026-07-13', '2026-07-27', '2026-08-10'];
  const orders = days.flatMap((day, i) => [
    { event_id: `o${i}a`, order_id: `O${i}`, store_id: 'C1', sku: 'P1', ts: `${day}T10:00:00+08:00`, qty: 10, unit_price: 1.5 },
    ...(i === 0 ? [{ event_id: 'o0b', order_id: 'O0', store_id: 'C1', sku: 'P1', ts: `${day}T10:00:00+08:00`, qty: 2, unit_price: 1.5 }] : []),
  ]);
  const res = await server.app.inject({ method: 'POST', url: '/v1/events/orders', headers: server.admin(), payload: orders });
  expect(res.statusCode).toBe(202);
  await server.settle();
});
afterAll(() => server?.stop());

describe('order history', () => {
  it('a dormant customer: its weeks of orders, the last order, the usual interval, for the alert the close raised', async () => {
    const close = await server.app.inject({ method: 'POST', url: '/v1/alerts/evaluate', headers: server.admin(), payload: { as_of: '2026-11-20' } });
    expect(close.json().by_type.dormant_customer).toMatchObject({ opened: 1 });
    const alert = (await get('/v1/alerts?type=dormant_customer')).json().alerts[0];
    expect(alert).toMatchObject({ store_id: 'C1', evidence: { last_order_day: '2026-08-10', days_since_last_order: 102 } });

    const history = (await get(`/v1/stores/C1/orders?to=${alert.as_of}&weeks=26`)).json();
    expect(history).toMatchObject({
      store_id: 'C1',
      to: '2026-11-20',
      from: '2026-05-25',
      orders: 6,
      value: 93,
      last_order_day: '2026-08-10',
      days_since_last_order: 102,
      usual_interval_days: 14,
    });
    expect(history.weeks).toHaveLength(26);
    expect(history.weeks[0]).toEqual({ week: '2026-05-25', orders: 0, value: 0 });
    expect(history.weeks[1]).toEqual({ week: '2026-06-01', orders: 1, value: 18 });
    expect(history.weeks.filter((w: { orders: number }) => w.orders > 0).map((w: { week: string }) => w.week)).toEqual([
      '2026-06-01',
      '2026-06-15',
      '2026-06-29',
      '2026-07-13',
      '2026-07-27',
      '2026-08-10',
    ]);
    expect(history.weeks.at(-1).week).toBe('2026-11-16');
  });

  it('a store that never ordered has no last order; a reader out of scope gets a 404', async () => {
    expect((await get('/v1/stores/C2/orders?to=2026-11-20')).json()).toMatchObject({ orders: 0, last_order_day: null, usual_interval_days: null });
    const rep = await server.issueToken({ name: 'rep.north', role: 'merchandiser', territories: ['苏中苏北'] });
    const refused = await get('/v1/stores/C1/orders', { authorization: `Bearer ${rep}` });
    expect(refused.statusCode).toBe(404);
  });
});
