import http from 'node:http';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ARTIFACTS, launchChromium, pageSignedIn } from './harness.ts';

// A category manager opens a dormant-customer alert and sees why it is dormant: its weeks of orders, the last
// order and the usual interval (zh and en). An admin sets a channel's morning digest and sends it now.
let server: TestServer;
let browser: Browser;
let origin: string;
let robot: http.Server;
const messages: any[] = [];
let alertId = '';

beforeAll(async () => {
  robot = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      messages.push(JSON.parse(raw));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise<void>((resolve) => robot.listen(0, '127.0.0.1', resolve));
  server = await startTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;
  await server.addStores([{ store_id: 'C1', name: '苏州客户', territory: '苏南', region: '华东', city: '苏州', lat: 31.3, lon: 120.6 }]);
  await server.app.inject({
    method: 'POST',
    url: '/v1/products',
    headers: server.admin(),
    payload: [{ sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 2, is_competitor: false }],
  });
  // Every 14 days from June to mid-August, then nothing: dormant by late November.
  const orders = ['2026-06-01', '2026-06-15', '2026-06-29', '2026-07-13', '2026-07-27', '2026-08-10'].map((day, i) => ({
    ...{ event_id: `o${i}`, order_id: `O${i}`, store_id: 'C1', sku: 'P1', ts: `${day}T10:00:00+08:00`, qty: 10, unit_price: 1.5 },
  }));
  expect((await server.app.inject({ method: 'POST', url: '/v1/events/orders', headers: server.admin(), payload: orders })).statusCode).toBe(202);
  await server.settle();
  const close = await server.app.inject({ method: 'POST', url: '/v1/alerts/evaluate', headers: server.admin(), payload: { as_of: '2026-11-20' } });
  expect(close.json().by_type.dormant_customer).toMatchObject({ opened: 1 });
  alertId = (await server.app.inject({ method: 'GET', url: '/v1/alerts?type=dormant_customer', headers: server.admin() })).json().alerts[0].id;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  robot?.close();
});

describe('dormant customer evidence and the digest on the admin page', () => {
  for (const [lang, words] of [
    ['zh', { last: '最近订货', sinceTerm: '距今', since: '102 天', interval: '通常间隔', days: '14 天' }],
    ['en', { last: 'Last order', sinceTerm: 'Since', since: '102 days', interval: 'Usual interval', days: '14 days' }],
  ] as const) {
    it(`the dormant-customer alert shows the order history (${lang})`, async () => {
      const page = await pageSignedIn(browser, server.admin().authorization!.slice(7), lang, { width: 1280, height: 900 });
      await page.goto(`${origin}/alerts?id=${encodeURIComponent(alertId)}`);
      const alert = page.locator(`[data-alert="${alertId}"]`);
      const facts = alert.locator('[data-testid=order-history-facts] > div');
      await facts.first().waitFor();
      // Each fact is its term and its value.
      expect((await facts.allTextContents()).slice(0, 3)).toEqual([
        `${words.last}2026-08-10`,
        `${words.sinceTerm}${words.since}`,
        `${words.interval}${words.days}`,
      ]);
      // One bar per week with orders (six), drawn in the chart.
      await expect.poll(() => alert.locator('[data-testid=order-history] svg rect').count()).toBeGreaterThanOrEqual(6);
      await page.screenshot({ path: path.join(ARTIFACTS, `dormant-order-history-${lang}.png`), fullPage: true });
      await page.context().close();
    });
  }

  it('the store page shows the same order history', async () => {
    const page = await pageSignedIn(browser, server.admin().authorization!.slice(7), 'en', { width: 1280, height: 900 });
    await page.goto(`${origin}/stores/C1`);
    const lastOrder = page.locator('[data-testid=store-orders] [data-testid=order-history-facts] > div').first();
    await lastOrder.waitFor();
    expect(await lastOrder.textContent()).toBe('Last order2026-08-10');
    await page.context().close();
  });

  it("an admin sets a channel's morning digest and sends it now", async () => {
    const port = (robot.address() as { port: number }).port;
    const added = await server.app.inject({
      method: 'POST',
      url: '/v1/channels',
      headers: server.admin(),
      payload: { name: '饮料品类群', kind: 'wecom', url: `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=k` },
    });
    expect(added.statusCode).toBe(201);
    const page = await pageSignedIn(browser, server.admin().authorization!.slice(7), 'zh', { width: 1280, height: 900 });
    await page.goto(`${origin}/admin`);
    const digest = page.locator('[data-testid=channel-digest]');
    await digest.locator('[data-action=digest-add]').click();
    await digest.locator('select[name=role]').selectOption('category_manager');
    await digest.locator('select[name=hour]').selectOption('7');
    await digest.locator('input[name=categories]').fill('饮料');
    await digest.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => digest.textContent()).toContain('每天 07:00');
    await digest.locator('[data-action=digest-send]').click();
    await expect.poll(() => digest.getByRole('status').textContent()).toBe('晨报已送达。');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ msgtype: 'markdown', markdown: { content: expect.stringMatching(/^### \[测试\] 晨报 · .* · 品类经理/) } });
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-digest-zh.png'), fullPage: true });
    await page.context().close();
  });
});
