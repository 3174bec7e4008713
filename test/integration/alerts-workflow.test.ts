import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../contracts/alerts.ts';
import type { Subscription } from '../../pipelines/log/event-log.ts';
import { AS_OF as D } from '../support/days.ts';
import { dailyScans } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/wait.ts';

let server: TestServer;
let managerToken: string;
let published: Alert[] = [];
let subscription: Subscription;

async function post(url: string, payload: unknown, headers = server.admin()) {
  return server.app.inject({ method: 'POST', url, headers, payload: payload as object });
}

async function list(query: string, headers: Record<string, string> = server.admin()) {
  const res = await server.app.inject({ method: 'GET', url: `/v1/alerts?${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { alerts: Record<string, any>[]; total: number };
}

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  const ok = (res: { statusCode: number; body: string }) => expect(res.statusCode, res.body).toBeLessThan(300);
  ok(
    await post('/v1/stores', [
      { store_id: 'S1', name: '浦东店', territory: '浦东', region: '华东', city: '上海', lat: 31.22, lon: 121.54, manager: '王店长' },
      { store_id: 'S2', name: '徐汇店', territory: '浦西', region: '华东', city: '上海', lat: 31.19, lon: 121.43, manager: '李店长' },
    ]),
  );
  ok(
    await post('/v1/products', [
      { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
      { sku: 'P3', name: '牧原牛奶', brand: '牧原', category: '乳品', regular_price: 10, is_competitor: false },
      { sku: 'P4', name: '脆乐薯片', brand: '脆乐', category: '零食', regular_price: 10, is_competitor: false },
      { sku: 'C1', name: '恒泰矿泉水', brand: '恒泰', category: '饮料', regular_price: 9, is_competitor: true, matches_sku: 'P1' },
    ]),
  );
  ok(await post('/v1/assortment', ['P1', 'P3', 'P4'].map((sku) => ({ store_id: 'S1', sku })).concat([{ store_id: 'S2', sku: 'P1' }])));
  ok(
    await post('/v1/events/scans', [
      ...dailyScans('S1', 'P1', -30, -3, 4), // stops selling: zero_sale
      ...dailyScans('S1', 'P3', -30, -3, 4), // stops selling: zero_sale, another category
      ...dailyScans('S1', 'P4', -30, 0, 5), // the store itself keeps selling
      ...dailyScans('S2', 'P1', -30, 0, 5),
    ]),
  );
  ok(await post('/v1/events/competitor-prices', [{ event_id: 'cp1', store_id: 'S2', sku: 'C1', ts: `${D}T09:00:00+08:00`, price: 8.5, source: 'manual' }]));
  await server.settle();
  subscription = await server.platform.log.subscribe('test-alerts-workflow', ['alerts'], async (_topic, records) => {
    published.push(...records.map((r) => r.value as Alert));
  });
  const evaluated = await post('/v1/alerts/evaluate', { as_of: D });
  expect(evaluated.json()).toMatchObject({ opened: 3 });
  ok(await post('/v1/users', { username: 'zhang.san', name: '张三', password: 'correct horse battery', role: 'category_manager' }));
  managerToken = (await post('/v1/tokens', { name: 'S1 manager', role: 'store_manager', store_ids: ['S1'] })).json().token;
});
afterAll(async () => {
  await subscription?.stop();
  await server?.stop();
});

describe('the alert inbox', () => {
  it('lists newest first with a total, and filters by type, status, store, territory, category and sku', async () => {
    const all = await list('');
    expect(all.total).toBe(3);
    const created = all.alerts.map((a) => a.created_at);
    expect([...created].sort().reverse()).toEqual(created);
    expect((await list('type=price_gap')).alerts.map((a) => a.store_id)).toEqual(['S2']);
    expect((await list('type=zero_sale&category=乳品')).alerts.map((a) => a.sku)).toEqual(['P3']);
    expect((await list('territory=浦东')).total).toBe(2);
    expect((await list('store_id=S1&sku=P1')).alerts.map((a) => a.type)).toEqual(['zero_sale']);
    expect((await list('status=resolved')).total).toBe(0);
    const page = await list('limit=1&offset=1');
    expect(page).toMatchObject({ total: 3, alerts: [expect.objectContaining({ id: all.alerts[1]!.id })] });
    const bad = await server.app.inject({ method: 'GET', url: '/v1/alerts?type=bogus', headers: server.admin() });
    expect(bad.statusCode).toBe(400);
  });

  it('assigns zero-sale alerts to the store manager and price gaps to the territory reps', async () => {
    const [zeroSale] = (await list('type=zero_sale&sku=P1')).alerts;
    expect(zeroSale!.assignee).toBe('王店长');
    const [gap] = (await list('type=price_gap')).alerts;
    expect(gap!.assignee).toBe('reps:浦西');
  });

  it('speaks the language asked for (?lang, then Accept-Language), both when nothing is asked', async () => {
    const [en] = (await list('type=price_gap&lang=en')).alerts;
    expect(en!.message).toBe(en!.messages.en);
    expect(en!.suggestion).toBe(en!.suggestions.en);
    const [zh] = (await list('type=price_gap', { ...server.admin(), 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' })).alerts;
    expect(zh!.message).toBe(zh!.messages.zh);
    const [both] = (await list('type=price_gap')).alerts;
    expect(both!.message).toBe(`${both!.messages.zh} / ${both!.messages.en}`);
    const one = await server.app.inject({ method: 'GET', url: `/v1/alerts/${encodeURIComponent(en!.id)}?lang=en`, headers: server.admin() });
    expect(one.json()).toMatchObject({ id: en!.id, message: en!.messages.en, evidence: { own_price: 10, competitor_price: 8.5 } });
  });

  it('a store manager sees only the alerts of their store', async () => {
    const headers = { authorization: `Bearer ${managerToken}` };
    const mine = await list('', headers);
    expect(mine.total).toBe(2);
    expect(mine.alerts.every((a) => a.store_id === 'S1')).toBe(true);
    const [gap] = (await list('type=price_gap')).alerts;
    const other = await server.app.inject({ method: 'GET', url: `/v1/alerts/${encodeURIComponent(gap!.id)}`, headers });
    expect(other.statusCode).toBe(404);
    const ackOther = await post(`/v1/alerts/${encodeURIComponent(gap!.id)}/ack`, {}, { ...headers, 'content-type': 'application/json' });
    expect(ackOther.statusCode).toBe(404);
  });

  it('ack, assign and resolve each write a new version and publish it for webhooks and live views', async () => {
    const [alert] = (await list('type=zero_sale&sku=P3')).alerts;
    const id = encodeURIComponent(alert!.id);
    published = [];
    const ack = await post(`/v1/alerts/${id}/ack?lang=en`, {});
    expect(ack.json()).toMatchObject({ status: 'acknowledged', assignee: '王店长', message: alert!.messages.en });
    const managerHeaders = { authorization: `Bearer ${managerToken}`, 'content-type': 'application/json' };
    expect((await post(`/v1/alerts/${id}/assign`, { assignee: 'zhang.san' }, managerHeaders)).statusCode).toBe(403);
    // Alerts go to users, not to free text.
    const freeText = await post(`/v1/alerts/${id}/assign`, { assignee: '张三' });
    expect([freeText.statusCode, freeText.json().message]).toEqual([400, expect.stringMatching(/no enabled user 张三.*GET \/v1\/assignees/)]);
    const assigned = await post(`/v1/alerts/${id}/assign`, { assignee: 'zhang.san' });
    expect(assigned.json()).toMatchObject({ status: 'acknowledged', assignee: 'zhang.san' });
    const resolved = (await post(`/v1/alerts/${id}/resolve`, {})).json();
    expect(resolved).toMatchObject({ status: 'resolved', assignee: 'zhang.san', resolved_at: expect.any(String) });
    expect(resolved.updated_at >= alert!.updated_at).toBe(true);

    const again = await post(`/v1/alerts/${id}/resolve`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/already resolved/);

    // The stored alert is the newest version; the others are unchanged.
    expect((await list(`type=zero_sale&sku=P3`)).alerts[0]).toMatchObject({ status: 'resolved', assignee: 'zhang.san' });
    expect((await list('status=resolved')).total).toBe(1);
    await until(() => published.length >= 3, 'the three published versions');
    expect(published.map((a) => [a.id, a.status, a.assignee])).toEqual([
      [alert!.id, 'acknowledged', '王店长'],
      [alert!.id, 'acknowledged', 'zhang.san'],
      [alert!.id, 'resolved', 'zhang.san'],
    ]);
  });
});
