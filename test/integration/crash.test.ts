import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { testBrokers, type TestBrokers } from '../kafka/brokers.ts';
import { scansNdjson } from '../support/fixtures.ts';
import { exited, spawnServer } from '../support/process.ts';

const TOKEN = 'crash-test-admin-token-0123';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-crash-'));
let kafka: TestBrokers;
beforeAll(async () => {
  kafka = await testBrokers();
});
afterAll(async () => {
  await kafka?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' };

function batch(prefix: string, n: number): string {
  return scansNdjson(prefix, n, (i) => ({ store_id: `S${i % 7}`, sku: `P${i % 13}`, unit_price: 2 }));
}

describe.each(['embedded', 'kafka'])('kill -9 while a client streams events (%s event log)', (adapter) => {
  it('keeps every acknowledged event, exactly once, after a restart', async () => {
    const dataDir = path.join(root, adapter);
    const env = { SHELFPULSE_DATA_DIR: dataDir, SHELFPULSE_ADMIN_TOKEN: TOKEN, ...(adapter === 'kafka' ? { KAFKA_BROKERS: kafka.brokers.join(',') } : {}) };
    const first = await spawnServer(['--no-demo'], env);
    const acknowledged = new Set<string>();
    let killed = false;
    // Two concurrent streams of 250-row batches; the server is killed mid-stream.
    const stream = async (name: string) => {
      for (let b = 0; !killed; b++) {
        const prefix = `${name}-${b}`;
        try {
          const res = await fetch(`${first.url}/v1/events/scans`, { method: 'POST', headers, body: batch(`${adapter}-${prefix}`, 250) });
          if (res.status === 202) for (let i = 0; i < 250; i++) acknowledged.add(`${adapter}-${prefix}-${i}`);
        } catch {
          return; // the connection died with the server: those rows were never acknowledged
        }
      }
    };
    const streams = [stream('a'), stream('b')];
    await new Promise((resolve) => setTimeout(resolve, 2500));
    first.child.kill('SIGKILL');
    killed = true;
    await exited(first.child);
    await Promise.all(streams);
    expect(acknowledged.size).toBeGreaterThan(0);

    const second = await spawnServer(['--no-demo'], env);
    // Re-sending one acknowledged batch after the restart must not double it either.
    const resent = await fetch(`${second.url}/v1/events/scans`, { method: 'POST', headers, body: batch(`${adapter}-a-0`, 250) });
    expect(((await resent.json()) as { accepted: number }).accepted).toBe(0);
    for (let lag = -1; lag !== 0; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      lag = ((await (await fetch(`${second.url}/readyz`)).json()) as { sink_lag: number }).sink_lag;
    }
    second.child.kill('SIGTERM');
    await exited(second.child);

    const warehouse = new ChdbWarehouse(path.join(dataDir, 'warehouse'));
    try {
      const counts = await warehouse.query<{ event_id: string; n: number }>(
        'SELECT event_id, count() AS n FROM scans WHERE startsWith(event_id, {adapter:String}) GROUP BY event_id',
        { adapter },
      );
      const stored = new Map(counts.map((r) => [r.event_id, r.n]));
      const missing = [...acknowledged].filter((id) => !stored.has(id));
      const doubled = counts.filter((r) => r.n > 1);
      expect(missing).toEqual([]);
      expect(doubled).toEqual([]);
    } finally {
      await warehouse.close();
    }
  }, 180_000); // two cold starts of the app on a busy CI machine
});
