import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoAnalysis } from '../../pipelines/metrics.ts';
import { demoRenderOptions } from '../../synthetic/demo-shelves.ts';
import { renderShelf } from '../../synthetic/render.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ARTIFACTS, launchChromium } from './harness.ts';

// A merchandiser's phone on the store Wi-Fi: Chromium at 390×844 reaching the server by a LAN name over plain http
// (shelfpulse.test resolves to loopback), with 12 MP (4000×3000) shelf photos.
let server: TestServer;
let browser: Browser;
let origin: string;
let token: string;
const PHONE = { width: 390, height: 844 };
const STORE = { store_id: 'S1', name: '上海人民路大卖场一号店', territory: '上海大区', region: '华东', city: '上海', lat: 31.2304, lon: 121.4737 };

/** A rendered demo bay scaled to a phone camera's 4000×3000, as a file the page's input takes. */
async function phonePhoto(seed: number, name: string) {
  const { jpeg } = await renderShelf(seed, demoRenderOptions('none'));
  const buffer = await sharp(jpeg).resize(4000, 3000).jpeg({ quality: 90 }).toBuffer();
  return { name, mimeType: 'image/jpeg', buffer };
}

const analysesSoFar = async () => (await photoAnalysis.get()).values.filter((v) => v.metricName?.endsWith('_count')).reduce((n, v) => n + v.value, 0);

async function phone(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-GB' });
  await context.addInitScript((t) => localStorage.setItem('shelfpulse.token', t), token);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  return { context, page };
}

async function startVisit(page: Page): Promise<string> {
  await page.goto(`${origin}/capture`);
  await page.getByTestId('visit-start').click();
  await page.getByTestId('visit').waitFor();
  return (await page.getByTestId('visit').getAttribute('data-visit-id'))!;
}

const shots = (page: Page, state: string) => page.locator(`[data-testid="capture-shot"][data-state="${state}"]`);

beforeAll(async () => {
  server = await startTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://shelfpulse.test:${(server.app.server.address() as { port: number }).port}`;
  await server.addStores([STORE]);
  await server.useDemoCatalogue();
  const { truth } = await renderShelf(900_101, demoRenderOptions('none'));
  const planogram = await server.app.inject({
    method: 'POST',
    url: '/v1/planograms',
    headers: server.admin(),
    payload: [{ store_id: 'S1', bay: 'A1', shelf_rows: truth.planogram }],
  });
  expect(planogram.statusCode).toBe(202);
  token = await server.issueToken({ name: 'li.na', role: 'merchandiser', store_ids: ['S1'] });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a store visit on a phone', () => {
  it('is recorded bay by bay: planogram bays and a named one, each result as it arrives, a note, the close', async () => {
    const { context, page } = await phone();
    const visitId = await startVisit(page);
    // The store's planogram bay is offered; a photo of it comes back checked against the planogram.
    await page.getByTestId('visit-bays').getByRole('button', { name: /A1/ }).click();
    await page.getByTestId('capture-files').setInputFiles(await phonePhoto(900_101, 'IMG_0001.jpg'));
    await expect.poll(() => shots(page, 'sent').count(), { timeout: 30_000 }).toBe(1);
    const first = page.getByTestId('capture-shot').first();
    expect(await first.getAttribute('data-status')).toBe('analyzed');
    expect(await first.locator('img.thumb').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);

    await page.getByTestId('visit-new-bay').fill('B7 饮料端架');
    await page.getByTestId('visit-add-bay').click();
    await page.getByTestId('capture-files').setInputFiles(await phonePhoto(900_102, 'IMG_0002.jpg'));
    await expect.poll(() => shots(page, 'sent').count(), { timeout: 30_000 }).toBe(2);

    await page.getByTestId('note-kind').selectOption('activity');
    await page.getByTestId('note-text').fill('恒泰 堆头 买二送一');
    await page.getByTestId('note-add').click();
    await expect.poll(() => page.locator('[data-testid="visit-notes"] li[data-state="sent"]').count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'capture-visit-phone-en.png'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    await page.getByTestId('visit-close').click();
    await page.getByTestId('visit-new').waitFor();
    await expect
      .poll(async () => (await server.app.inject({ url: `/v1/visits/${visitId}`, headers: { authorization: `Bearer ${token}` } })).json(), { timeout: 15_000 })
      .toMatchObject({ closed_at: expect.any(String) });
    const answer = (await server.app.inject({ url: `/v1/visits/${visitId}`, headers: { authorization: `Bearer ${token}` } })).json();
    expect(answer).toMatchObject({
      store_id: 'S1',
      started_by: 'li.na',
      bays: ['A1', 'B7 饮料端架'],
      notes: [{ kind: 'activity', text: '恒泰 堆头 买二送一' }],
    });
    expect(answer.photos).toHaveLength(2);
    // Plain http on a LAN gives the page no GPS (a secure-context API): the store was picked from the list, no distance.
    expect(answer.distance_m).toBeNull();
    // Sent at the 2048 px the server analyses, not the 4000 px taken; the A1 photo was checked against its planogram.
    const [a1] = await server.platform.warehouse.query<{ width: number; analysis: string }>(
      "SELECT width, analysis FROM photos FINAL WHERE visit_id = {v:String} AND bay = 'A1'",
      { v: visitId },
    );
    expect(Number(a1!.width)).toBe(2048);
    expect(JSON.parse(a1!.analysis).planogram).toMatchObject({ score: expect.any(Number) });

    // The store page lists the visit.
    await page.goto(`${origin}/stores/S1`);
    await expect.poll(() => page.getByTestId('store-visits').textContent(), { timeout: 15_000 }).toContain('B7 饮料端架');
    await context.close();
  }, 120_000);

  it('keeps photos taken without signal across a reload and uploads each exactly once when the network is back', async () => {
    const { context, page } = await phone();
    const visitId = await startVisit(page);
    await page.getByTestId('visit-bays').getByRole('button', { name: /A1/ }).click();
    const before = await analysesSoFar();

    await context.setOffline(true);
    for (const [i, seed] of [900_111, 900_112, 900_113].entries()) {
      await page.getByTestId('capture-files').setInputFiles(await phonePhoto(seed, `IMG_01${i}.jpg`));
      await expect.poll(() => page.getByTestId('capture-waiting').textContent(), { timeout: 15_000 }).toContain(String(i + 1));
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'capture-offline-phone-en.png'), fullPage: true });

    // The page must load to be reloaded (plain http has no service worker): the API stays unreachable meanwhile.
    await context.route('**/v1/photos', (route) => route.abort('internetdisconnected'));
    await context.setOffline(false);
    await page.reload();
    await expect.poll(() => page.getByTestId('capture-waiting').textContent(), { timeout: 15_000 }).toContain('3');
    expect(await shots(page, 'waiting').count()).toBe(3);
    expect(await page.locator('[data-testid="capture-shot"] img.thumb').count()).toBe(3);

    // The network is back; the first answer is lost on the way (the server has the photo, the phone does not know).
    let lost = false;
    await context.unroute('**/v1/photos');
    await context.route('**/v1/photos', async (route) => {
      if (lost) return route.continue();
      lost = true;
      // Sent from the test's side, which does not know the LAN name; the browser sees the connection drop.
      await route.fetch({ url: route.request().url().replace('shelfpulse.test', '127.0.0.1') });
      await route.abort('connectionreset');
    });
    await expect.poll(() => shots(page, 'sent').count(), { timeout: 60_000 }).toBe(3);
    await expect.poll(() => page.getByTestId('capture-waiting').count()).toBe(0);
    expect(lost).toBe(true);

    const [stored] = await server.platform.warehouse.query<{ photos: number }>('SELECT count() AS photos FROM photos FINAL WHERE visit_id = {v:String}', {
      v: visitId,
    });
    expect(Number(stored!.photos)).toBe(3);
    // Each photo analysed once, the one whose answer was lost included.
    expect((await analysesSoFar()) - before).toBe(3);

    // The results survive a reload too.
    await page.reload();
    await expect.poll(() => shots(page, 'sent').count(), { timeout: 15_000 }).toBe(3);
    await context.close();
  }, 180_000);
});
