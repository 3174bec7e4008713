import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../analytics/migrate.ts';
import { clickhouseUrl, freshDatabase, serverWarehouse } from '../support/clickhouse.ts';
import { exited, spawnServer, type ServerProcess } from '../support/process.ts';

const CLI = path.join(import.meta.dirname, '../../bin/shelfpulse.mjs');
const database = freshDatabase('migrate');
const dirs: string[] = [];
const env = (): NodeJS.ProcessEnv => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-migrate-'));
  dirs.push(dir);
  return { CLICKHOUSE_URL: clickhouseUrl(), CLICKHOUSE_DATABASE: database, SHELFPULSE_DATA_DIR: dir, SHELFPULSE_ADMIN_TOKEN: 'test-admin-token-0123456789' };
};

afterAll(async () => {
  await (await serverWarehouse({ database })).drop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the distributed shape starting up on one ClickHouse server', () => {
  it('four app processes and `shelfpulse migrate` start at once: all come up, each migration applied and recorded once', { timeout: 240_000 }, async () => {
    const apps = Array.from({ length: 4 }, () => spawnServer(['--no-demo'], env()));
    // `migrate` comes a moment after the apps (as a slow one-shot container would), so they wait for it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const migrate = promisify(execFile)(process.execPath, [CLI, 'migrate'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env() } });
    const started = await Promise.allSettled(apps);
    const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    try {
      expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'up'))).toEqual(['up', 'up', 'up', 'up']);
      const { stdout } = await migrate;
      const migrations = await loadMigrations();
      expect(JSON.parse(stdout).applied).toEqual(migrations.map((m) => m.name));
      for (const server of servers) expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      const { warehouse } = await serverWarehouse({ database });
      const [row] = await warehouse.query<{ rows: number; versions: number }>('SELECT count() AS rows, uniqExact(version) AS versions FROM schema_migrations');
      await warehouse.close();
      expect(row).toEqual({ rows: migrations.length, versions: migrations.length });
    } finally {
      await Promise.all(
        servers.map((s: ServerProcess) => {
          s.child.kill('SIGTERM');
          return exited(s.child);
        }),
      );
    }
  });

  it('a second `shelfpulse migrate` applies nothing', { timeout: 120_000 }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'migrate'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env() } });
    expect(JSON.parse(stdout).applied).toEqual([]);
  });
});
