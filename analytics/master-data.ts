import type { Row, Warehouse } from './warehouse.ts';

export type MasterDataTable = 'stores' | 'products' | 'assortment' | 'promotions' | 'planograms';

/**
 * Upserts master data: each row is a new version of its key (ReplacingMergeTree on updated_at), so the latest
 * write wins and re-sending the same rows changes nothing a reader sees.
 */
export async function upsertMasterData(warehouse: Warehouse, table: MasterDataTable, rows: readonly Row[]): Promise<number> {
  const updatedAt = new Date().toISOString();
  return warehouse.insert(table, rows.map((row) => ({ ...row, updated_at: updatedAt })));
}

export async function countRows(warehouse: Warehouse, table: MasterDataTable): Promise<number> {
  const [row] = await warehouse.query<{ n: string }>('SELECT count() AS n FROM {table:Identifier} FINAL', { table });
  return Number(row?.n ?? 0);
}

const STORE_TIMEZONES = `SELECT store_id, timezone FROM stores FINAL WHERE timezone != ''`;

/** The stores that name a time zone of their own (the others keep the platform zone), by store id. */
export async function storeTimezones(warehouse: Warehouse): Promise<Map<string, string>> {
  const rows = await warehouse.query<{ store_id: string; timezone: string }>(STORE_TIMEZONES);
  return new Map(rows.map((r) => [r.store_id, r.timezone]));
}
