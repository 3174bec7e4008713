import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { ClickhouseWarehouse } from '../../analytics/clickhouse-warehouse.ts';
import { existingEventIds } from '../../analytics/events.ts';
import { migrate } from '../../analytics/migrate.ts';
import { WarehouseError, type Warehouse } from '../../analytics/warehouse.ts';
import type { DeliveredRecord } from '../../pipelines/log/event-log.ts';
import { sinkEvents } from '../../pipelines/workers/warehouse-sink.ts';
import { serverWarehouse } from '../support/clickhouse.ts';

// One contract, both adapters: what the platform relies on must hold on embedded chDB and on a ClickHouse server alike.
interface Adapter {
  warehouse: Warehouse;
  dispose(): Promise<void>;
}

const adapters: Record<'chdb' | 'clickhouse server', () => Promise<Adapter>> = {
  async chdb() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-contract-'));
    const warehouse = new ChdbWarehouse(dir);
    return {
      warehouse,
      async dispose() {
        await warehouse.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  async 'clickhouse server'() {
    const server = await serverWarehouse();
    return { warehouse: server.warehouse, dispose: server.drop };
  },
};

const SCAN = { store_id: 'S1', sku: 'P1', ts: '2026-11-20T08:30:00+08:00', qty: 1, unit_price: 2 };

describe.each(Object.keys(adapters) as (keyof typeof adapters)[])('the %s adapter', (name) => {
  let adapter: Adapter;
  let warehouse: Warehouse;
  let applied: string[];
  beforeAll(async () => {
    adapter = await adapters[name]();
    warehouse = adapter.warehouse;
    applied = await migrate(warehouse);
  });
  afterAll(() => adapter?.dispose());

  it('applies every migration once and records each version once', async () => {
    expect(applied[0]).toBe('001_master_data');
    expect(await migrate(warehouse)).toEqual([]);
    const [row] = await warehouse.query<{ rows: number; versions: number }>('SELECT count() AS rows, uniqExact(version) AS versions FROM schema_migrations');
    expect(row).toEqual({ rows: applied.length, versions: applied.length });
  });

  it('inserts rows and JSON text alike, and reads them back with counts as numbers and text intact', async () => {
    await warehouse.insert('scans', [{ ...SCAN, event_id: 'i1', store_id: '上海南京路店' }]);
    await warehouse.insertEncoded('scans', [
      JSON.stringify({ ...SCAN, event_id: 'i2', store_id: '上海南京路店' }),
      JSON.stringify({ ...SCAN, event_id: 'i3' }),
    ]);
    const rows = await warehouse.query<{ store_id: string; n: number; utc: string }>(
      "SELECT store_id, count() AS n, toString(min(ts)) AS utc FROM scans WHERE startsWith(event_id, 'i') GROUP BY store_id ORDER BY store_id",
    );
    expect(rows).toEqual([
      { store_id: 'S1', n: 1, utc: '2026-11-20 00:30:00.000' },
      { store_id: '上海南京路店', n: 2, utc: '2026-11-20 00:30:00.000' },
    ]);
  });

  it('inserts JSON lines given as bytes, several rows an item (a log message as it came), beside text', async () => {
    const message = Buffer.from(
      [
        { ...SCAN, event_id: 'm1', store_id: '上海南京路店' },
        { ...SCAN, event_id: 'm2' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    await warehouse.insertEncoded('scans', [message, JSON.stringify({ ...SCAN, event_id: 'm3' })]);
    const rows = await warehouse.query<{ event_id: string; store_id: string }>(
      "SELECT event_id, store_id FROM scans WHERE startsWith(event_id, 'm') ORDER BY event_id",
    );
    expect(rows).toEqual([
      { event_id: 'm1', store_id: '上海南京路店' },
      { event_id: 'm2', store_id: 'S1' },
      { event_id: 'm3', store_id: 'S1' },
    ]);
  });

  it('finds stored event ids by id within the batch time span', async () => {
    const stored = await existingEventIds(warehouse, 'scans', [
      { event_id: 'i1', time: Date.parse(SCAN.ts) },
      { event_id: 'i9', time: Date.parse('2026-11-20T08:31:00+08:00') },
    ]);
    expect([...stored]).toEqual(['i1']);
  });

  it('looks up 50,000 event ids at once, as a sink re-reading a whole batch after a restart does', async () => {
    const time = Date.parse(SCAN.ts);
    const events = Array.from({ length: 50_000 }, (_, i) => ({ event_id: `pos-门店-${String(i).padStart(8, '0')}`, time }));
    const stored = await existingEventIds(warehouse, 'scans', [...events, { event_id: 'i1', time }]);
    expect([...stored]).toEqual(['i1']);
  });

  it('binds parameters server-side: quotes and SQL in a value are just text', async () => {
    const hostile = "x' OR 1=1; DROP TABLE stores; --";
    const [row] = await warehouse.query('SELECT {v:String} AS v, {n:UInt32} + 1 AS n, {d:Date} AS d, {ids:Array(String)} AS ids', {
      v: hostile,
      n: 41,
      d: '2026-11-20',
      ids: ['a', "b'c"],
    });
    expect(row).toEqual({ v: hostile, n: 42, d: '2026-11-20', ids: ['a', "b'c"] });
  });

  it('refuses a batch with a bad row as bad_data naming the row, and stores none of it', async () => {
    const batch = [JSON.stringify({ ...SCAN, event_id: 'b1' }), JSON.stringify({ ...SCAN, event_id: 'b2', ts: 'not a time' })];
    const refused = await warehouse.insertEncoded('scans', batch).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(WarehouseError);
    expect(refused).toMatchObject({ code: 'bad_data', clickhouseCode: 41 });
    expect((refused as Error).message).toMatch(/row 2/);
    const [row] = await warehouse.query<{ n: number }>("SELECT count() AS n FROM scans WHERE startsWith(event_id, 'b')");
    expect(row!.n).toBe(0);
  });

  it('the sink dead-letters the refused record with its line and stores the rest', async () => {
    const records: DeliveredRecord[] = ['d1', 'd2', 'd3'].map((id, i) => ({
      topic: 'scans',
      partition: 0,
      offset: String(i),
      key: 'S1',
      // Checked by its producer (as the embedded log hands it over), so only the warehouse can refuse it.
      value: { ...SCAN, event_id: id, qty: id === 'd2' ? 'a dozen' : 1 },
      checked: true,
    }));
    const result = await sinkEvents(warehouse, 'scans', records);
    expect(result.inserted).toBe(2);
    expect(result.deadLetters).toHaveLength(1);
    expect(result.deadLetters[0]).toMatchObject({ topic: 'scans', record: { event_id: 'd2', qty: 'a dozen' } });
    expect(result.deadLetters[0]!.reason).toMatch(/^warehouse refused the row/);
  });

  it('tells a bad query from an unknown table from an outage', async () => {
    await expect(warehouse.query('SELEKT 1')).rejects.toMatchObject({ name: 'WarehouseError', code: 'bad_query', clickhouseCode: 62 });
    await expect(warehouse.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: 'bad_query', clickhouseCode: 60 });
  });

  it('a statement past its time limit is ended by the engine and classed unavailable (retry later)', async () => {
    const slow = warehouse.command('SELECT sleepEachRow(1) FROM numbers(3) SETTINGS max_block_size = 1, max_execution_time = 1');
    await expect(slow).rejects.toMatchObject({ code: 'unavailable', clickhouseCode: 159 });
  });
});

describe('the server adapter', () => {
  it('gives refills a server-side time limit below the client timeout: the server ends the statement, with an answer (the client alone would say only "Timeout error", with no code)', async () => {
    const { warehouse, drop } = await serverWarehouse({ limits: { commandSeconds: 1, querySeconds: 1 } });
    try {
      await expect(warehouse.command('SELECT sleepEachRow(1) FROM numbers(5) SETTINGS max_block_size = 1')).rejects.toMatchObject({ clickhouseCode: 159 });
      await expect(warehouse.query('SELECT sleepEachRow(1) FROM numbers(5) SETTINGS max_block_size = 1')).rejects.toMatchObject({ clickhouseCode: 159 });
    } finally {
      await drop();
    }
  });

  it('an unreachable server is unavailable, with a message saying where', async () => {
    const refused = ClickhouseWarehouse.connect({ url: 'http://127.0.0.1:9', user: 'default', password: '', database: 'nowhere' });
    await expect(refused).rejects.toMatchObject({ name: 'WarehouseError', code: 'unavailable' });
  });
});
