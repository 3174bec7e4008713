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
  const warehouse = await ClickhouseWarehouse.connect({ url: clickhouseUrl(), user: 'default', password: '', database });
  return {
    warehouse,
    database,
    async drop() {
      await warehouse.command(`DROP DATABASE IF EXISTS ${database}`);
      await warehouse.close();
    },
  };
}
