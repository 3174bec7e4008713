import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF, day } from '../support/days.ts';
import { dailyScans } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// S1 sold P1 5 a day, then nothing for 15 days (a zero-sale alert on day −16), then 6 a day from the day a manager
// resolved the alert (day −15). S2 (same territory and format, never alerted on P1) sold 5 a day throughout: the
// matched stores did not move, so all 6 a day after the action count as recovered: 7 days × 6 × ¥10 = ¥420 and
// 14 days × 6 × ¥10 = ¥840. S3 was alerted on P1 too (a false alarm): not a matched store.
let server: TestServer;

const at = (offset: number) => `${day(offset)}T04:00:00.000Z`;
const alertRow = (id: string, store: string, sku: string, type: string, created: number) => ({
  id,
  type,
  status: 'open',
  store_id: store,
  sku,
  territory: '浦西',
  category: sku ? '饮料' : '',
  created_at: at(created),
  updated_at: at(created),
  as_of: day(created),
  severity: 'high',
  message_zh: 'm',
  message_en: 'm',
  suggestion_zh: 's',
  suggestion_en: 's',
  evidence: '{}',
  assignee: '',
  resolved_at: null,
  version: 1,
});
const resolvedBy = (alertId: string, offset: number) => ({
  action_id: `resolve-${alertId}`,
  alert_id: alertId,
  action: 'resolve',
  actor: 'wang',
  at: at(offset),
});

const api = (method: 'GET' | 'POST', url: string, payload?: object) => server.app.inject({ method, url, headers: server.admin(), payload });

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  const store = (id: string) => ({ store_id: id, name: id, territory: '浦西', region: '华东', city: '上海', lat: 31.2, lon: 121.4, format: 'supermarket' });
  await server.addStores([store('S1'), store('S2'), store('S3')]);
  await api('POST', '/v1/products', [{ sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false }]);
  const scans = await api('POST', '/v1/events/scans', [
    ...dailyScans('S1', 'P1', -60, -31, 5),
    ...dailyScans('S1', 'P1', -15, 0, 6),
    ...dailyScans('S2', 'P1', -60, 0, 5),
    ...dailyScans('S3', 'P1', -60, 0, 5),
  ]);
  expect(scans.statusCode, scans.body).toBe(202);
  await server.settle();
  const { warehouse } = server.platform;
  await warehouse.insert('alerts', [
    { ...alertRow('A1', 'S1', 'P1', 'zero_sale', -16), status: 'resolved', resolved_at: at(-15) },
    alertRow('A2', 'S3', 'P1', 'zero_sale', -16),
    { ...alertRow('A3', 'S1', '', 'no_data', -10), status: 'resolved', resolved_at: at(-9) },
    // Resolved by the engine (no person in its trail): neither an action nor an outcome.
    { ...alertRow('A4', 'S2', 'P1', 'out_of_stock', -20), status: 'resolved', resolved_at: at(-19) },
  ]);
  await warehouse.insert('alert_actions', [resolvedBy('A1', -15), resolvedBy('A3', -9)]);
}, 120_000);
afterAll(async () => server?.stop());

describe('feedback and the outcome of alerts', () => {
  it('takes a verdict with a reason from the people an alert reaches, the latest word counting, and keeps it in the trail', async () => {
    expect((await api('POST', '/v1/alerts/A1/feedback', { verdict: 'false_alarm', reason: '' })).statusCode).toBe(200);
    const changed = await api('POST', '/v1/alerts/A1/feedback', { verdict: 'confirmed', reason: '货架缺货，已补货' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ alert_id: 'A1', verdict: 'confirmed', reason: '货架缺货，已补货', given_by: 'bootstrap-admin' });
    expect((await api('POST', '/v1/alerts/A2/feedback', { verdict: 'false_alarm', reason: '门店装修' })).statusCode).toBe(200);
    const trail = (await api('GET', '/v1/alerts/A2/trail')).json();
    expect(trail.trail.map((a: { action: string; note: string }) => [a.action, a.note])).toContainEqual(['comment', 'false_alarm: 门店装修']);

    const refused = await api('POST', '/v1/alerts/A1/feedback', { verdict: 'maybe' });
    expect(refused.statusCode).toBe(400);
    expect((await api('POST', '/v1/alerts/no-such/feedback', { verdict: 'confirmed' })).statusCode).toBe(404);
  });

  it('measures precision from feedback, hours to resolve and the sales recovered after the action against matched stores', async () => {
    const res = await api('GET', `/v1/alert-quality?from=${day(-30)}&to=${AS_OF}`);
    expect(res.statusCode, res.body).toBe(200);
    const quality = res.json();
    const zeroSale = quality.by_type.find((r: { key: string }) => r.key === 'zero_sale');
    expect(zeroSale).toMatchObject({ alerts: 2, confirmed: 1, false_alarms: 1, precision: 0.5, resolved: 1, median_hours_to_resolve: 24, measured: 1 });
    expect(zeroSale.recovered_sales_7d).toBeCloseTo(420);
    expect(zeroSale.recovered_sales_14d).toBeCloseTo(840);
    // A store-level alert has no pair to measure; the engine's own resolution is not an action.
    expect(quality.by_type.find((r: { key: string }) => r.key === 'no_data')).toMatchObject({ alerts: 1, resolved: 1, measured: 0, recovered_sales_14d: 0 });
    expect(quality.by_type.find((r: { key: string }) => r.key === 'out_of_stock')).toMatchObject({ resolved: 0, measured: 0, precision: null });
    expect(quality.by_territory).toEqual([expect.objectContaining({ key: '浦西', alerts: 4, confirmed: 1, false_alarms: 1 })]);
    // Two verdicts are too few to suggest a threshold.
    expect(quality.suggestions).toEqual([]);
  });

  it('a store manager sees the quality of their stores only', async () => {
    const token = await server.issueToken({ name: 'manager-s3', role: 'store_manager', store_ids: ['S3'] });
    const res = await server.app.inject({
      method: 'GET',
      url: `/v1/alert-quality?from=${day(-30)}&to=${AS_OF}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.json().by_type).toEqual([expect.objectContaining({ key: 'zero_sale', alerts: 1, false_alarms: 1, precision: 0 })]);
  });
});
