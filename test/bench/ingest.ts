import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { migrate } from '../../analytics/migrate.ts';
import { exited, spawnServer } from '../support/process.ts';

const ROWS = 200_000;
const ROWS_PER_REQUEST = 1000;
const CONCURRENCY = 4;
const TOKEN = 'bench-admin-token-0123456789';

/** A live POS stream: 500 stores, 2,000 SKUs, timestamps from now on. */
function scanRows(prefix: string, start: number): Record<string, unknown>[] {
  return Array.from({ length: ROWS }, (_, i) => ({
    event_id: `${prefix}-${i}`,
    store_id: `S${String(i % 500).padStart(4, '0')}`,
    sku: `P${String(i % 2000).padStart(5, '0')}`,
    ts: new Date(start + i * 5).toISOString().replace('Z', '+00:00'),
    qty: 1 + (i % 3),
    unit_price: 3.5 + (i % 10),
  }));
}

/**
 * HTTP NDJSON → durable (202) against a real server process on the embedded shape (its warehouse sink runs
 * meanwhile, as in production), then the same rows inserted straight into chDB. Client and server are separate
 * processes on the same two cores.
 */
export async function benchIngest(): Promise<{ ingest_rows_per_s: number; warehouse_insert_rows_per_s: number; ingest_ratio: number }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-bench-ingest-'));
  try {
    const server = await spawnServer(['--no-demo'], { SHELFPULSE_DATA_DIR: path.join(root, 'server'), SHELFPULSE_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'error' });
    const rows = scanRows('bench', Date.now());
    const bodies: string[] = [];
    for (let i = 0; i < rows.length; i += ROWS_PER_REQUEST) {
      bodies.push(
        rows
          .slice(i, i + ROWS_PER_REQUEST)
          .map((r) => JSON.stringify(r))
          .join('\n'),
      );
    }
    // autocannon keeps the load generator's own CPU small: it shares the two cores with the server.
    let next = 0;
    let lastAnswer = 0;
    const started = performance.now();
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const run = autocannon(
        {
          url: `${server.url}/v1/events/scans`,
          method: 'POST',
          connections: CONCURRENCY,
          amount: bodies.length,
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
          requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
        },
        (err, done) => (err ? reject(err) : resolve(done)),
      );
      // autocannon notices that the last request is done on its once-a-second tick, so its own end time is rounded
      // up to whole seconds; the clock stops at the last answer instead.
      run.on('response', () => (lastAnswer = performance.now()));
    });
    const ingestSeconds = (lastAnswer - started) / 1000;
    if (result['2xx'] !== bodies.length) throw new Error(`ingest failed: ${result['2xx']} of ${bodies.length} answered 2xx`);
    server.child.kill('SIGTERM');
    await exited(server.child);

    const warehouse = new ChdbWarehouse(path.join(root, 'direct'));
    try {
      await migrate(warehouse);
      const direct = scanRows('direct', Date.now());
      const insertStarted = performance.now();
      await warehouse.insert('scans', direct);
      const insertSeconds = (performance.now() - insertStarted) / 1000;
      const ingest = ROWS / ingestSeconds;
      const insert = ROWS / insertSeconds;
      return {
        ingest_rows_per_s: Math.round(ingest),
        warehouse_insert_rows_per_s: Math.round(insert),
        ingest_ratio: Number((ingest / insert).toFixed(2)),
      };
    } finally {
      await warehouse.close();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
