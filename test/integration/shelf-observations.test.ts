import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhotoIntake } from '../../pipelines/photo-intake.ts';
import { PhotoStore } from '../../pipelines/photo-store.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { analysedShelf } from '../support/shelf-analysis.ts';

// One bay planned as P1 P2 / C1, photographed once and recorded again after a naming: the first time P2 is missing
// and two packs of a competitor C1 stand there; the second time the two packs were P2 all along, and C1 is gone.
// Nothing of the first reading may stay: not C1 in the brand trend, not P2 missing in the planogram check.
const DAY = '2026-11-20';
const TAKEN_AT = '2026-11-20T02:00:00.000Z';
const PHOTO = { photo_id: 'b'.repeat(64), store_id: 'S1', visit_id: 'V1', bay: 'A1', taken_at: TAKEN_AT, lat: null, lon: null };
const PLANOGRAM = (missing: string[]) => ({ score: missing.length ? 0.5 : 1, missing, misplaced: [], extra: [] });

let server: TestServer;
let intake: PhotoIntake;

const get = async (url: string) => {
  const res = await server.app.inject({ method: 'GET', url, headers: server.admin() });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const post = async (url: string, payload: object) => {
  const res = await server.app.inject({ method: 'POST', url, headers: server.admin(), payload });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
};
/** The photo's observation rows a reader could count: a SKU seen, or planned and missing. */
const liveRows = () =>
  server.platform.warehouse.query<{ sku: string; facings: number; planogram_status: string }>(
    `SELECT sku, facings, planogram_status FROM shelf_observations FINAL
     WHERE photo_id = {photo_id:String} AND (facings > 0 OR planogram_status != '') ORDER BY sku`,
    { photo_id: PHOTO.photo_id },
  );
const planogramAlerts = async () => {
  await post('/v1/alerts/evaluate', { as_of: DAY });
  return (await get('/v1/alerts?store_id=S1&type=planogram&status=open')).alerts as { sku: string }[];
};

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink', SHELFPULSE_TIMEZONE: 'Asia/Shanghai' });
  await server.addStores([{ store_id: 'S1', name: 'One', territory: 'T', region: 'R', city: 'C', lat: 31.2, lon: 121.4, manager: 'm1' }]);
  await post('/v1/products', [
    { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
    { sku: 'P2', name: '清泉苏打水', brand: '清泉', category: '饮料', regular_price: 12, is_competitor: false },
    { sku: 'C1', name: '恒泰矿泉水', brand: '恒泰', category: '饮料', regular_price: 9, is_competitor: true, matches_sku: 'P1' },
  ]);
  await server.settle();
  const { warehouse } = server.platform;
  intake = new PhotoIntake({ warehouse, photoFiles: new PhotoStore(path.join(server.dataDir, 'photos')), timezone: 'Asia/Shanghai' });
  await intake.record(
    PHOTO,
    analysedShelf(
      [
        { sku: 'P1', brand: '清泉', facings: 2 },
        { sku: 'C1', brand: '恒泰', facings: 2 },
      ],
      { planogram: PLANOGRAM(['P2']) },
    ),
  );
}, 60_000);
afterAll(async () => server?.stop());

describe('a photo recognised again replaces its shelf observations as a whole', () => {
  const again = analysedShelf(
    [
      { sku: 'P1', brand: '清泉', facings: 2 },
      { sku: 'P2', brand: '清泉', facings: 2 },
    ],
    { planogram: PLANOGRAM([]) },
  );

  it('before: the first reading, with the competitor in the trend and the planned SKU missing', async () => {
    expect(await liveRows()).toEqual([
      { sku: 'C1', facings: 2, planogram_status: 'ok' },
      { sku: 'P1', facings: 2, planogram_status: 'ok' },
      { sku: 'P2', facings: 0, planogram_status: 'missing' },
    ]);
    expect((await planogramAlerts()).map((a) => a.sku)).toEqual(['P2']);
  });

  it('after: no row of the first reading is read by the brand trend, the share or the planogram check; again changes nothing', async () => {
    for (let time = 0; time < 2; time++) {
      await intake.record(PHOTO, again);
      expect(await liveRows()).toEqual([
        { sku: 'P1', facings: 2, planogram_status: 'ok' },
        { sku: 'P2', facings: 2, planogram_status: 'ok' },
      ]);
      const page = await get(`/v1/stores/S1/overview?from=${DAY}&to=${DAY}`);
      expect(page.share_of_shelf_trend).toEqual([{ date: DAY, brand: '清泉', share: 1 }]);
      expect(page.kpis).toMatchObject({ share_of_shelf: 1, own_facings: 4, recognised_facings: 4 });
      expect(await planogramAlerts()).toEqual([]);
    }
  });
});
