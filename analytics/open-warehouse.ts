import path from 'node:path';
import type { Logger } from 'pino';
import { ChdbWarehouse } from './chdb-warehouse.ts';
import { ClickhouseWarehouse, type ClickhouseServerOptions } from './clickhouse-warehouse.ts';
import { migrate } from './migrate.ts';
import type { Warehouse } from './warehouse.ts';

export interface WarehouseOptions {
  /** Unset: embedded chDB under `dataDir/warehouse`. */
  clickhouse?: ClickhouseServerOptions | undefined;
  dataDir: string;
  /** Store-local calendar for daily aggregates (IANA zone). */
  timezone?: string;
  /** Where the ClickHouse client's own log lines go. */
  logger?: Logger;
}

/** Opens the configured adapter and brings its schema up to date. */
export async function openWarehouse(options: WarehouseOptions): Promise<Warehouse> {
  const warehouse = options.clickhouse
    ? await ClickhouseWarehouse.connect(options.clickhouse, { logger: options.logger })
    : new ChdbWarehouse(path.join(options.dataDir, 'warehouse'));
  await migrate(warehouse, { timezone: options.timezone });
  return warehouse;
}
