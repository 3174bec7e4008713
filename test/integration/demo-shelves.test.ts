import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoChain } from '../../synthetic/chain.ts';
import { upsertMasterData } from '../../analytics/master-data.ts';
import { photographDemoShelves, type DemoShelves } from '../../synthetic/demo-shelves.ts';
import { PhotoStore } from '../../pipelines/photo-store.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const AS_OF = '2026-11-20';

let server: TestServer;
let shelves: DemoShelves;

const get = (url: string) => server.app.inject({ url, headers: server.admin() });

beforeAll(async () => {
  server = await startTestServer();
  const chain = demoChain();
  await upsertMasterData(server.platform.warehouse, 'stores', chain.stores);
  await upsertMasterData(server.platform.warehouse, 'products', chain.products);
  const config = server.platform.config;
  // The first 70 demo stores: 14 photographed bays, each kind of planted problem once.
  const storeIds = chain.stores.slice(0, 70).map((s) => s.store_id as string);
  shelves = await photographDemoShelves({ warehouse: server.platform.warehouse, photoFiles: new PhotoStore(path.join(server.dataDir, 'photos')) }, storeIds, {
    asOf: AS_OF,
    timezone: config.timezone,
    thresholds: config.thresholds,
    logger: pino({ level: 'silent' }),
  });
}, 600_000);
afterAll(async () => server?.stop());

describe('the demo chain’s shelf photos', () => {
  it('stores each photographed bay as an analysed photo of its bay, checked against the bay’s planogram, with its image', async () => {
    expect(shelves.bays).toHaveLength(14);
    expect(shelves.bays.map((b) => b.problem).filter((p) => p !== 'none')).toEqual(['gaps', 'low_share', 'planogram_missing', 'planogram_misplaced']);
    for (const bay of shelves.bays) {
      const photo = (await get(`/v1/photos/${bay.photo_id}`)).json();
      expect(photo).toMatchObject({ store_id: bay.store_id, bay: 'A1', status: 'analyzed', taken_at: new Date(bay.taken_at).toISOString() });
      expect(photo.detections.length).toBeGreaterThan(20);
      expect(photo.planogram.score).toBeGreaterThan(0);
    }
    const image = await get(`/v1/photos/${shelves.bays[0]!.photo_id}/image`);
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/jpeg');
  });

  it('opens the vision alert each planted problem calls for', async () => {
    const open = (await get('/v1/alerts?status=open&lang=en')).json().alerts as { type: string; store_id: string; sku: string }[];
    const has = (type: string, storeId: string, sku = '') => open.some((a) => a.type === type && a.store_id === storeId && a.sku === sku);
    const planted = (problem: string) => shelves.bays.find((b) => b.problem === problem)!;
    expect(has('shelf_gap', planted('gaps').store_id)).toBe(true);
    expect(has('low_share_of_shelf', planted('low_share').store_id)).toBe(true);
    for (const problem of ['planogram_missing', 'planogram_misplaced']) {
      const bay = planted(problem);
      expect(bay.planogram_skus.length).toBeGreaterThan(0);
      for (const sku of bay.planogram_skus) expect(has('planogram', bay.store_id, sku), `${problem} ${bay.store_id} ${sku}`).toBe(true);
    }
    // Bays without a planted problem raise no gap or share alert (the bays are photographed square on and sharp).
    const healthy = shelves.bays.filter((b) => b.problem === 'none').map((b) => b.store_id);
    expect(open.filter((a) => (a.type === 'shelf_gap' || a.type === 'low_share_of_shelf') && healthy.includes(a.store_id))).toEqual([]);
    expect(shelves.alerts.by_type.planogram?.opened).toBeGreaterThanOrEqual(3);
  });

  it('gives the photographed stores a share of shelf on the map', async () => {
    const map = (await get(`/v1/map?metric=share_of_shelf&from=2026-11-14&to=${AS_OF}`)).json() as {
      stores: { store_id: string; share_of_shelf: number | null }[];
    };
    const share = new Map(map.stores.map((s) => [s.store_id, s.share_of_shelf]));
    for (const bay of shelves.bays) expect(share.get(bay.store_id), bay.store_id).toBeGreaterThan(0);
    const lowShare = shelves.bays.find((b) => b.problem === 'low_share')!;
    expect(share.get(lowShare.store_id)).toBeLessThan(0.3);
  });
});
