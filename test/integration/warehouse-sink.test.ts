import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { migrate } from '../../analytics/migrate.ts';
import { WarehouseError, type Warehouse } from '../../analytics/warehouse.ts';
import type { DeliveredRecord } from '../../pipelines/event-log.ts';
import { RecentIds } from '../../pipelines/recent-ids.ts';
import { sinkEvents } from '../../pipelines/workers/warehouse-sink.ts';

// The sink as the single writer (embedded shape): it remembers what it stored instead of looking every id up.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-sink-'));
let warehouse: ChdbWarehouse;
beforeAll(async () => {
  warehouse = new ChdbWarehouse(dir);
  await migrate(warehouse);
});
afterAll(async () => {
  await warehouse.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let offset = 0;
const FUTURE = Date.parse('2031-01-01T00:00:00Z');
function delivered(ids: string[], checked = false): DeliveredRecord[] {
  return ids.map((id, i) => ({
    topic: 'scans',
    partition: 0,
    offset: String(offset++),
    key: 'S1',
    value: { event_id: id, store_id: 'S1', sku: 'P1', ts: new Date(FUTURE + i * 1000).toISOString(), qty: 1, unit_price: 2 },
    checked,
  }));
}

async function stored(prefix: string): Promise<{ n: number; ids: number }> {
  const [row] = await warehouse.query<{ n: number; ids: number }>(
    'SELECT count() AS n, uniqExact(event_id) AS ids FROM scans WHERE startsWith(event_id, {p:String})',
    { p: prefix },
  );
  return row!;
}

/** Fails every insert while `down`, after letting the engine write the rows (the worst case of a failure). */
function flaky(inner: Warehouse): { warehouse: Warehouse; state: { down: boolean } } {
  const state = { down: true };
  const warehouse: Warehouse = Object.create(inner);
  warehouse.insertEncoded = async (table, rows) => {
    const n = await inner.insertEncoded(table, rows);
    if (state.down) throw new WarehouseError('unavailable', 'connection reset after the write');
    return n;
  };
  return { warehouse, state };
}

describe('warehouse sink as the single writer', () => {
  it('counts a re-sent id as a duplicate without storing it twice, within a batch and across batches', async () => {
    const ids = new RecentIds(1000, Date.now());
    const first = await sinkEvents(warehouse, 'scans', delivered(['a1', 'a2', 'a2'], true), ids);
    expect(first).toMatchObject({ inserted: 2, duplicates: 1 });
    const again = await sinkEvents(warehouse, 'scans', delivered(['a1', 'a3']), ids);
    expect(again).toMatchObject({ inserted: 1, duplicates: 1 });
    expect(await stored('a')).toEqual({ n: 3, ids: 3 });
  });

  it('looks the ids of a failed write up when the batch comes again, so rows written before the failure are kept once', async () => {
    const ids = new RecentIds(1000, Date.now());
    const { warehouse: failing, state } = flaky(warehouse);
    const batch = delivered(['b1', 'b2', 'b3']);
    await expect(sinkEvents(failing, 'scans', batch, ids)).rejects.toThrow(WarehouseError);
    state.down = false;
    const retry = await sinkEvents(failing, 'scans', batch, ids);
    expect(retry).toMatchObject({ inserted: 0, duplicates: 3 });
    expect(await stored('b')).toEqual({ n: 3, ids: 3 });
  });

  it('after a restart, looks up what the previous process stored (up to the newest stored event)', async () => {
    await sinkEvents(warehouse, 'scans', delivered(['c1', 'c2']), new RecentIds(1000, Date.now()));
    // A new process: nothing remembered; the horizon starts at the newest event stored.
    const restarted = await RecentIds.forTable(warehouse, 'scans', 1000, Date.now());
    const redelivered = await sinkEvents(warehouse, 'scans', delivered(['c1', 'c2', 'c3']), restarted);
    expect(redelivered).toMatchObject({ inserted: 1, duplicates: 2 });
    expect(await stored('c')).toEqual({ n: 3, ids: 3 });
  });
});
