import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { exited, spawnServer, type ServerProcess } from '../support/process.ts';

const TOKEN = 'backup-test-admin-token-0123';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-backup-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const scans = Array.from({ length: 300 }, (_, i) => ({
  event_id: `b-${i}`,
  store_id: `S${i % 3}`,
  sku: `P${i % 10}`,
  ts: '2026-11-19T12:00:00+08:00',
  qty: 1,
  unit_price: 4,
}));

async function drained(server: ServerProcess): Promise<void> {
  for (;;) {
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { sink_lag: number };
    if (ready.sink_lag === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  await exited(server.child);
}

describe('backup and restore of the data directory (README: stop, copy, start from the copy)', () => {
  it("a copy of a stopped server's data directory serves the same data", async () => {
    const original = path.join(root, 'original');
    const first = await spawnServer(['--no-demo'], { SHELFPULSE_DATA_DIR: original, SHELFPULSE_ADMIN_TOKEN: TOKEN });
    const posted = await fetch(`${first.url}/v1/events/scans`, { method: 'POST', headers, body: JSON.stringify(scans) });
    expect(((await posted.json()) as { accepted: number }).accepted).toBe(300);
    await drained(first);
    await stop(first);

    const restored = path.join(root, 'restored');
    fs.cpSync(original, restored, { recursive: true });
    fs.rmSync(original, { recursive: true, force: true });

    const second = await spawnServer(['--no-demo'], { SHELFPULSE_DATA_DIR: restored, SHELFPULSE_ADMIN_TOKEN: TOKEN });
    const resent = await fetch(`${second.url}/v1/events/scans`, { method: 'POST', headers, body: JSON.stringify(scans) });
    expect(await resent.json()).toMatchObject({ accepted: 0, duplicates: 300 });
    await stop(second);

    const warehouse = new ChdbWarehouse(path.join(restored, 'warehouse'));
    try {
      expect(await warehouse.query('SELECT count() AS n, sum(qty * unit_price) AS revenue FROM scans')).toEqual([{ n: 300, revenue: 1200 }]);
    } finally {
      await warehouse.close();
    }
  });
});
