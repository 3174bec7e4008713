import type { Row, Warehouse } from './warehouse.ts';

/** The event tables the sink writes, by name. */
export type EventTable = 'scans' | 'orders' | 'inventory' | 'competitor_prices';

const EXISTING_EVENT_IDS = `
  SELECT DISTINCT event_id FROM {table:Identifier}
  WHERE ts >= fromUnixTimestamp64Milli({from_ms:Int64}) AND ts <= fromUnixTimestamp64Milli({to_ms:Int64})
    AND event_id IN {ids:Array(String)}`;

/**
 * Which of these event ids (with their event time, epoch ms) are already stored. The time span of each look-up prunes
 * partitions and the bloom filter on event_id skips granules, so the check stays cheap on a large table. The ids go
 * in pieces of at most ID_LIST_CHARS: a ClickHouse server refuses a query parameter over its field limit
 * (http_max_field_value_size, 128 KiB), and a sink that re-reads a whole batch after a restart looks up 50,000 ids.
 */
export async function existingEventIds(warehouse: Warehouse, table: EventTable, events: readonly { event_id: string; time: number }[]): Promise<Set<string>> {
  const existing = new Set<string>();
  for (const piece of idPieces(events)) {
    let from = Infinity;
    let to = -Infinity;
    for (const e of piece) {
      if (e.time < from) from = e.time;
      if (e.time > to) to = e.time;
    }
    const rows = await warehouse.query<{ event_id: string }>(EXISTING_EVENT_IDS, {
      table,
      from_ms: String(from),
      to_ms: String(to),
      ids: piece.map((e) => e.event_id),
    });
    for (const r of rows) existing.add(r.event_id);
  }
  return existing;
}

/** Characters of ids (quoted, with separators) in one look-up: half the server's default field limit. */
export const ID_LIST_CHARS = 64 * 1024;

/** The events in pieces whose id lists stay within ID_LIST_CHARS each (an id longer than that goes alone). */
export function idPieces<T extends { event_id: string }>(events: readonly T[]): T[][] {
  const pieces: T[][] = [];
  let piece: T[] = [];
  let chars = 0;
  for (const e of events) {
    const size = Buffer.byteLength(e.event_id) + 4;
    if (piece.length > 0 && chars + size > ID_LIST_CHARS) {
      pieces.push(piece);
      piece = [];
      chars = 0;
    }
    piece.push(e);
    chars += size;
  }
  if (piece.length > 0) pieces.push(piece);
  return pieces;
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
