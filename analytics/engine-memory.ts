import type { Warehouse } from './warehouse.ts';

// What ClickHouse's own allocator accounting holds (parts, caches, running queries and merges): in-process for
// chDB, the server's for a ClickHouse server.
const TRACKED = `SELECT toFloat64(value) AS bytes FROM system.metrics WHERE metric = 'MemoryTracking'`;

export async function warehouseMemoryBytes(warehouse: Warehouse): Promise<number> {
  const [row] = await warehouse.query<{ bytes: number }>(TRACKED);
  return row?.bytes ?? 0;
}
