import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverShapeEnv } from '../support/clickhouse.ts';
import { DINGTALK_SECRET, type Robots, startRobots } from '../support/robots.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The morning digest pushed: channels carry a digest subscription, and the notifier sends each one once a local
 * day at its hour, to local receivers that check each platform's documented body and signature, across restarts.
 */

const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const PUBLIC_URL = 'https://shelfpulse.example.com';
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** A whole-hour zone where it is 05:xx now, so that the 08:00 and 09:00 digests are hours ahead on the same day. */
function zoneAtFiveNow(): string {
  let offset = (5 - new Date().getUTCHours() + 24) % 24;
  if (offset > 14) offset -= 24;
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}
const ZONE = zoneAtFiveNow();
/** Milliseconds from now to the local hh:mm of today in ZONE (it is 05:xx there). */
function untilLocal(hh: number, mm: number): number {
  const local = new Date(Date.now() + zoneOffsetMs());
  const target = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hh, mm);
  return target - local.getTime();
}
function zoneOffsetMs(): number {
  const m = /^Etc\/GMT([+-])?(\d+)?$/.exec(ZONE)!;
  return (m[1] === '+' ? -1 : 1) * Number(m[2] ?? 0) * HOUR;
}

let robots: Robots;
const on = (p: string) => robots.on(p);
/** The digests each receiver got: WeCom, DingTalk, webhook. */
const counts = () => [on('/cgi-bin/webhook/send').length, on('/robot/send').length, on('/hook').length];
let base = '';
let server: TestServer;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-digests-'));
const channels: Record<string, string> = {};

const start = async () => {
  server = await startTestServer({
    SHELFPULSE_DATA_DIR: dataDir,
    SHELFPULSE_ROLES: 'ingest,sink,notifier',
    SHELFPULSE_PUBLIC_URL: PUBLIC_URL,
    SHELFPULSE_TIMEZONE: ZONE,
  });
};

async function ok(method: string, url: string, payload?: unknown) {
  const res = await server.app.inject({
    method: method as 'GET',
    url,
    headers: server.admin(),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.statusCode === 204 ? undefined : res.json();
}

/** Open alerts as the close writes them, `hoursAgo` before the test's clock. */
async function plantAlerts(now: Date) {
  const alert = (id: string, category: string, hoursAgo: number, message: string) => {
    const at = new Date(now.getTime() - hoursAgo * HOUR).toISOString();
    return {
      ...{ id, type: 'zero_sale', status: 'open', store_id: 'S1', sku: id.split(':')[2], territory: '苏中苏北', category, created_at: at, updated_at: at },
      ...{ as_of: at.slice(0, 10), severity: 'high', evidence: '{}', resolved_at: null, version: 1, assignee: 'chen.cat' },
      ...{ message_zh: message, message_en: message, suggestion_zh: '检查货架', suggestion_en: 'Check the shelf' },
    };
  };
  // Thirty new drinks alerts with long messages: more than WeCom's 4,096 bytes take, so the card is cut.
  const fresh = Array.from({ length: 30 }, (_, i) => alert(`zero_sale:S1:D${i}:new`, '饮料', 2, `饮料新预警 D${i}：${'连续三天零销量，'.repeat(12)}`));
  await server.platform.warehouse.insert('alerts', [
    ...fresh,
    alert('zero_sale:S1:OLD:old', '饮料', 72, '饮料逾期预警 OLD'),
    alert('zero_sale:S1:M1:new', '乳品', 2, '乳品预警 M1'),
  ]);
}

beforeAll(async () => {
  robots = await startRobots();
  base = robots.base;
  await start();
  await server.addStores([{ store_id: 'S1', name: '南京新街口店', territory: '苏中苏北', region: '华东', city: '南京', lat: 32.04, lon: 118.78 }]);
  const add = async (key: string, channel: object) => (channels[key] = (await ok('POST', '/v1/channels', channel)).channel_id);
  await add('wecom', { name: '饮料品类群', kind: 'wecom', url: `${base}/cgi-bin/webhook/send?key=robot-key` });
  await add('dingtalk', { name: 'Directors', kind: 'dingtalk', url: `${base}/robot/send?access_token=robot-token`, secret: DINGTALK_SECRET, language: 'en' });
  await add('hook', { name: 'ERP', kind: 'webhook', url: `${base}/hook`, secret: WEBHOOK_SECRET });
});
afterAll(async () => {
  await server?.stop();
  robots?.close();
  // On the ClickHouse server shape: the database the restarts shared.
  await serverShapeEnv(dataDir, {}).drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('morning digest', () => {
  it('is set per channel, sent now to test, then once a day at its hour in each platform format, across restarts', async () => {
    // 07:58 local: the 08:00 digests are two minutes away.
    server.platform.clock.advance(untilLocal(7, 58));
    await plantAlerts(server.platform.clock.now());

    expect(await ok('PUT', `/v1/channels/${channels.wecom}/digest`, { role: 'category_manager', categories: ['饮料'], hour: 8 })).toMatchObject({
      role: 'category_manager',
      categories: ['饮料'],
      hour: 8,
      language: 'zh',
      timezone: ZONE,
      last_sent: null,
    });
    await ok('PUT', `/v1/channels/${channels.dingtalk}/digest`, { role: 'director', hour: 8 });
    await ok('PUT', `/v1/channels/${channels.hook}/digest`, { role: 'territory_lead', territories: ['苏中苏北'], hour: 9, language: 'en' });
    const bad = await server.app.inject({
      method: 'PUT',
      url: `/v1/channels/${channels.hook}/digest`,
      headers: server.admin(),
      payload: { role: 'director', hour: 24 },
    });
    expect(bad.statusCode).toBe(400);
    expect((await ok('GET', '/v1/digest-subscriptions')).subscriptions).toHaveLength(3);

    // "Send digest now": marked a test, and the day's digest still goes at its hour.
    expect(await ok('POST', `/v1/channels/${channels.wecom}/digest/send`, {})).toEqual({ delivered: true, attempts: 1 });
    expect(on('/cgi-bin/webhook/send')[0]!.body.markdown.content).toMatch(/^### \[测试\] 晨报 · /);
    robots.received.length = 0;

    const { digests, clock } = server.platform;
    expect((await digests.run(clock.now())).sent).toEqual([]);
    clock.advance(3 * MINUTE); // 08:01
    const day = new Date(clock.now().getTime() + zoneOffsetMs()).toISOString().slice(0, 10);
    // The notifier's own minute check may get there first (runs never overlap): the receivers count what was sent.
    expect((await digests.run(clock.now())).day).toBe(day);
    expect(counts()).toEqual([1, 1, 0]);

    // The category manager's card: its category's new and overdue alerts, cut to WeCom's 4,096 bytes with the link kept.
    const [wecom] = on('/cgi-bin/webhook/send');
    expect(wecom!.accepted).toBe(true);
    const content: string = wecom!.body.markdown.content;
    expect(content).toMatch(new RegExp(`^### 晨报 · ${day} · 品类经理`));
    expect(content).toContain('**新预警（近 24 小时） (30)**');
    expect(content).toContain('饮料新预警 D');
    expect(content).not.toContain('乳品预警');
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(content.endsWith(`[查看晨报](${PUBLIC_URL}/digest)`)).toBe(true);

    // The director's card on DingTalk, signed.
    const [dingtalk] = on('/robot/send');
    expect(dingtalk!.accepted).toBe(true);
    expect(dingtalk!.body.markdown.title).toBe(`Morning digest · ${day} · sales director`);
    expect(dingtalk!.body.markdown.text).toContain('**Territories**\n- 苏中苏北');
    expect(dingtalk!.body.markdown.text).toContain(`[Open the digest](${PUBLIC_URL}/digest)`);

    // A second check in the same hour sends nothing more.
    clock.advance(MINUTE);
    await digests.run(clock.now());
    expect(counts()).toEqual([1, 1, 0]);

    const sent = (await ok('GET', '/v1/digest-subscriptions')).subscriptions.find((s: any) => s.channel_id === channels.wecom);
    expect(sent.last_sent).toMatchObject({ day, status: 'sent', error: '' });

    // Down over 09:00 (stopped at 08:02, back at 09:05): the 09:00 digest goes when it is back, the 08:00 ones not again.
    const moved = clock.now().getTime() - Date.now();
    await server.stop();
    await start();
    server.platform.clock.advance(moved + 63 * MINUTE);
    await server.platform.digests.run(server.platform.clock.now());
    expect(counts()).toEqual([1, 1, 1]);
    const [hook] = on('/hook');
    expect(hook!.headers['x-shelfpulse-signature']).toBe(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(hook!.raw).digest('hex')}`);
    expect(hook!.headers['x-shelfpulse-event']).toBe('digest');
    expect(hook!.body).toMatchObject({ event: 'digest', role: 'territory_lead', day, test: false, link: `${PUBLIC_URL}/digest` });
    expect(hook!.body.digest.territories.map((t: any) => t.territory)).toEqual(['苏中苏北']);

    // Restarted again within the hour: nothing twice.
    const movedAgain = server.platform.clock.now().getTime() - Date.now();
    await server.stop();
    await start();
    server.platform.clock.advance(movedAgain + 5 * MINUTE);
    await server.platform.digests.run(server.platform.clock.now());
    expect(counts()).toEqual([1, 1, 1]);

    // The next day at 09:05 every digest goes again, once.
    server.platform.clock.advance(24 * HOUR);
    expect((await server.platform.digests.run(server.platform.clock.now())).day).not.toBe(day);
    await server.platform.digests.run(server.platform.clock.now());
    expect(counts()).toEqual([2, 2, 2]);
  });

  it('a channel without a digest answers 404 to send now; removing the digest stops it', async () => {
    const res = await server.app.inject({ method: 'POST', url: `/v1/channels/${channels.hook}/digest/send`, headers: server.admin(), payload: {} });
    expect(res.statusCode).toBe(200);
    await ok('DELETE', `/v1/channels/${channels.hook}/digest`, {});
    const gone = await server.app.inject({ method: 'POST', url: `/v1/channels/${channels.hook}/digest/send`, headers: server.admin(), payload: {} });
    expect([gone.statusCode, gone.json().message]).toEqual([404, expect.stringMatching(/carries no digest/)]);
    expect((await ok('GET', '/v1/digest-subscriptions')).subscriptions.map((s: any) => s.channel_id)).not.toContain(channels.hook);
  });
});
