/// <reference lib="dom" />
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRenderOptions } from '../../synthetic/demo-shelves.ts';
import { type Box, renderShelf } from '../../synthetic/render.ts';
import { ADMIN_TOKEN, ARTIFACTS, startWebHarness, type WebHarness } from './harness.ts';

// The app as a phone on the store Wi-Fi has it: a LAN name over plain http (not localhost), a 390×844 touch screen,
// 12 MP photos, some of them stored on their side with an EXIF orientation as phone cameras save them.
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const LONG_NAME = '欧阳娜娜华东重点客户事业部上海市浦东新区张江高科技园区旗舰大卖场一号店';
const shot = (name: string) => ({ path: path.join(ARTIFACTS, `phone-${name}.png`) });
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Intersection over union of two [x, y, w, h] boxes. */
const iou = (a: Box, b: Box) => {
  const w = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  return (w * h) / (a[2] * a[3] + b[2] * b[3] - w * h);
};

describe('the web app on a phone over the store Wi-Fi', () => {
  let web: WebHarness;
  let tokens: Record<string, string>;
  let ownStore: string;
  let period: string;

  beforeAll(async () => {
    web = await startWebHarness();
    const inject = (method: 'GET' | 'POST', url: string, payload?: object) =>
      web.server.app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });
    const map = (await inject('GET', '/v1/map')).json() as { to: string; stores: { store_id: string; territory: string; region: string; city: string }[] };
    period = map.to;
    const [first] = map.stores;
    ownStore = first!.store_id;
    // A store manager with three stores, one of them with a name as long as real ones get.
    const added = await inject('POST', '/v1/stores', [{ ...first, store_id: 'S9001', name: LONG_NAME, lat: 31.2, lon: 121.6, format: 'hypermarket' }]);
    expect(added.statusCode, added.body).toBe(202);
    const grants = {
      admin: { role: 'admin' },
      director: { role: 'sales_director' },
      category: { role: 'category_manager' },
      manager: { role: 'store_manager', store_ids: ['S9001', ownStore, 'S0007'] },
      merch: { role: 'merchandiser', store_ids: [ownStore] },
    };
    tokens = {};
    for (const [name, grant] of Object.entries(grants)) {
      const res = await inject('POST', '/v1/tokens', { name: `phone-${name}`, ...grant });
      expect(res.statusCode, res.body).toBe(201);
      tokens[name] = res.json().token;
    }
  }, 900_000); // the demo chain and its 24 analysed shelf photos: minutes on a busy two-core machine (over 7 with other work on it)
  afterAll(async () => {
    await web?.stop();
  });

  const phonePage = async (user: string | null, lang: 'zh' | 'en') => {
    const context = await web.browser.newContext({ ...PHONE, locale: lang === 'zh' ? 'zh-CN' : 'en-GB' });
    await context.addInitScript(
      ([token, language]) => {
        if (token) localStorage.setItem('shelfpulse.token', token);
        localStorage.setItem('shelfpulse.lang', language!);
      },
      [user ? tokens[user]! : '', lang],
    );
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    return page;
  };

  /** Waits until the page's content is drawn (its data loaded, not its loading state), by what each page shows last. */
  const ready = async (page: import('playwright-core').Page, route: string) => {
    const drawnBy: [string, string][] = [
      ['/alerts/quality', '[data-testid=quality-by_type]'],
      ['/stores/', '[data-testid=store-kpis]'],
      // Before a visit the store picker, during one the visit.
      ['/capture', '[data-testid=visit-start], [data-testid=visit]'],
      ['/login', 'input[type=password]'],
      ['/digest', '[data-testid=digest-period]'],
      ['/reports', '[data-testid=ranking] table'],
      ['/admin', '[data-testid=channels]'],
    ];
    const selector = drawnBy.find(([prefix]) => route.startsWith(prefix))?.[1];
    if (selector) await page.waitForSelector(selector, { state: 'attached', timeout: 30_000 });
    else if (route.startsWith('/alerts')) await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=alert-total]')?.textContent ?? ''));
    else await page.waitForSelector('[data-stores-rendered]', { state: 'attached', timeout: 30_000 });
    await page.waitForTimeout(300); // charts lay out after their data
  };

  it('lays out every page of every role at 390 px without sideways scrolling, in zh and en', async () => {
    const pages: Record<string, string[]> = {
      admin: ['/', '/alerts', '/alerts/quality', '/capture', '/stores/S0007', '/admin'],
      director: ['/', `/?territory=${encodeURIComponent('苏南')}`, '/digest', '/reports', '/alerts', '/stores/S0007'],
      category: ['/', '/alerts', '/stores/S0007'],
      manager: ['/', '/alerts', '/capture', '/stores/S9001', '/stores/S0007'],
      merch: ['/capture', '/alerts', `/stores/${ownStore}`],
    };
    const wide: string[] = [];
    for (const lang of ['zh', 'en'] as const) {
      const signedOut = await phonePage(null, lang);
      await signedOut.goto(`${web.lanUrl}/login`);
      await ready(signedOut, '/login');
      const width = await signedOut.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
      if (width[0]! > width[1]!) wide.push(`${lang} /login ${width[0]}`);
      await signedOut.context().close();
      for (const [user, routes] of Object.entries(pages)) {
        const page = await phonePage(user, lang);
        for (const route of routes) {
          await page.goto(`${web.lanUrl}${route}`);
          await ready(page, route);
          const [scrollWidth, viewportWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
          if (scrollWidth! > viewportWidth!) wide.push(`${lang} ${user} ${route} ${scrollWidth}`);
          // The header (language switch, sign out) stays on the screen.
          const signOut = await page.locator('.signout').boundingBox();
          expect(signOut && signOut.x + signOut.width <= 390, `${lang} ${user} ${route}: sign out off screen`).toBe(true);
          if (lang === 'zh' && user === 'manager' && route === '/stores/S9001') await page.screenshot(shot('manager-long-name-zh'));
          if (user === 'category' && route === '/stores/S0007') await page.screenshot({ ...shot(`store-${lang}`), fullPage: true });
          if (lang === 'en' && user === 'category' && route === '/alerts') await page.screenshot(shot('alerts-en'));
          if (lang === 'zh' && user === 'merch') await page.screenshot(shot(`merch-${route.split('/')[1]}-zh`));
        }
        await page.context().close();
      }
    }
    expect(wide).toEqual([]);
  }, 600_000);

  it('gives the director a phone home: territories with change and spark line, stores to look at, a map to zoom, links down to a store', async () => {
    for (const lang of ['zh', 'en'] as const) {
      const page = await phonePage('director', lang);
      await page.goto(`${web.lanUrl}/`);
      await ready(page, '/');
      await page.screenshot(shot(`director-home-${lang}`));
      const rows = page.locator('[data-testid=territory-list] a');
      expect(await rows.count()).toBeGreaterThan(3);
      // The list comes before the map, each row a 44 px link with its spark line.
      const listTop = (await page.locator('[data-testid=territory-list]').boundingBox())!.y;
      expect(listTop).toBeLessThan((await page.locator('[data-testid=territory-map]').boundingBox())!.y);
      for (const box of await rows.evaluateAll((links) => links.map((a) => a.getBoundingClientRect().height))) expect(box).toBeGreaterThanOrEqual(44);
      expect(await page.locator('[data-testid=territory-list] svg.spark').count()).toBe(await rows.count());
      expect(await page.locator('[data-testid=attention] a[href^="/stores/"]').count()).toBeGreaterThan(0);

      // The map: its legend on it, zoom buttons of 44 px, a zoom that takes.
      await page.locator('[data-testid=territory-map]').scrollIntoViewIfNeeded();
      const map = (await page.locator('[data-testid=territory-map]').boundingBox())!;
      const legend = (await page.locator('[data-testid=territory-map] .overlay').boundingBox())!;
      expect(legend.y).toBeGreaterThanOrEqual(map.y);
      expect(legend.y + legend.height).toBeLessThanOrEqual(map.y + map.height);
      const zoomIn = page.locator('[data-testid=zoom-in]');
      expect((await zoomIn.boundingBox())!.height).toBeGreaterThanOrEqual(44);
      await zoomIn.tap();
      await expect.poll(() => page.locator('[data-testid=territory-map]').getAttribute('data-zoom')).toBe('2.00');
      await page.screenshot(shot(`director-map-${lang}`));

      // Territory → its stores → a store page, by taps.
      const territory = await rows.first().getAttribute('data-territory');
      await rows.first().tap();
      await page.waitForSelector('[data-testid=territory-stores] a[href^="/stores/"]');
      expect(new URL(page.url()).searchParams.get('territory')).toBe(territory);
      expect(Number(await page.locator('[data-testid=territory-map]').getAttribute('data-zoom'))).toBeGreaterThan(1);
      await page.screenshot(shot(`director-territory-${lang}`));
      await page.locator('[data-testid=territory-stores] a[href^="/stores/"]').first().tap();
      await page.waitForSelector('[data-testid=store-kpis]');
      expect(page.url()).toMatch(/\/stores\/S\d+/);
      await page.context().close();
    }
  }, 180_000);

  it('draws the boxes on the packs of a 4000×3000 phone photo, upright whatever its EXIF orientation', async () => {
    // A demo bay rendered at 1600×1200, scaled to a 12 MP phone photo; turned on its side with the orientation tag
    // that makes a viewer turn it back, as a phone held sideways saves it.
    const shelf = await renderShelf(900_077, demoRenderOptions('none'));
    const upright = await sharp(shelf.jpeg).resize(4000, 3000).jpeg({ quality: 90 }).toBuffer();
    const turn = { 1: 0, 6: 270, 8: 90, 3: 180 } as const;
    const uploads: { orientation: number; photoId: string; detections: number }[] = [];
    for (const [i, orientation] of ([1, 6, 8, 3] as const).entries()) {
      const file = orientation === 1 ? upright : await sharp(upright).rotate(turn[orientation]).withMetadata({ orientation }).jpeg({ quality: 90 }).toBuffer();
      const meta = await sharp(file).metadata();
      expect([meta.width, meta.height, meta.orientation ?? 1]).toEqual(
        orientation === 6 || orientation === 8 ? [3000, 4000, orientation] : [4000, 3000, orientation],
      );
      const form = new FormData();
      form.set('store_id', ownStore);
      form.set('taken_at', `${period}T20:0${i}:00+08:00`);
      form.append('photo', new Blob([new Uint8Array(file)], { type: 'image/jpeg' }), `bay-${orientation}.jpg`);
      const res = await fetch(`${web.baseUrl}/v1/photos`, { method: 'POST', headers: admin, body: form });
      expect(res.status).toBe(201);
      const [photo] = ((await res.json()) as { photos: { photo_id: string; status: string; width: number; image_width: number; detections: unknown[] }[] })
        .photos;
      expect(photo).toMatchObject({ status: 'analyzed', width: 4000, image_width: 2000 });
      uploads.push({ orientation, photoId: photo!.photo_id, detections: photo!.detections.length });
    }

    const page = await phonePage('merch', 'zh');
    await page.goto(`${web.lanUrl}/stores/${ownStore}`);
    await ready(page, `/stores/${ownStore}`);
    for (const upload of uploads) {
      const figure = page.locator(`figure.photo:has(img[alt="${upload.photoId}"])`);
      await figure.scrollIntoViewIfNeeded();
      await expect.poll(() => figure.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(2000);
      // Upright as served (not 1500 wide and 2000 high), and the overlay exactly over the image.
      const drawn = await figure.evaluate((element) => {
        const img = element.querySelector('img')!;
        const box = (e: Element) => {
          const r = e.getBoundingClientRect();
          return [r.x, r.y, r.width, r.height] as [number, number, number, number];
        };
        return {
          natural: [img.naturalWidth, img.naturalHeight],
          image: box(img),
          overlay: box(element.querySelector('svg')!),
          packs: Array.from(element.querySelectorAll('svg rect[data-sku]')).map(box),
        };
      });
      expect(drawn.natural).toEqual([2000, 1500]);
      expect(drawn.overlay.map(Math.round)).toEqual(drawn.image.map(Math.round));
      expect(drawn.packs).toHaveLength(upload.detections);
      // Every rendered pack, placed on the image as the page shows it, has a box on it.
      const [left, top, width] = drawn.image;
      const onPage = (b: Box): Box => {
        const k = width / shelf.truth.width;
        return [left + b[0] * k, top + b[1] * k, b[2] * k, b[3] * k];
      };
      const found = shelf.truth.products.filter((p) => drawn.packs.some((box) => iou(box, onPage(p.bbox)) >= 0.5));
      expect(found.length / shelf.truth.products.length, `orientation ${upload.orientation}`).toBeGreaterThanOrEqual(0.8);
    }
    await page.locator(`figure.photo:has(img[alt="${uploads[1]!.photoId}"])`).screenshot(shot('photo-exif-6'));
    await page.context().close();
  }, 180_000);
});
