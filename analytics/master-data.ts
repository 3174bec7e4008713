import type { Row, Warehouse } from './warehouse.ts';

export type MasterDataTable = 'stores' | 'products' | 'assortment' | 'promotions';

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
