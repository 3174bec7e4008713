import type { Store } from '../contracts/dashboard.ts';
import type { Row, Warehouse } from './warehouse.ts';

export type MasterDataTable = 'stores' | 'products' | 'assortment' | 'promotions' | 'planograms' | 'sales_targets' | 'closures';

/**
 * Upserts master data: each row is a new version of its key (ReplacingMergeTree on updated_at), so the latest
 * write wins and re-sending the same rows changes nothing a reader sees.
 */
export async function upsertMasterData(warehouse: Warehouse, table: MasterDataTable, rows: readonly Row[]): Promise<number> {
  const updatedAt = new Date().toISOString();
  try {
    return await warehouse.insert(
      table,
      rows.map((row) => ({ ...row, updated_at: updatedAt })),
    );
  } finally {
    // Counted after the write (also a failed one: some rows may be in), so a cache that read before it reads again.
    if (table === 'stores') storeUpserts.set(warehouse, (storeUpserts.get(warehouse) ?? 0) + 1);
  }
}

/** Store upserts through each warehouse object of this process: what tells a StoreZones to read again. */
const storeUpserts = new WeakMap<Warehouse, number>();

export async function countRows(warehouse: Warehouse, table: MasterDataTable): Promise<number> {
  const [row] = await warehouse.query<{ n: string }>('SELECT count() AS n FROM {table:Identifier} FINAL', { table });
  return Number(row?.n ?? 0);
}

const STORE_RECORD = `
  SELECT store_id, name, territory, region, city, lat, lon, format, manager, timezone FROM stores FINAL WHERE store_id = {store_id:String}`;

/** One store as registered: what authorizing a request on it (its territory) and the store page need. */
export async function storeRecord(warehouse: Warehouse, storeId: string): Promise<Store | undefined> {
  const [row] = await warehouse.query<Store>(STORE_RECORD, { store_id: storeId });
  return row;
}

const STORE_ZONES = `SELECT store_id, timezone FROM stores FINAL`;

/** Every registered store, and the zone of each that names one of its own (the others keep the platform zone). */
async function readStoreZones(warehouse: Warehouse): Promise<{ registered: Set<string>; zones: Map<string, string> }> {
  const rows = await warehouse.query<{ store_id: string; timezone: string }>(STORE_ZONES);
  return { registered: new Set(rows.map((r) => r.store_id)), zones: new Map(rows.filter((r) => r.timezone !== '').map((r) => [r.store_id, r.timezone])) };
}

/** The stores that name a time zone of their own (the others keep the platform zone), by store id. */
export async function storeTimezones(warehouse: Warehouse): Promise<Map<string, string>> {
  return (await readStoreZones(warehouse)).zones;
}

/**
 * The stores' time zones as this process last read them, for a reader on every batch (the warehouse sink; a read
 * costs ~5 ms). Read again, so that a zone just set applies to the store's next rows:
 * - after stores were upserted through the same warehouse object (ingest in this process: the embedded shape);
 * - when a store not registered at the last read turns up (a store registered by another process, as in the
 *   distributed shape, gets its zone on its first rows);
 * - `maxAgeMs` after the last read (a zone changed by another process applies from then on).
 */
export class StoreZones {
  private registered = new Set<string>();
  private zones = new Map<string, string>();
  private readAt = -Infinity;
  private readUpserts = -1;
  private reads = 0;
  private newestRead = 0;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly maxAgeMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The zone of each store that names one of its own (the others keep the platform zone), current for `storeIds`. */
  async zonesFor(storeIds: Iterable<string>): Promise<ReadonlyMap<string, string>> {
    if (this.readUpserts !== (storeUpserts.get(this.warehouse) ?? 0) || this.now() - this.readAt > this.maxAgeMs) return this.read();
    for (const id of storeIds) if (!this.registered.has(id)) return this.read();
    return this.zones;
  }

  private async read(): Promise<ReadonlyMap<string, string>> {
    // Noted before the query: an upsert that lands while it runs makes the next call read again.
    const upserts = storeUpserts.get(this.warehouse) ?? 0;
    const at = this.now();
    const read = ++this.reads;
    const { registered, zones } = await readStoreZones(this.warehouse);
    // Two reads may overlap (scans and orders batches): the one started last is kept.
    if (read > this.newestRead) {
      this.newestRead = read;
      this.registered = registered;
      this.zones = zones;
      this.readAt = at;
      this.readUpserts = upserts;
    }
    return zones;
  }
}
