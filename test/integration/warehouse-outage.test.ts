import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickhouseWarehouse } from '../../analytics/clickhouse-warehouse.ts';
import { startClickhouseServer, type ClickhouseTestServer } from '../clickhouse/server.ts';
import { scansNdjson } from '../support/fixtures.ts';
import { exited, spawnServer, type ServerProcess } from '../support/process.ts';
import { until } from '../support/wait.ts';

/**
 * The ClickHouse server dies (SIGKILL) while a client streams till lines, and a supervisor starts it again 3 s
 * later: the ingest keeps acknowledging (the event log holds the rows), /readyz says the warehouse is down, and the
 * warehouse sink stores every acknowledged row exactly once when the server is back. A server of the test's own: the shared one serves the other files meanwhile.
 */

const CLI = path.join(import.meta.dirname, '../../bin/shelfpulse.mjs');
const TOKEN = 'outage-test-admin-token-0123';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' };
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-outage-'));
const tillLines = (prefix: string) => scansNdjson(prefix, 200, (i) => ({ store_id: `S${i % 5}`, sku: `P${i % 11}`, unit_price: 3 }));
let clickhouse: ClickhouseTestServer;
let app: ServerProcess | undefined;

beforeAll(async () => {
  clickhouse = await startClickhouseServer({ seconds: 900 });
});
afterAll(async () => {
  if (app) {
    app.child.kill('SIGKILL');
    await exited(app.child);
  }
  await clickhouse?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the ClickHouse server dies mid-stream and is started again', () => {
  it('keeps acknowledging while it is down and stores every acknowledged row exactly once when it is back', async () => {
    const env = { SHELFPULSE_DATA_DIR: root, SHELFPULSE_ADMIN_TOKEN: TOKEN, CLICKHOUSE_URL: clickhouse.url, CLICKHOUSE_DATABASE: 'outage' };
    // On a server the schema is `shelfpulse migrate`'s job (compose's one-shot service).
    await promisify(execFile)(process.execPath, [CLI, 'migrate'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
    app = await spawnServer(['--no-demo'], env);
    const url = app.url;
    const acknowledged = new Set<string>();
    const refusals: string[] = [];
    let down = false;
    let acknowledgedWhileDown = 0;
    let streaming = true;
    const stream = async (name: string) => {
      for (let b = 0; streaming; b++) {
        const prefix = `${name}-${b}`;
        const res = await fetch(`${url}/v1/events/scans`, {
          method: 'POST',
          headers,
          body: tillLines(prefix),
        });
        if (res.status === 202) {
          for (let i = 0; i < 200; i++) acknowledged.add(`${prefix}-${i}`);
          if (down) acknowledgedWhileDown++;
        } else refusals.push(`${res.status} ${await res.text()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const streams = [stream('a'), stream('b')];
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await clickhouse.kill();
    down = true;
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not_ready', warehouse: false });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await clickhouse.restart();
    down = false;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    streaming = false;
    await Promise.all(streams);
    expect(refusals).toEqual([]);
    expect(acknowledgedWhileDown).toBeGreaterThan(0);
    await until(
      async () => {
        const ready = (await (await fetch(`${url}/readyz`)).json()) as { warehouse: boolean; sink_lag: number };
        return ready.warehouse && ready.sink_lag === 0;
      },
      'the sink to catch up',
      120_000,
    );

    const warehouse = await ClickhouseWarehouse.connect({ url: clickhouse.url, user: 'default', password: '', database: 'outage' });
    try {
      const rows = await warehouse.query<{ event_id: string; n: number }>('SELECT event_id, count() AS n FROM scans GROUP BY event_id');
      const stored = new Map(rows.map((r) => [r.event_id, Number(r.n)]));
      expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([]);
      expect(rows.filter((r) => Number(r.n) > 1)).toEqual([]);
    } finally {
      await warehouse.close();
    }
  }, 300_000);
});
