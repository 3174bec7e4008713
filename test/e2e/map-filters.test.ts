/// <reference lib="dom" />
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, ARTIFACTS, startWebHarness, type WebHarness } from './harness.ts';

let web: WebHarness;

beforeAll(async () => {
  web = await startWebHarness();
}, 600_000);
afterAll(async () => web?.stop());

/** What the map shows: the period line, and each territory with its value, in list order. */
async function shownView(page: Page) {
  await page.locator('[data-testid=territory-list] li').first().waitFor();
  return {
    period: (await page.locator('[data-testid=map-period]').textContent())?.replace(/\s+/g, ' ').trim(),
    territories: await page
      .locator('[data-testid=territory-list] li a')
      .evaluateAll((links) => links.map((a) => `${a.getAttribute('data-territory')} ${a.querySelector('.value')?.textContent}`)),
    controls: await Promise.all(['metric', 'period', 'compare', 'category', 'brand'].map((id) => page.locator(`[data-testid=${id}]`).inputValue())),
  };
}

describe('the map filtered by category, a month and the previous period, on a phone over a LAN address', () => {
  it('keeps the view in the address: a reload and Back from a store reopen the same figures', async () => {
    const api = await web.server.app.inject({ url: '/v1/map', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const category = (api.json().options.categories as string[])[0]!;
    const page = await web.signedInPage('en', { width: 390, height: 844 });
    await page.goto(`${web.lanUrl}/`);
    await page.locator('[data-testid=territory-list] li').first().waitFor();

    await page.selectOption('[data-testid=category]', category);
    await page.selectOption('[data-testid=period]', 'month');
    await page.selectOption('[data-testid=compare]', 'previous_period');
    await page.waitForURL((url) => url.searchParams.get('compare') === 'previous_period');
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ period: 'month', compare: 'previous_period', category });

    // The figures are the API's for the same filters: the last full month against the month before, the category only.
    const filtered = (
      await web.server.app.inject({
        url: `/v1/map?metric=sales_vs_compare&period=month&compare=previous_period&category=${encodeURIComponent(category)}`,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
    ).json();
    // Each change asks the server again: on a busy machine a filtered month takes seconds.
    await expect
      .poll(async () => (await shownView(page)).period, { timeout: 30_000 })
      .toContain(`${filtered.from} – ${filtered.to} · vs ${filtered.compare.from} – ${filtered.compare.to} · ${category}`);
    const first = await shownView(page);
    const topTerritory = [...filtered.territories].sort((a, b) => b.sales - a.sales)[0];
    const change = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(topTerritory.vs_compare);
    expect(first.territories[0]).toBe(`${topTerritory.territory} ${change}`);
    expect(first.controls).toEqual(['sales_vs_compare', 'month', 'previous_period', category, '']);
    // A phone reads it without sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-filters-phone.png'), fullPage: true });

    await page.reload();
    await expect.poll(async () => shownView(page), { timeout: 30_000 }).toEqual(first);

    await page.locator('[data-testid=territory-list] li a').first().click();
    await page.locator('[data-testid=territory-stores] li a').first().click();
    await page.waitForURL(/\/stores\//);
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.has('territory'));
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/' && !url.searchParams.has('territory'));
    await expect.poll(async () => shownView(page), { timeout: 30_000 }).toEqual(first);
    await page.context().close();
  });
});
