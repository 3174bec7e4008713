import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../api/auth.ts';
import { routeOpenAlerts } from '../../pipelines/alert-routing.ts';
import { DINGTALK_SECRET, type Robots, startRobots } from '../support/robots.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/wait.ts';

/**
 * Channels end to end: local receivers that check each platform's documented body and signature, and an alert
 * walked from opening through routing, due, overdue, escalation and resolve on a clock the test moves.
 */

const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const PASSWORD = 'correct horse battery';
const HOUR = 3_600_000;
const PUBLIC_URL = 'https://shelfpulse.example.com';

let flakyFailures = 0;
let downIsDown = true;
let robots: Robots;
let server: TestServer;
let base = '';
const on = (path: string) => robots.on(path);

async function api(method: string, url: string, payload?: unknown, headers: Record<string, string> = server.admin()) {
  // A step without a body still sends `{}`: the headers say JSON, as the web app's do.
  const body = payload ?? (method === 'GET' ? undefined : {});
  return server.app.inject({ method: method as 'GET', url, headers, ...(body !== undefined ? { payload: body as object } : {}) });
}

async function ok(method: string, url: string, payload?: unknown, headers?: Record<string, string>) {
  const res = await api(method, url, payload, headers);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.statusCode === 204 ? undefined : res.json();
}

/** The headers of a user signed in with a password, as the web app sends them. */
async function signIn(username: string): Promise<Record<string, string>> {
  const res = await api('POST', '/v1/session', { username, password: PASSWORD }, { 'content-type': 'application/json' });
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)!;
  return { cookie: `${SESSION_COOKIE}=${cookie.value}`, 'x-shelfpulse-csrf': '1', 'content-type': 'application/json' };
}

const channels: Record<string, string> = {};

beforeAll(async () => {
  robots = await startRobots((r) => {
    if (r.path === '/flaky/cgi-bin/webhook/send' && flakyFailures++ < 2) return 503;
    if (r.path === '/down/cgi-bin/webhook/send' && downIsDown) return 502;
    return undefined;
  });
  base = robots.base;
  server = await startTestServer({
    SHELFPULSE_ROLES: 'ingest,sink,notifier',
    SHELFPULSE_PUBLIC_URL: PUBLIC_URL,
    SHELFPULSE_ALERT_DUE_HOURS: 'price_gap=24',
  });
  await server.addStores([{ store_id: 'S1', name: '南京新街口店', territory: '苏中苏北', region: '华东', city: '南京', lat: 32.04, lon: 118.78 }]);
  await ok('POST', '/v1/products', [
    { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
    { sku: 'C1', name: '恒泰矿泉水', brand: '恒泰', category: '饮料', regular_price: 10, is_competitor: true, matches_sku: 'P1' },
  ]);
  // The people: a rep of the territory, the category's manager, the territory's lead and the chain's sales director.
  for (const user of [
    { username: 'wang.rep', role: 'merchandiser', territories: ['苏中苏北'] },
    { username: 'chen.cat', role: 'category_manager' },
    { username: 'lead.su', role: 'sales_director', territories: ['苏中苏北'] },
    { username: 'director.zhao', role: 'sales_director' },
  ])
    await ok('POST', '/v1/users', { ...user, password: PASSWORD });
  await ok('PUT', '/v1/routing-rules', { rules: [{ kind: 'category', key: '饮料', usernames: ['chen.cat'] }] });

  const add = async (key: string, channel: object) => (channels[key] = (await ok('POST', '/v1/channels', channel)).channel_id);
  await add('wecom', { name: '苏中苏北 门店群', kind: 'wecom', url: `${base}/cgi-bin/webhook/send?key=robot-key`, territories: ['苏中苏北'] });
  await add('flaky', { name: 'flaky', kind: 'wecom', url: `${base}/flaky/cgi-bin/webhook/send?key=robot-key` });
  await add('down', { name: 'down', kind: 'wecom', url: `${base}/down/cgi-bin/webhook/send?key=robot-key` });
  await add('dingtalk', {
    name: 'Sales leads',
    kind: 'dingtalk',
    url: `${base}/robot/send?access_token=robot-token`,
    secret: DINGTALK_SECRET,
    language: 'en',
    levels: [1, 2],
  });
  await add('hook', { name: 'ERP', kind: 'webhook', url: `${base}/hook`, secret: WEBHOOK_SECRET, levels: [0, 1, 2] });
  // Takes only high-severity dormant customers: a price gap never reaches it.
  await add('filtered', { name: 'dormant only', kind: 'wecom', url: `${base}/filtered/cgi-bin/webhook/send?key=robot-key`, alert_types: ['dormant_customer'] });
});
afterAll(async () => {
  await server?.stop();
  robots?.close();
});

describe('channels', () => {
  it('an admin lists channels without their secrets, and sends a test message from the API', async () => {
    const { channels: list } = await ok('GET', '/v1/channels');
    expect(list.find((c: any) => c.channel_id === channels.dingtalk)).toMatchObject({ kind: 'dingtalk', secret_set: true, language: 'en', levels: [1, 2] });
    expect(JSON.stringify(list)).not.toContain(DINGTALK_SECRET);

    expect(await ok('POST', `/v1/channels/${channels.dingtalk}/test`)).toEqual({ delivered: true, attempts: 1 });
    const [test] = on('/robot/send');
    expect(test!.body.markdown.title).toMatch(/^\[Test message\]/);
    expect(await ok('POST', `/v1/channels/${channels.wecom}/test`)).toEqual({ delivered: true, attempts: 1 });
    expect(on('/cgi-bin/webhook/send')[0]!.body.markdown.content).toContain('测试消息');

    // A wrong signing secret: DingTalk refuses it, and the admin reads why.
    await ok('PATCH', `/v1/channels/${channels.dingtalk}`, { secret: 'SECwrong-secret-0000000000' });
    const refused = await ok('POST', `/v1/channels/${channels.dingtalk}/test`);
    expect(refused).toMatchObject({ delivered: false, attempts: 3, error: expect.stringMatching(/errcode 310000 sign not match/) });
    await ok('PATCH', `/v1/channels/${channels.dingtalk}`, { secret: DINGTALK_SECRET });

    const bad = await api('POST', '/v1/channels', { name: 'x', kind: 'webhook', url: `${base}/hook` });
    expect([bad.statusCode, bad.json().message]).toEqual([400, expect.stringMatching(/needs a secret/)]);
    robots.received.length = 0;
  });

  it('walks an alert: routed to users, delivered per platform, overdue, escalated twice, resolved, reopened; the trail and the KPIs tell it', async () => {
    const opened = server.platform.clock.now();
    await ok('POST', '/v1/events/competitor-prices', [
      { event_id: 'cp1', store_id: 'S1', sku: 'C1', ts: '2026-11-20T10:00:00+08:00', price: 8.5, source: 'manual' },
    ]);
    await server.settle();
    expect(await ok('POST', '/v1/alerts/evaluate', { as_of: '2026-11-20' })).toMatchObject({ by_type: { price_gap: { opened: 1 } } });

    // Routing: the territory's rep and the category's manager, as users.
    const [alert] = (await ok('GET', '/v1/alerts?type=price_gap')).alerts;
    expect(alert).toMatchObject({ assignee: 'wang.rep,chen.cat', overdue: false });
    expect(Date.parse(alert.due_at) - Date.parse(alert.created_at)).toBe(24 * HOUR);
    const id = encodeURIComponent(alert.id);
    const rep = await signIn('wang.rep');
    expect((await ok('GET', '/v1/alerts?mine=true', undefined, rep)).alerts.map((a: any) => a.id)).toEqual([alert.id]);
    expect((await ok('GET', '/v1/alerts?mine=true', undefined, await signIn('lead.su'))).total).toBe(0);

    // Each channel in its platform's format; the flaky one after two failures; the filtered one not at all.
    await until(() => on('/cgi-bin/webhook/send').length === 1 && on('/hook').length === 1 && on('/flaky/cgi-bin/webhook/send').length === 3, 'the deliveries');
    const wecom = on('/cgi-bin/webhook/send')[0]!;
    expect(wecom.accepted).toBe(true);
    expect(wecom.body.markdown.content).toContain('竞品价差');
    expect(wecom.body.markdown.content).toContain(`[查看预警](${PUBLIC_URL}/alerts?id=${encodeURIComponent(alert.id)})`);
    expect(wecom.body.markdown.content).toContain('wang.rep, chen.cat');
    expect(on('/flaky/cgi-bin/webhook/send').map((r) => r.accepted)).toEqual([false, false, true]);
    const hook = on('/hook')[0]!;
    expect(hook.headers['x-shelfpulse-signature']).toBe(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(hook.raw).digest('hex')}`);
    expect(hook.body).toMatchObject({ id: alert.id, event: 'opened', link: `${PUBLIC_URL}/alerts?id=${encodeURIComponent(alert.id)}` });
    expect(on('/robot/send')).toHaveLength(0); // levels 1-2 only
    expect(on('/filtered/cgi-bin/webhook/send')).toHaveLength(0);

    // The channel that is down: dead-lettered after its attempts, replayed to it alone once it is back.
    let letters: any[] = [];
    await until(async () => {
      await server.settle();
      letters = (await ok('GET', '/v1/dead-letters?topic=channel-notices')).dead_letters;
      return letters.length === 1;
    }, 'the dead letter of the channel that is down');
    expect(letters[0].reason).toMatch(/wecom channel "down" answered HTTP 502.*after 5 attempts/);
    expect(on('/down/cgi-bin/webhook/send')).toHaveLength(5);
    downIsDown = false;
    await ok('POST', '/v1/dead-letters/replay', { ids: [letters[0].dead_letter_id] });
    await until(() => on('/down/cgi-bin/webhook/send').some((r) => r.accepted), 'the replayed delivery');
    expect(on('/cgi-bin/webhook/send')).toHaveLength(1);
    expect(on('/hook')).toHaveLength(1);

    // The next close updates the alert (a deeper cut) and writes its rule's owner again: the assignment stays.
    await ok('POST', '/v1/events/competitor-prices', [
      { event_id: 'cp2', store_id: 'S1', sku: 'C1', ts: '2026-11-21T10:00:00+08:00', price: 8, source: 'manual' },
    ]);
    await server.settle();
    expect(await ok('POST', '/v1/alerts/evaluate', { as_of: '2026-11-21' })).toMatchObject({ updated: 1, opened: 0 });
    expect(await ok('GET', `/v1/alerts/${id}`)).toMatchObject({ assignee: 'wang.rep,chen.cat', evidence: { competitor_price: 8 } });

    // A rep acts only on the alerts assigned to them.
    const otherRep = { authorization: `Bearer ${await server.issueToken({ name: 'other.rep', role: 'merchandiser' })}`, 'content-type': 'application/json' };
    const refused = await api('POST', `/v1/alerts/${id}/ack`, {}, otherRep);
    expect([refused.statusCode, refused.json().message]).toEqual([403, expect.stringMatching(/not assigned to other\.rep/)]);

    // The category manager acknowledges two hours in; nothing is overdue before the due time.
    const category = await signIn('chen.cat');
    server.platform.clock.advance(2 * HOUR);
    await ok('POST', `/v1/alerts/${id}/ack`, undefined, category);
    server.platform.clock.advance(21 * HOUR);
    expect(await server.platform.escalation.run(server.platform.clock.now())).toEqual({ escalated: [] });

    // 25 h: overdue, escalated to the territory's lead (once, however often the check runs).
    server.platform.clock.advance(2 * HOUR);
    expect((await ok('GET', `/v1/alerts/${id}`)).overdue).toBe(true);
    expect(await server.platform.escalation.run(server.platform.clock.now())).toEqual({ escalated: [{ alert_id: alert.id, level: 1, to: ['lead.su'] }] });
    expect(await server.platform.escalation.run(server.platform.clock.now())).toEqual({ escalated: [] });
    await until(() => on('/robot/send').length === 1 && on('/hook').length === 2, 'the escalation to the lead');
    const toLead = on('/robot/send')[0]!;
    expect(toLead.accepted).toBe(true);
    expect(toLead.body.markdown.title).toMatch(/^\[Overdue, escalated to the territory lead\] Competitor price gap · S1 · P1/);
    expect(toLead.body.markdown.text).toContain('lead.su');
    expect(on('/hook')[1]!.body).toMatchObject({ event: 'escalated', escalation: { level: 1, to: ['lead.su'] } });

    // 49 h: to the sales director.
    server.platform.clock.advance(24 * HOUR);
    expect(await server.platform.escalation.run(server.platform.clock.now())).toEqual({ escalated: [{ alert_id: alert.id, level: 2, to: ['director.zhao'] }] });
    await until(() => on('/robot/send').length === 2, 'the escalation to the director');
    expect(on('/robot/send')[1]!.body.markdown.title).toMatch(/sales director/);

    // 50 h resolved by the lead; undone (reopened) and resolved again at 51 h with a comment.
    const lead = await signIn('lead.su');
    server.platform.clock.advance(HOUR);
    await ok('POST', `/v1/alerts/${id}/resolve`, undefined, lead);
    expect((await api('POST', `/v1/alerts/${id}/ack`, undefined, lead)).statusCode).toBe(409);
    expect(await ok('POST', `/v1/alerts/${id}/reopen`, undefined, category)).toMatchObject({ status: 'open', resolved_at: null });
    await ok('POST', `/v1/alerts/${id}/comment`, { note: '价签未更换，重新处理' }, rep);
    server.platform.clock.advance(HOUR);
    expect(await ok('POST', `/v1/alerts/${id}/resolve`, undefined, lead)).toMatchObject({ status: 'resolved', overdue: false });
    expect(await server.platform.escalation.run(server.platform.clock.now())).toEqual({ escalated: [] });

    const { deadline, trail } = await ok('GET', `/v1/alerts/${id}/trail`);
    expect(deadline).toEqual({ due_at: alert.due_at, overdue: false, escalation_level: 2 });
    const hoursIn = (at: string) => Math.round((Date.parse(at) - opened.getTime()) / HOUR);
    expect(trail.map((a: any) => [a.action, a.actor, hoursIn(a.at), a.assignee, a.level, a.note])).toEqual([
      ['assign', 'routing', 0, 'wang.rep,chen.cat', 0, ''],
      ['ack', 'chen.cat', 2, '', 0, ''],
      ['escalate', 'escalation', 25, 'lead.su', 1, ''],
      ['escalate', 'escalation', 49, 'director.zhao', 2, ''],
      ['resolve', 'lead.su', 50, '', 0, ''],
      ['reopen', 'chen.cat', 50, '', 0, ''],
      ['comment', 'wang.rep', 50, '', 0, '价签未更换，重新处理'],
      ['resolve', 'lead.su', 51, '', 0, ''],
    ]);

    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const kpis = await ok('GET', `/v1/alert-kpis?from=${day(opened.getTime() - 86_400_000)}&to=${day(opened.getTime() + 86_400_000)}`);
    // The hours from the opening to the first acknowledgement and to the last resolve (2 h and 51 h on the moved
    // clock, plus the seconds the test itself took between its steps).
    const hoursAfterOpening = (at: string) => Math.round(((Date.parse(at) - Date.parse(alert.created_at)) / HOUR) * 100) / 100;
    const ackAt = trail.find((a: any) => a.action === 'ack').at;
    const resolvedAt = (await ok('GET', `/v1/alerts/${id}`)).resolved_at;
    expect([Math.round(hoursAfterOpening(ackAt)), Math.round(hoursAfterOpening(resolvedAt))]).toEqual([2, 51]);
    expect(kpis.territories).toEqual([
      {
        territory: '苏中苏北',
        opened: 1,
        acknowledged: 1,
        resolved: 1,
        overdue_open: 0,
        escalated: 1,
        hours_to_ack_median: hoursAfterOpening(ackAt),
        hours_to_resolve_median: hoursAfterOpening(resolvedAt),
      },
    ]);
  });

  it('routes open alerts written without routing (the demo) to the users that now exist, once', async () => {
    const now = new Date().toISOString();
    await server.platform.warehouse.insert('alerts', [
      {
        ...{ id: 'zero_sale:S1:P9:demo', type: 'zero_sale', status: 'open', store_id: 'S1', sku: 'P9', territory: '苏中苏北', category: '' },
        ...{ created_at: now, updated_at: now, as_of: now.slice(0, 10), severity: 'low', evidence: '{}', resolved_at: null, version: 1 },
        ...{ message_zh: 'm', message_en: 'm', suggestion_zh: 's', suggestion_en: 's', assignee: 'manager:S1' },
      },
    ]);
    await ok('POST', '/v1/users', { username: 'li.manager', role: 'store_manager', store_ids: ['S1'], password: PASSWORD });
    expect(await routeOpenAlerts(server.platform.warehouse)).toBe(1);
    expect(await ok('GET', '/v1/alerts/zero_sale%3AS1%3AP9%3Ademo')).toMatchObject({ assignee: 'li.manager' });
    expect(await routeOpenAlerts(server.platform.warehouse)).toBe(0);
  });
});
