import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { StoreZones, upsertMasterData } from '../../analytics/master-data.ts';
import { migrate } from '../../analytics/migrate.ts';
import { WarehouseError, type Warehouse } from '../../analytics/warehouse.ts';
import type { DeliveredRecord } from '../../pipelines/log/event-log.ts';
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
    const first = await sinkEvents(warehouse, 'scans', delivered(['a1', 'a2', 'a2'], true), { stored: ids });
    expect(first).toMatchObject({ inserted: 2, duplicates: 1 });
    const again = await sinkEvents(warehouse, 'scans', delivered(['a1', 'a3']), { stored: ids });
    expect(again).toMatchObject({ inserted: 1, duplicates: 1 });
    expect(await stored('a')).toEqual({ n: 3, ids: 3 });
  });

  it('looks the ids of a failed write up when the batch comes again, so rows written before the failure are kept once', async () => {
    const ids = new RecentIds(1000, Date.now());
    const { warehouse: failing, state } = flaky(warehouse);
    const batch = delivered(['b1', 'b2', 'b3']);
    await expect(sinkEvents(failing, 'scans', batch, { stored: ids })).rejects.toThrow(WarehouseError);
    state.down = false;
    const retry = await sinkEvents(failing, 'scans', batch, { stored: ids });
    expect(retry).toMatchObject({ inserted: 0, duplicates: 3 });
    expect(await stored('b')).toEqual({ n: 3, ids: 3 });
  });

  it('after a restart, looks up what the previous process stored (up to the newest stored event)', async () => {
    await sinkEvents(warehouse, 'scans', delivered(['c1', 'c2']), { stored: new RecentIds(1000, Date.now()) });
    // A new process: nothing remembered; the horizon starts at the newest event stored.
    const restarted = await RecentIds.forTable(warehouse, 'scans', 1000, Date.now());
    const redelivered = await sinkEvents(warehouse, 'scans', delivered(['c1', 'c2', 'c3']), { stored: restarted });
    expect(redelivered).toMatchObject({ inserted: 1, duplicates: 2 });
    expect(await stored('c')).toEqual({ n: 3, ids: 3 });
  });
});

describe('the store time zones of the sink', () => {
  const store = (store_id: string, timezone: string) => ({ store_id, name: store_id, territory: 't', region: 'r', city: 'c', lat: 31.2, lon: 121.4, timezone });
  // 15:30 UTC on 21 Nov: 23:30 in Shanghai (this warehouse's platform zone), 00:30 on the 22nd in Tokyo.
  const scan = (event_id: string, store_id: string): DeliveredRecord => ({
    topic: 'scans',
    partition: 0,
    offset: String(offset++),
    key: store_id,
    value: { event_id, store_id, sku: 'P1', ts: '2026-11-21T15:30:00Z', qty: 1, unit_price: 2 },
  });
  const dayOf = async (event_id: string) =>
    (await warehouse.query<{ day: string }>('SELECT toString(local_day) AS day FROM scans WHERE event_id = {id:String}', { id: event_id }))[0]?.day;

  it("a zone set by a store upsert applies to that store's next scans; one set by another process to a new store's first scans", async () => {
    let clock = 0;
    const zones = new StoreZones(warehouse, 5_000, () => clock);
    await upsertMasterData(warehouse, 'stores', [store('Z1', '')]);
    await sinkEvents(warehouse, 'scans', [scan('z-1', 'Z1')], { zones });
    expect(await dayOf('z-1')).toBe('2026-11-21');

    await upsertMasterData(warehouse, 'stores', [store('Z1', 'Asia/Tokyo')]);
    await sinkEvents(warehouse, 'scans', [scan('z-2', 'Z1')], { zones });
    expect(await dayOf('z-2')).toBe('2026-11-22');

    // Another process (here another warehouse object) registers a store with its zone: the sink has not seen that
    // store, so it reads the zones again for its first scan.
    const elsewhere: Warehouse = Object.create(warehouse);
    await upsertMasterData(elsewhere, 'stores', [store('Z2', 'Asia/Tokyo')]);
    await sinkEvents(warehouse, 'scans', [scan('z-3', 'Z2')], { zones });
    expect(await dayOf('z-3')).toBe('2026-11-22');

    // A zone another process changes on a store the sink knows applies once the zones read are older than 5 s.
    await upsertMasterData(elsewhere, 'stores', [store('Z1', '')]);
    await sinkEvents(warehouse, 'scans', [scan('z-4', 'Z1')], { zones });
    expect(await dayOf('z-4')).toBe('2026-11-22');
    clock += 5_001;
    await sinkEvents(warehouse, 'scans', [scan('z-5', 'Z1')], { zones });
    expect(await dayOf('z-5')).toBe('2026-11-21');
  });
});
