import type { Row, Warehouse } from './warehouse.ts';

/** The event tables the sink writes, by name. */
export type EventTable = 'scans' | 'orders' | 'inventory' | 'competitor_prices';

const EXISTING_EVENT_IDS = `
  SELECT DISTINCT event_id FROM {table:Identifier}
  WHERE ts >= fromUnixTimestamp64Milli({from_ms:Int64}) AND ts <= fromUnixTimestamp64Milli({to_ms:Int64})
    AND event_id IN {ids:Array(String)}`;

/**
 * Which of these event ids (with their event time, epoch ms) are already stored. The time span of the batch prunes partitions and the
 * bloom filter on event_id skips granules, so the check stays cheap on a large table.
 */
export async function existingEventIds(warehouse: Warehouse, table: EventTable, events: readonly { event_id: string; time: number }[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  let from = Infinity;
  let to = -Infinity;
  for (const e of events) {
    if (e.time < from) from = e.time;
    if (e.time > to) to = e.time;
  }
  const rows = await warehouse.query<{ event_id: string }>(EXISTING_EVENT_IDS, {
    table,
    from_ms: String(from),
    to_ms: String(to),
    ids: events.map((e) => e.event_id),
  });
  return new Set(rows.map((r) => r.event_id));
}

/**
 * Appends validated events given as JSON text or its UTF-8 bytes, each item one row or several, one a line; `ts`
 * strings with offsets are parsed by the engine (best_effort).
 */
export async function insertEvents(warehouse: Warehouse, table: EventTable, jsonLines: readonly (string | Uint8Array)[]): Promise<void> {
  await warehouse.insertEncoded(table, jsonLines);
}

const NEWEST_EVENT = 'SELECT toUnixTimestamp64Milli(max(ts)) AS newest FROM {table:Identifier}';

/** The newest event time stored in a table (epoch ms; 0 when empty). */
export async function newestEventTime(warehouse: Warehouse, table: EventTable): Promise<number> {
  const [row] = await warehouse.query<{ newest: number }>(NEWEST_EVENT, { table });
  return Number(row?.newest ?? 0);
}

export async function insertDeadLetters(warehouse: Warehouse, rows: readonly Row[]): Promise<number> {
  return warehouse.insert('dead_letters', rows);
}
