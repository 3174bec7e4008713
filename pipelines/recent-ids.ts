import { newestEventTime, type EventTable } from '../analytics/events.ts';
import type { Warehouse } from '../analytics/warehouse.ts';

/**
 * The event ids seen most recently, up to a bound, with a `horizon`: the newest event time that may have been
 * seen without being remembered here (the newest stored before this process started, and the newest that was
 * forgotten to stay in bounds). So an id that is not here and whose event time is after the horizon is new;
 * anything at or before the horizon must be looked up in the warehouse.
 *
 * Every ingested row passes through here twice (publisher and sink), so this is an open-addressing table over
 * typed arrays (a JS Map of half a million strings costs about a microsecond an operation in hashing, rehashing
 * and garbage collection). Entries point into a ring of the ids themselves, so a lookup is exact.
 */
export class RecentIds {
  private readonly ids: (string | undefined)[];
  private readonly times: Float64Array;
  private readonly hashes: Uint32Array;
  /** Ring slot + 1 per table cell; 0 = empty. Linear probing, at most half full. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private next = 0;

  constructor(
    capacity: number,
    public horizon: number,
  ) {
    this.ids = new Array<string | undefined>(capacity);
    this.times = new Float64Array(capacity);
    this.hashes = new Uint32Array(capacity);
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
  }

  /**
   * Remembers nothing yet: whatever the table holds (up to its newest event) and anything timed before `since`
   * (this process's start) lies behind the horizon.
   */
  static async forTable(warehouse: Warehouse, table: EventTable, capacity: number, since: number): Promise<RecentIds> {
    return new RecentIds(capacity, Math.max(since, await newestEventTime(warehouse, table)));
  }

  has(id: string): boolean {
    return this.cellOf(id, hashOf(id)) >= 0;
  }

  add(id: string, time: number): void {
    const evicted = this.ids[this.next];
    if (evicted !== undefined) {
      this.remove(this.cellOf(evicted, this.hashes[this.next]!));
      if (this.times[this.next]! > this.horizon) this.horizon = this.times[this.next]!;
    }
    const hash = hashOf(id);
    let cell = hash & this.mask;
    while (this.table[cell] !== 0) cell = (cell + 1) & this.mask;
    this.table[cell] = this.next + 1;
    this.ids[this.next] = id;
    this.times[this.next] = time;
    this.hashes[this.next] = hash;
    this.next = (this.next + 1) % this.ids.length;
  }

  /**
   * Forgets ids. With `newestTime` (a write whose outcome is unknown), the horizon moves past them, so they
   * are looked up in the warehouse when they come again.
   */
  forget(ids: Iterable<string>, newestTime = -Infinity): void {
    for (const id of ids) {
      const cell = this.cellOf(id, hashOf(id));
      if (cell < 0) continue;
      this.ids[this.table[cell]! - 1] = undefined;
      this.remove(cell);
    }
    if (newestTime > this.horizon) this.horizon = newestTime;
  }

  private cellOf(id: string, hash: number): number {
    for (let cell = hash & this.mask; this.table[cell] !== 0; cell = (cell + 1) & this.mask) {
      const slot = this.table[cell]! - 1;
      if (this.hashes[slot] === hash && this.ids[slot] === id) return cell;
    }
    return -1;
  }

  /** Empties a cell and shifts later entries of its probe run back, so lookups need no tombstones. */
  private remove(cell: number): void {
    let hole = cell;
    this.table[hole] = 0;
    for (let j = (hole + 1) & this.mask; this.table[j] !== 0; j = (j + 1) & this.mask) {
      const home = this.hashes[this.table[j]! - 1]! & this.mask;
      // The entry at j may move into the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        this.table[hole] = this.table[j]!;
        this.table[j] = 0;
        hole = j;
      }
    }
  }
}

/** FNV-1a over the UTF-16 code units. */
function hashOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
