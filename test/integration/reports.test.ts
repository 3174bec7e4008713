import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhotoIntake } from '../../pipelines/photo-intake.ts';
import { PhotoStore } from '../../pipelines/photo-store.ts';
import { AS_OF, day } from '../support/days.ts';
import { dailyScans } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { analysedShelf } from '../support/shelf-analysis.ts';

// AS_OF is 2026-11-20: November so far has 20 days of 30.
let server: TestServer;

const get = async (url: string, headers: Record<string, string> = server.admin()) => {
  const res = await server.app.inject({ method: 'GET', url, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res;
};
const post = async (url: string, payload: string | object, contentType = 'application/json') => {
  const res = await server.app.inject({ method: 'POST', url, headers: server.admin(contentType), payload });
  expect(res.statusCode, res.body).toBe(202);
  return res.json();
};

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  await server.addStores([
    { store_id: 'S1', name: '上海南京路店', territory: '浦西', region: '华东', city: '上海', lat: 31.23, lon: 121.47 },
    { store_id: 'S2', name: '上海陆家嘴店', territory: '浦东', region: '华东', city: '上海', lat: 31.24, lon: 121.5 },
  ]);
  await post('/v1/products', [
    { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
    { sku: 'P2', name: '脆乐薯片', brand: '脆乐', category: '零食', regular_price: 10, is_competitor: false },
  ]);
  await post('/v1/assortment', [
    { store_id: 'S1', sku: 'P1' },
    { store_id: 'S1', sku: 'P2' },
    { store_id: 'S2', sku: 'P1' },
    { store_id: 'S2', sku: 'P2' },
  ]);
  // Targets as a chain uploads them: a CSV, like the other master data.
  await post('/v1/targets', 'store_id,month,sales_target\nS1,2026-11,6000\nS2,2026-11,3000\n', 'text/csv');
  // November 1–20: S1 sells ¥200 a day of P1 (¥4,000: pace 4000 / (6000 × 20/30) = 1.0); S2 ¥100 a day (¥2,000: 1.0 too),
  // and in the last 10 days none, so S2 is at ¥1,000 (0.5).
  await post('/v1/events/scans', [...dailyScans('S1', 'P1', -19, 0, 20), ...dailyScans('S2', 'P1', -19, -10, 10)]);
  await server.settle();
  // One analysed photo of S1's shelf on the 20th: P1 in 3 facings, no P2.
  const { warehouse } = server.platform;
  const intake = new PhotoIntake({ warehouse, photoFiles: new PhotoStore(path.join(server.dataDir, 'photos')), timezone: 'Asia/Shanghai' });
  const photo = { photo_id: 'b'.repeat(64), store_id: 'S1', visit_id: '', bay: 'A1', taken_at: `${AS_OF}T02:00:00.000Z`, lat: null, lon: null };
  await intake.record(photo, analysedShelf([{ sku: 'P1', brand: '清泉', facings: 3 }]));
}, 120_000);
afterAll(async () => server?.stop());

describe('the store ranking against the month’s targets', () => {
  it('measures each store’s sales so far against its target and the pace the days so far call for', async () => {
    const ranking = (await get('/v1/reports/ranking')).json();
    expect(ranking).toMatchObject({ month: '2026-11', days_elapsed: 20, days_in_month: 30 });
    expect(ranking.stores.map((s: { store_id: string; rank: number }) => [s.store_id, s.rank])).toEqual([
      ['S1', 1],
      ['S2', 2],
    ]);
    expect(ranking.stores[0]).toMatchObject({ sales: 4000, sales_target: 6000, rank_in_territory: 1 });
    expect(ranking.stores[0].pace).toBeCloseTo(1.0);
    expect(ranking.stores[1].pace).toBeCloseTo(0.5);
    expect(ranking.territories.map((t: { territory: string }) => t.territory)).toEqual(['浦西', '浦东']);
  });

  it('a store manager ranks only their store; a month with no target uploaded has none', async () => {
    const token = await server.issueToken({ name: 'manager-s2', role: 'store_manager', store_ids: ['S2'] });
    const mine = (await get('/v1/reports/ranking', { authorization: `Bearer ${token}` })).json();
    expect(mine.stores.map((s: { store_id: string; rank: number }) => [s.store_id, s.rank])).toEqual([['S2', 1]]);
    const october = (await get('/v1/reports/ranking?month=2026-10')).json();
    expect(october).toMatchObject({ days_elapsed: 31, days_in_month: 31 });
    expect(october.stores.every((s: { sales_target: number | null }) => s.sales_target === null)).toBe(true);
  });

  it('exports as a workbook with the stores and the territories', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await get('/v1/reports/ranking?format=xlsx')).rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['stores', 'territories']);
    const stores = workbook.getWorksheet('stores')!;
    const header = (stores.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(expect.arrayContaining(['rank', 'store_id', 'name', 'sales', 'sales_target', 'attainment', 'pace']));
    expect((stores.getRow(2).values as unknown[])[header.indexOf('name') + 1]).toBe('上海南京路店');
  });
});

describe('the distribution and on-shelf report', () => {
  it('says for every ranged pair whether a photo showed it, it sold, it was missing, or nothing checked', async () => {
    const report = (await get(`/v1/reports/distribution?from=${day(-27)}&to=${AS_OF}`)).json();
    const status = Object.fromEntries(report.cells.map((c: { store_id: string; sku: string; status: string }) => [`${c.store_id}:${c.sku}`, c.status]));
    expect(status).toEqual({ 'S1:P1': 'seen', 'S1:P2': 'missing', 'S2:P1': 'sold', 'S2:P2': 'unchecked' });
    const p1 = report.skus.find((s: { sku: string }) => s.sku === 'P1');
    expect(p1).toMatchObject({ ranged: 2, seen: 1, sold: 1, distribution: 1, on_shelf: 1 });
    const p2 = report.skus.find((s: { sku: string }) => s.sku === 'P2');
    expect(p2).toMatchObject({ ranged: 2, missing: 1, unchecked: 1, distribution: 0, on_shelf: 0 });
  });

  it('filters by category, and a period before the photo knows only the sales', async () => {
    const snacks = (await get(`/v1/reports/distribution?category=${encodeURIComponent('零食')}`)).json();
    expect(new Set(snacks.cells.map((c: { sku: string }) => c.sku))).toEqual(new Set(['P2']));
    const before = (await get(`/v1/reports/distribution?from=${day(-19)}&to=${day(-1)}`)).json();
    const status = Object.fromEntries(before.cells.map((c: { store_id: string; sku: string; status: string }) => [`${c.store_id}:${c.sku}`, c.status]));
    expect(status).toEqual({ 'S1:P1': 'sold', 'S1:P2': 'unchecked', 'S2:P1': 'sold', 'S2:P2': 'unchecked' });
  });
});
