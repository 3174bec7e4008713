import type { Warehouse } from './warehouse.ts';

const PLANOGRAM_OF_BAY = `
  SELECT shelf_rows FROM planograms FINAL WHERE store_id = {store_id:String} AND bay = {bay:String} LIMIT 1`;

/** The stored layout of a store bay (SKUs per shelf row, top row first), or undefined when none was put. */
export async function planogramOf(warehouse: Warehouse, storeId: string, bay: string): Promise<string[][] | undefined> {
  const [row] = await warehouse.query<{ shelf_rows: string[][] }>(PLANOGRAM_OF_BAY, { store_id: storeId, bay });
  return row?.shelf_rows;
}
