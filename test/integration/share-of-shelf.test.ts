import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhotoIntake } from '../../pipelines/photo-intake.ts';
import { PhotoStore } from '../../pipelines/photo-store.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { analysedShelf } from '../support/shelf-analysis.ts';

// One bay, photographed once: 3 own packs (2 of a registered own SKU, 1 of an unregistered SKU of an own brand),
// 5 of a competitor and 2 the SKU matcher did not recognise. The map, the store page and the alert must all say
// 3 / 8 = 37.5 %, with the 2 unknown packs beside it.
const OWN = 3;
const RECOGNISED = 8;
const UNKNOWN = 2;
// 23:30 UTC on 19 Nov: still the 19th in the store's zone (London), already the 20th in the platform zone (Shanghai).
const TAKEN_AT = '2026-11-19T23:30:00.000Z';
const LOCAL_DAY = '2026-11-19';

let server: TestServer;

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

beforeAll(async () => {
  // A target above 37.5 %, so that the alert opens and shows its figure.
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink', SHELFPULSE_MIN_SHARE_OF_SHELF: '0.5', SHELFPULSE_TIMEZONE: 'Asia/Shanghai' });
  await post('/v1/stores', [
    {
      store_id: 'L1',
      name: 'London Bridge',
      territory: 'London',
      region: 'UK',
      city: 'London',
      lat: 51.5,
      lon: -0.09,
      manager: 'mgr-l1',
      timezone: 'Europe/London',
    },
  ]);
  await post('/v1/products', [
    { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
    { sku: 'C1', name: '恒泰矿泉水', brand: '恒泰', category: '饮料', regular_price: 9, is_competitor: true, matches_sku: 'P1' },
  ]);
  await server.settle();
  const { warehouse } = server.platform;
  const intake = new PhotoIntake({ warehouse, photoFiles: new PhotoStore(path.join(server.dataDir, 'photos')), timezone: 'Asia/Shanghai' });
  const photo = { photo_id: 'a'.repeat(64), store_id: 'L1', visit_id: 'V1', bay: 'A1', taken_at: TAKEN_AT, lat: null, lon: null };
  await intake.record(
    photo,
    analysedShelf([
      { sku: 'P1', brand: '清泉', facings: 2 },
      { sku: 'P9', brand: '清泉', facings: 1 },
      { sku: 'C1', brand: '恒泰', facings: 5 },
      { sku: 'unknown', brand: 'unknown', facings: UNKNOWN },
    ]),
  );
});
afterAll(async () => server?.stop());

describe('share of shelf: one figure for one photo', () => {
  const figures = { share_of_shelf: 0.375, own_facings: OWN, recognised_facings: RECOGNISED, unknown_facings: UNKNOWN };

  it('on the map, for the store and its territory, on the store-local day of the photo', async () => {
    const map = await get(`/v1/map?metric=share_of_shelf&from=${LOCAL_DAY}&to=${LOCAL_DAY}`);
    expect(map.stores[0]).toMatchObject({ store_id: 'L1', ...figures, value: 0.375 });
    expect(map.territories[0]).toMatchObject({ territory: 'London', ...figures });
    // The platform zone's next day does not hold it.
    const next = await get('/v1/map?metric=share_of_shelf&from=2026-11-20&to=2026-11-20');
    expect(next.stores[0]).toMatchObject({ share_of_shelf: null, unknown_facings: 0 });
  });

  it('on the store page: the KPI, the photo and the brand trend over the same base', async () => {
    const page = await get(`/v1/stores/L1/overview?from=${LOCAL_DAY}&to=${LOCAL_DAY}`);
    expect(page.kpis).toMatchObject(figures);
    expect(page.photos).toHaveLength(1);
    expect(page.photos[0]).toMatchObject(figures);
    expect(page.share_of_shelf_trend).toEqual([
      { date: LOCAL_DAY, brand: '恒泰', share: 0.625 },
      { date: LOCAL_DAY, brand: '清泉', share: 0.375 },
    ]);
  });

  it('in the low_share_of_shelf alert of the store-local day', async () => {
    await post('/v1/alerts/evaluate', { as_of: LOCAL_DAY });
    const { alerts } = await get('/v1/alerts?store_id=L1&type=low_share_of_shelf');
    expect(alerts).toHaveLength(1);
    expect(alerts[0].evidence).toMatchObject({
      day: LOCAL_DAY,
      share: 0.375,
      own_facings: OWN,
      total_facings: RECOGNISED,
      unknown_facings: UNKNOWN,
      target: 0.5,
    });
  });
});
