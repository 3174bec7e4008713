/// <reference lib="dom" />
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay, previousDay } from '../../lib/days.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { type Box, iou, registerAllBut, type UntaughtBay, untaughtBay } from '../support/untaught-pack.ts';
import { ARTIFACTS, launchChromium, pageSignedIn } from './harness.ts';

// A category manager teaches the chain a product on the store page, as the real server and the built web app serve
// it: the packs of a product with no pack shot and no words came back unknown; after naming them with the product
// picker and the recognition job, the page's share of shelf is the one the taught photo gives.
const YESTERDAY = previousDay(localDay(Date.now(), 'Asia/Shanghai'));

let server: TestServer;
let browser: Browser;
let baseUrl: string;
let bay: UntaughtBay;

beforeAll(async () => {
  bay = await untaughtBay();
  server = await startTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;
  await server.addStores([{ store_id: 'S1', name: '上海人民路店', territory: '上海大区', region: '华东', city: '上海', lat: 31.23, lon: 121.47 }]);
  await registerAllBut(server, bay.taught);
  const form = new FormData();
  form.append('store_id', 'S1');
  form.append('taken_at', `${YESTERDAY}T10:00:00+08:00`);
  form.append('photo', new Blob([new Uint8Array(bay.jpeg)], { type: 'image/jpeg' }), 'bay.jpg');
  const uploaded = await fetch(`${baseUrl}/v1/photos`, { method: 'POST', headers: { authorization: server.admin().authorization! }, body: form });
  expect(uploaded.status).toBe(201);
  browser = await launchChromium();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A share as the page prints it in English (one decimal at most). */
const printed = (share: number) => new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(share);

describe('teaching on the store page, in Chromium against the real server', () => {
  it('a category manager names the unknown-pack group with the product picker, and the share of shelf follows', async () => {
    const token = await server.issueToken({ name: 'zhou.category', role: 'category_manager' });
    const page = await pageSignedIn(browser, token, 'en');
    await page.goto(`${baseUrl}/stores/S1`);
    const share = page.locator('[data-testid=store-kpis] .kpi').nth(4).locator('.value');
    await expect.poll(() => share.textContent(), { timeout: 30_000 }).toBe(printed(bay.shareBefore));

    // The group where the untaught product stands, as the category manager recognises it by its crops.
    const groups = page.locator('[data-testid=unknown-group]');
    await expect.poll(() => groups.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const answer = await server.app.inject({ method: 'GET', url: '/v1/unknown-packs?store_id=S1', headers: server.admin() });
    const overlap = (answer.json().groups as { packs: { bbox: Box }[] }[]).map(
      (g) => g.packs.filter((p) => bay.truthBoxes.some((t) => iou(p.bbox, t) > 0.5)).length,
    );
    const index = overlap.indexOf(Math.max(...overlap));
    expect(overlap[index]).toBeGreaterThan(0);
    const group = groups.nth(index);
    await group.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'teach-before.png') });

    await group.locator('input[type=search]').fill(bay.taught);
    await group.locator('.picker li button', { hasText: bay.taught }).click();
    await expect.poll(() => group.locator('[data-testid=picked-product]').textContent()).toContain(bay.taught);
    await group.locator('[data-testid=assign-group]').click();

    const job = page.locator('[data-testid=teach-job]');
    await expect.poll(() => job.textContent(), { timeout: 90_000 }).toContain('✓');
    await expect.poll(() => share.textContent(), { timeout: 30_000 }).toBe(printed(bay.shareAfter));
    await page.screenshot({ path: path.join(ARTIFACTS, 'teach-after.png') });
  });
});
