import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ARTIFACTS } from './harness.ts';

// The admin sets up a WeCom group robot from the web and tests it; a merchandiser finds the alert assigned to them
// under "My alerts" on a phone, sees that it is overdue and comments on it. Served from a LAN name, not localhost.
let server: TestServer;
let browser: Browser;
let origin: string;
let robot: http.Server;
let robotUrl = '';
const messages: { key: string | null; body: any }[] = [];
const PASSWORD = 'shelf-pulse-2026';

beforeAll(async () => {
  robot = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      messages.push({ key: new URL(req.url!, 'http://robot').searchParams.get('key'), body: JSON.parse(raw) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise<void>((resolve) => robot.listen(0, '127.0.0.1', resolve));
  robotUrl = `http://127.0.0.1:${(robot.address() as { port: number }).port}/cgi-bin/webhook/send?key=e2e-key`;
  server = await startTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://shelfpulse.test:${(server.app.server.address() as { port: number }).port}`;
  await server.addStores([{ store_id: 'S1', name: '南京新街口店', territory: '苏中苏北', region: '华东', city: '南京', lat: 32.04, lon: 118.78 }]);
  const user = await server.app.inject({
    method: 'POST',
    url: '/v1/users',
    headers: server.admin(),
    payload: { username: 'merch.e2e', password: PASSWORD, role: 'merchandiser', territories: ['苏中苏北'] },
  });
  expect(user.statusCode, user.body).toBe(201);
  // A price gap opened three days ago and assigned to the merchandiser: overdue (due 48 h after opening).
  const opened = new Date(Date.now() - 3 * 86_400_000).toISOString();
  await server.platform.warehouse.insert('alerts', [
    {
      id: 'price_gap:S1:P1:e2e',
      type: 'price_gap',
      status: 'open',
      store_id: 'S1',
      sku: 'P1',
      territory: '苏中苏北',
      category: '饮料',
      created_at: opened,
      updated_at: opened,
      as_of: opened.slice(0, 10),
      severity: 'medium',
      message_zh: '南京新街口店：竞品恒泰矿泉水比我方清泉矿泉水便宜15.0%。',
      message_en: 'S1: competitor price 15.0% under ours.',
      suggestion_zh: '重新报价。',
      suggestion_en: 'Re-quote.',
      evidence: JSON.stringify({
        own_sku: 'P1',
        competitor_sku: 'C1',
        own_price: 10,
        own_price_source: 'regular',
        regular_price: 10,
        competitor_price: 8.5,
        gap: 0.15,
        observed_at: opened,
      }),
      assignee: 'merch.e2e',
      resolved_at: null,
      version: 1,
    },
  ]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--host-resolver-rules=MAP shelfpulse.test 127.0.0.1'],
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  robot?.close();
});

describe('channels and My alerts in the web app', () => {
  it('an admin adds a WeCom robot on the admin page and sends it a test message', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await context.addInitScript((token) => localStorage.setItem('shelfpulse.token', token), server.admin().authorization!.slice(7));
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`${origin}/admin`);
    const channels = page.locator('[data-testid=channels]');
    await channels.getByText('尚未添加通知渠道。').waitFor();
    await channels.getByLabel('名称').fill('苏中苏北 门店群');
    await channels.getByLabel('Webhook 地址').fill(robotUrl);
    await channels.getByLabel('区域（逗号分隔，留空 = 全部）').fill('苏中苏北');
    await channels.getByRole('button', { name: '添加渠道' }).click();
    const row = channels.locator('[data-channel]');
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => row.textContent()).toContain('企业微信群机器人');
    await row.locator('[data-action=test]').click();
    await expect.poll(() => row.getByRole('status').textContent()).toBe('测试消息已送达（1 次尝试）。');
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-channels-zh.png'), fullPage: true });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ key: 'e2e-key', body: { msgtype: 'markdown', markdown: { content: expect.stringContaining('测试消息') } } });
    await context.close();
  });

  it('a merchandiser finds the alert assigned to them under My alerts on a phone, overdue, acknowledges it and comments', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`${origin}/login`);
    await page.fill('input[name=username]', 'merch.e2e');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/capture$/);
    await page.click('header nav a[href="/alerts"]');
    await page.check('[data-testid=filter-mine]');
    const alert = page.locator('[data-alert="price_gap:S1:P1:e2e"]');
    await alert.waitFor();
    expect(await page.locator('[data-alert]').count()).toBe(1);
    await expect.poll(() => alert.locator('[data-testid=overdue]').textContent()).toBe('Overdue');
    // The rep it is assigned to acknowledges it and comments on it.
    await alert.locator('[data-action=ack]').click();
    await expect.poll(() => alert.getAttribute('data-status')).toBe('acknowledged');
    await alert.locator('[data-action=trail]').click();
    // The trail's list appears above the comment box when it arrives; commenting before that is a click on a moving
    // button (a tap the list pushed away, which is how this test once failed).
    await expect.poll(() => alert.locator('[data-testid=alert-trail] li').allTextContents()).toEqual([expect.stringMatching(/merch\.e2e\s*acknowledged/)]);
    await alert.getByLabel('Comment').fill('Price tag replaced, checking tomorrow');
    await alert.getByRole('button', { name: 'Add comment' }).click();
    await expect
      .poll(() => alert.locator('[data-testid=alert-trail] li').allTextContents())
      .toEqual([expect.stringMatching(/merch\.e2e\s*acknowledged/), expect.stringMatching(/merch\.e2e\s*commented: “?Price tag replaced, checking tomorrow/)]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(ARTIFACTS, 'my-alerts-phone-en.png'), fullPage: true });
    await context.close();
  });
});
