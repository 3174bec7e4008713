import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { ClickhouseWarehouse, type ClickhouseLimits } from '../../analytics/clickhouse-warehouse.ts';

/** The ClickHouse server the test run shares (test/setup/clickhouse-server.ts): its URL, user `default`. */
export function clickhouseUrl(): string {
  return inject('clickhouseUrl');
}

/** A database name of its own, so test files (and servers within one) never see each other's rows on the shared server. */
export function freshDatabase(prefix = 'test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The server adapter on a database of its own; `drop` removes it. */
export async function serverWarehouse(options: { database?: string; limits?: Partial<ClickhouseLimits> } = {}) {
  const database = options.database ?? freshDatabase();
  const warehouse = await ClickhouseWarehouse.connect({ url: clickhouseUrl(), user: 'default', password: '', database }, { limits: options.limits });
  return {
    warehouse,
    database,
    async drop() {
      await warehouse.command(`DROP DATABASE IF EXISTS ${database}`);
      await warehouse.close();
    },
  };
}

/** Set (by the `integration-server` project) when the app-starting suites run on the ClickHouse server shape. */
export const SERVER_SHAPE = process.env.SHELFPULSE_TEST_WAREHOUSE === 'clickhouse';

/**
 * The environment that points a test app at the shared ClickHouse server, with a database of its own kept beside
 * its data directory, so a restart on the same directory finds its rows again. Nothing on the embedded shape, or
 * when the test names its own CLICKHOUSE_URL.
 */
export function serverShapeEnv(dataDir: string, env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; drop(): Promise<void> } {
  if (!SERVER_SHAPE || env.CLICKHOUSE_URL) return { env: {}, drop: async () => {} };
  const file = path.join(dataDir, 'test-clickhouse-database');
  const database = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : freshDatabase('app');
  fs.writeFileSync(file, database);
  return {
    env: { CLICKHOUSE_URL: clickhouseUrl(), CLICKHOUSE_DATABASE: database },
    async drop() {
      await (await serverWarehouse({ database })).drop();
    },
  };
}
