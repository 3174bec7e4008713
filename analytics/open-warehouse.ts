import path from 'node:path';
import type { Logger } from 'pino';
import { ClickhouseWarehouse, type ClickhouseServerOptions } from './clickhouse-warehouse.ts';
import { migrate, waitForSchema } from './migrate.ts';
import type { Warehouse } from './warehouse.ts';

export interface WarehouseOptions {
  /** Unset: embedded chDB under `dataDir/warehouse`. */
  clickhouse?: ClickhouseServerOptions | undefined;
  dataDir: string;
  /** Store-local calendar for daily aggregates (IANA zone). */
  timezone?: string;
  /** Where the ClickHouse client's own log lines go. */
  logger?: Logger;
  /** On a server: how long to wait for `shelfpulse migrate` (default 5 minutes). */
  schemaWaitMs?: number;
}

async function connect(options: WarehouseOptions): Promise<Warehouse> {
  if (options.clickhouse) return ClickhouseWarehouse.connect(options.clickhouse, { logger: options.logger });
  // Loaded only here: the chdb library (a 566 MB libchdb.so, ~150 MB resident once loaded) is of no use to a process on a server.
  const { ChdbWarehouse } = await import('./chdb-warehouse.ts');
  return new ChdbWarehouse(path.join(options.dataDir, 'warehouse'));
}

/**
 * Opens the configured adapter with its schema up to date. Embedded chDB is this process's own: it migrates itself.
 * A ClickHouse server is shared by every process of the deployment: they wait for `shelfpulse migrate` instead.
 */
export async function openWarehouse(options: WarehouseOptions): Promise<Warehouse> {
  const warehouse = await connect(options);
  try {
    if (warehouse.kind === 'chdb') await migrate(warehouse, { timezone: options.timezone });
    else
      await waitForSchema(warehouse, {
        timeoutMs: options.schemaWaitMs ?? 300_000,
        onWait: (found, needed) => options.logger?.warn({ found, needed }, 'waiting for `shelfpulse migrate` to bring the warehouse schema up to date'),
      });
  } catch (err) {
    await warehouse.close();
    throw err;
  }
  return warehouse;
}

/** `shelfpulse migrate`: applies the migrations not yet recorded, once, from one process; returns their names. */
export async function migrateWarehouse(options: WarehouseOptions): Promise<string[]> {
  const warehouse = await connect(options);
  try {
    return await migrate(warehouse, { timezone: options.timezone });
  } finally {
    await warehouse.close();
  }
}
