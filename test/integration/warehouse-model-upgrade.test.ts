import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { loadMigrations, migrate } from '../../analytics/migrate.ts';

// An install from before migration 018 (order history, store-local days): chDB takes one data directory per
// process, so this runs in a file of its own.
describe('the model on an existing install', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-model-upgrade-'));
  let warehouse: ChdbWarehouse;

  beforeAll(async () => {
    warehouse = new ChdbWarehouse(root);
    await migrate(warehouse, { migrations: (await loadMigrations()).filter((m) => m.version < 18) });
    await warehouse.insert('orders', [
      { event_id: 'o1', order_id: 'A', store_id: 'S1', sku: 'P1', ts: '2026-07-01 02:00:00.000', qty: 10, unit_price: 8 },
      { event_id: 'o2', order_id: 'A', store_id: 'S1', sku: 'P1', ts: '2026-07-01 17:00:00.000', qty: 1, unit_price: 8 }, // 01:00 on 2 Jul in Shanghai
    ]);
    await warehouse.insert('scans', [{ event_id: 's1', store_id: 'S1', sku: 'P1', ts: '2026-07-01 17:00:00.000', qty: 2, unit_price: 10 }]);
    await migrate(warehouse);
  });

  afterAll(async () => {
    await warehouse.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('builds the order history from the orders already stored and keeps it up to date', async () => {
    await warehouse.insert('orders', [{ event_id: 'o3', order_id: 'B', store_id: 'S1', sku: 'P1', ts: '2026-07-03 02:00:00.000', qty: 1, unit_price: 9 }]);
    const rows = await warehouse.query<{ day: string; units: number; orders: number }>(
      'SELECT toString(day) AS day, sum(units) AS units, uniqExactMerge(orders) AS orders FROM order_days GROUP BY day ORDER BY day',
    );
    expect(rows).toEqual([
      { day: '2026-07-01', units: 10, orders: 1 },
      { day: '2026-07-02', units: 1, orders: 1 },
      { day: '2026-07-03', units: 1, orders: 1 },
    ]);
  });

  it('keeps the days of the sales stored before, and buckets new ones in the platform zone', async () => {
    // 16:30 UTC on 2 Jul is 00:30 on 3 Jul in Shanghai.
    await warehouse.insert('scans', [{ event_id: 's2', store_id: 'S1', sku: 'P1', ts: '2026-07-02 16:30:00.000', qty: 3, unit_price: 10 }]);
    const days = await warehouse.query<{ day: string; units: number }>(
      'SELECT toString(day) AS day, sum(units) AS units FROM daily_sales GROUP BY day ORDER BY day',
    );
    expect(days).toEqual([
      { day: '2026-07-02', units: 2 },
      { day: '2026-07-03', units: 3 },
    ]);
  });
});
