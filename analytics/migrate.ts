import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Warehouse } from './warehouse.ts';

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
