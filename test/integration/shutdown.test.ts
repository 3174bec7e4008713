import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { scansNdjson } from '../support/fixtures.ts';
import { exited, spawnServer } from '../support/process.ts';

const TOKEN = 'shutdown-test-admin-token-01';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-shutdown-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('graceful shutdown (SIGTERM)', () => {
  it('answers the requests in flight, drains the warehouse sink, and exits 0', async () => {
    const server = await spawnServer(['--no-demo'], { SHELFPULSE_DATA_DIR: dataDir, SHELFPULSE_ADMIN_TOKEN: TOKEN });
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' };
    const body = (b: number) => scansNdjson(`g-${b}`, 2000, (i) => ({ sku: `P${i % 50}`, unit_price: 2 }));
    const inFlight = [0, 1, 2, 3].map((b) =>
      fetch(`${server.url}/v1/events/scans`, { method: 'POST', headers, body: body(b) })
        .then((r) => r.status)
        .catch(() => 0),
    );
    await new Promise((r) => setTimeout(r, 120));
    server.child.kill('SIGTERM');
    const statuses = await Promise.all(inFlight);
    await exited(server.child);
    expect(server.child.exitCode).toBe(0);
    const acknowledged = statuses.filter((s) => s === 202).length * 2000;

    const warehouse = new ChdbWarehouse(path.join(dataDir, 'warehouse'));
    try {
      const [row] = await warehouse.query<{ n: number }>("SELECT count() AS n FROM scans WHERE startsWith(event_id, 'g-')");
      // Everything acknowledged was stored before the process left: the sink drained its batch.
      expect(row!.n).toBeGreaterThanOrEqual(acknowledged);
    } finally {
      await warehouse.close();
    }
  });
});
