import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { upsertMasterData } from '../../analytics/master-data.ts';
import { loadMigrations, migrate } from '../../analytics/migrate.ts';
import { photoById, savePhoto } from '../../analytics/photos.ts';
import { analysedShelf } from '../support/shelf-analysis.ts';

// An install from before migration 019: photos stored with their analysis as JSON only. chDB takes one data
// directory per process, so this runs in a file of its own.
describe('share of shelf on an existing install', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-shelf-upgrade-'));
  let warehouse: ChdbWarehouse;
  const analysis = analysedShelf(
    [
      { sku: 'P1', brand: '清泉', facings: 2 },
      { sku: 'P9', brand: '清泉', facings: 1 },
      { sku: 'C1', brand: '恒泰', facings: 5 },
      { sku: 'unknown', brand: 'unknown', facings: 2 },
    ],
    { gaps: [{ row: 0, bbox: [0, 0, 50, 120] }] },
  );
  const old = (photo_id: string, status: string) => ({
    photo_id,
    store_id: 'S1',
    visit_id: '',
    // 16:30 UTC on 19 Nov is 00:30 on the 20th in Shanghai, the platform zone.
    taken_at: '2026-11-19 16:30:00.000',
    status,
    retake: [],
    width: 1600,
    height: 1200,
    lat: null,
    lon: null,
    analysis: JSON.stringify({ ...analysis, status }),
  });

  beforeAll(async () => {
    warehouse = new ChdbWarehouse(root);
    await migrate(warehouse, { migrations: (await loadMigrations()).filter((m) => m.version < 19) });
    await upsertMasterData(warehouse, 'products', [
      { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
      { sku: 'C1', name: '恒泰矿泉水', brand: '恒泰', category: '饮料', regular_price: 9, is_competitor: true },
    ]);
    await savePhoto(warehouse, old('ph-old', 'analyzed'));
    await savePhoto(warehouse, old('ph-retake', 'retake'));
    await warehouse.insert('shelf_observations', [
      {
        photo_id: 'ph-old',
        store_id: 'S1',
        taken_at: '2026-11-19 16:30:00.000',
        sku: 'P1',
        brand: '清泉',
        is_competitor: false,
        facings: 2,
        linear_px: 100,
        brand_share_by_facings: 0.3,
        brand_share_by_width: 0.3,
        photo_gaps: 1,
      },
    ]);
    await migrate(warehouse, { timezone: 'Asia/Shanghai' });
  });

  afterAll(async () => {
    await warehouse.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('counts the facings of the photos stored before by the same rule, on their day in the platform zone', async () => {
    const days = await warehouse.query<Record<string, unknown>>(
      'SELECT store_id, toString(day) AS day, photos, own_facings, recognised_facings, unknown_facings, gaps, photo_ids FROM shelf_share_days',
    );
    expect(days).toEqual([
      { store_id: 'S1', day: '2026-11-20', photos: 1, own_facings: 3, recognised_facings: 8, unknown_facings: 2, gaps: 1, photo_ids: ['ph-old'] },
    ]);
  });

  it('still reads the photos and their observations as stored', async () => {
    expect(JSON.parse((await photoById(warehouse, 'ph-old'))!.analysis)).toEqual(analysis);
    expect((await photoById(warehouse, 'ph-retake'))!.status).toBe('retake');
    const observations = await warehouse.query<{ sku: string; facings: number }>('SELECT sku, facings FROM shelf_observations FINAL');
    expect(observations).toEqual([{ sku: 'P1', facings: 2 }]);
  });
});
