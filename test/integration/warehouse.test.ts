import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { existingEventIds } from '../../analytics/events.ts';
import { migrate, splitStatements } from '../../analytics/migrate.ts';
import { WarehouseError } from '../../analytics/warehouse.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-warehouse-'));
let warehouse: ChdbWarehouse;
beforeAll(async () => {
  warehouse = new ChdbWarehouse(dir);
});
afterAll(async () => {
  await warehouse.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('splits a file into statements at line-ending semicolons, without comments', () => {
    expect(splitStatements("-- why\nCREATE TABLE a (x String DEFAULT ';');\n\nCREATE TABLE b (y UInt8);\n")).toEqual([
      "CREATE TABLE a (x String DEFAULT ';')",
      'CREATE TABLE b (y UInt8)',
    ]);
  });

  it('applies each migration once and records it', async () => {
    const first = await migrate(warehouse);
    expect(first.length).toBeGreaterThanOrEqual(4);
    expect(first[0]).toBe('001_master_data');
    expect(await migrate(warehouse)).toEqual([]);
    const recorded = await warehouse.query<{ n: number }>('SELECT count() AS n FROM schema_migrations FINAL');
    expect(recorded[0]!.n).toBe(first.length);
  });
});

describe('the chDB adapter', () => {
  it('binds values server-side, so quotes and SQL in a value are just text', async () => {
    const hostile = "x' OR 1=1; DROP TABLE stores; --";
    const [row] = await warehouse.query<{ v: string; n: number; d: string }>('SELECT {v:String} AS v, {n:UInt32} + 1 AS n, {d:Date} AS d', {
      v: hostile,
      n: 41,
      d: '2026-11-20',
    });
    expect(row).toEqual({ v: hostile, n: 42, d: '2026-11-20' });
  });

  it('parses timestamps with offsets into UTC', async () => {
    await warehouse.insert('scans', [{ event_id: 'w1', store_id: 'S1', sku: 'P1', ts: '2026-11-20T08:30:00+08:00', qty: 1, unit_price: 2 }]);
    const [row] = await warehouse.query<{ utc: string }>("SELECT toString(ts) AS utc FROM scans WHERE event_id = 'w1'");
    expect(row!.utc).toBe('2026-11-20 00:30:00.000');
  });

  it('finds stored event ids by id within the batch time span', async () => {
    const stored = await existingEventIds(warehouse, 'scans', [
      { event_id: 'w1', ts: '2026-11-20T08:30:00+08:00' },
      { event_id: 'w2', ts: '2026-11-20T08:31:00+08:00' },
    ]);
    expect([...stored]).toEqual(['w1']);
  });

  it('tells bad rows from a bad query', async () => {
    const badRow = warehouse.insertEncoded('scans', ['{"event_id":"w3","store_id":"S1","sku":"P1","ts":"not a time","qty":1,"unit_price":2}']);
    await expect(badRow).rejects.toMatchObject({ name: 'WarehouseError', code: 'bad_data' });
    const badQuery = warehouse.query('SELEKT 1');
    await expect(badQuery).rejects.toBeInstanceOf(WarehouseError);
    await expect(badQuery).rejects.toMatchObject({ code: 'bad_query' });
  });
});
