import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WarehouseError, type Warehouse } from './warehouse.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/** Splits a migration file into statements: a statement ends with `;` at the end of a line. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((statement) =>
      statement
        .split('\n')
        .filter((line) => !line.trim().startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter((statement) => statement.length > 0);
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.split('_')[0]),
      name: file.replace(/\.sql$/, ''),
      statements: splitStatements(await fs.readFile(path.join(dir, file), 'utf8')),
    })),
  );
}

export interface MigrateOptions {
  /** The platform zone (IANA): the day of a sale or order whose store names no zone of its own, written into the schema. */
  timezone?: string;
  migrations?: Migration[];
}

/** Applies each migration not yet recorded in `schema_migrations`, in order; returns the names applied. */
export async function migrate(warehouse: Warehouse, options: MigrateOptions = {}): Promise<string[]> {
  const timezone = options.timezone ?? 'Asia/Shanghai';
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(timezone)) throw new Error(`time zone "${timezone}" is not an IANA name`);
  await warehouse.command(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
  ) ENGINE = ReplacingMergeTree ORDER BY version`);
  const done = new Set((await warehouse.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
  const applied: string[] = [];
  for (const migration of options.migrations ?? (await loadMigrations())) {
    if (done.has(migration.version)) continue;
    // Every statement is idempotent (IF NOT EXISTS), so a crash between two statements is safe to re-run.
    for (const statement of migration.statements) await warehouse.command(statement.replaceAll('{{timezone}}', timezone));
    await warehouse.insert('schema_migrations', [{ version: migration.version, name: migration.name }]);
    applied.push(migration.name);
  }
  return applied;
}

/** The app's processes found the warehouse schema older than this build needs, and it did not come in time. */
export class SchemaNotReadyError extends Error {
  override name = 'SchemaNotReadyError';
  constructor(
    readonly found: number,
    readonly needed: number,
    waitedSeconds: number,
  ) {
    super(
      `the warehouse schema is at version ${found}, this build needs ${needed} (waited ${waitedSeconds} s): run \`shelfpulse migrate\` against the same CLICKHOUSE_URL (the compose \`migrate\` service) and start again`,
    );
  }
}

/** The newest migration recorded in the warehouse; 0 for a warehouse never migrated. */
export async function schemaVersion(warehouse: Warehouse): Promise<number> {
  try {
    const [row] = await warehouse.query<{ version: number }>('SELECT max(version) AS version FROM schema_migrations');
    return Number(row?.version ?? 0);
  } catch (err) {
    if (err instanceof WarehouseError && err.code === 'bad_query') return 0;
    throw err;
  }
}

/**
 * Waits until `shelfpulse migrate` (one process) has brought the schema to the version this build needs. Processes
 * that each migrated on start raced one another on a shared server (a table created twice, dropped under another's
 * refill, a version recorded twice), so on a server the app only waits. An unreachable warehouse is waited for too.
 */
export async function waitForSchema(
  warehouse: Warehouse,
  options: { needed?: number; timeoutMs: number; pollMs?: number; onWait?: (found: number, needed: number) => void },
): Promise<number> {
  const needed = options.needed ?? Math.max(...(await loadMigrations()).map((m) => m.version));
  const started = Date.now();
  let announced = false;
  for (;;) {
    const found = await schemaVersion(warehouse).catch((err: unknown) => {
      if (err instanceof WarehouseError && err.code === 'unavailable') return 0;
      throw err;
    });
    if (found >= needed) return found;
    if (Date.now() - started >= options.timeoutMs) throw new SchemaNotReadyError(found, needed, Math.round((Date.now() - started) / 1000));
    if (!announced) options.onWait?.(found, needed);
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}
