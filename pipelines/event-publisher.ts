import { existingEventIds, newestEventTime } from '../analytics/events.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import type { EventLog } from './event-log.ts';
import { EVENT_STREAMS, type EventStream } from './topics.ts';

interface EventRow {
  event_id: string;
  store_id: string;
  ts: string;
}

/**
 * The event ids this process published most recently, up to a bound. `horizon` is the newest event time that
 * may be stored without being remembered here: the newest stored before this process started, and the newest
 * that was forgotten to stay in bounds.
 */
class RecentIds {
  /** id → its slot in the ring; a ring (not Map insertion order) keeps eviction O(1) at any size. */
  private readonly slots = new Map<string, number>();
  private readonly ring: (string | undefined)[];
  private readonly times: Float64Array;
  private next = 0;
  constructor(
    capacity: number,
    public horizon: number,
  ) {
    this.ring = new Array<string | undefined>(capacity);
    this.times = new Float64Array(capacity);
  }
  has(id: string): boolean {
    return this.slots.has(id);
  }
  add(id: string, time: number): void {
    const evicted = this.ring[this.next];
    if (evicted !== undefined && this.slots.get(evicted) === this.next) {
      this.slots.delete(evicted);
      if (this.times[this.next]! > this.horizon) this.horizon = this.times[this.next]!;
    }
    this.ring[this.next] = id;
    this.times[this.next] = time;
    this.slots.set(id, this.next);
    this.next = (this.next + 1) % this.ring.length;
  }
  delete(id: string): void {
    this.slots.delete(id);
  }
}

export interface PublishOutcome {
  accepted: number;
  duplicates: number;
}

/**
 * Publishes validated events to their topic and counts re-sent event ids as duplicates: ids repeated in the
 * batch, ids this process published recently, and — for events old enough to be stored already (at or before
 * the horizon) — ids in the warehouse. A live stream thus costs no warehouse lookup. The warehouse sink checks
 * every batch again before inserting, so a duplicate missed here (another ingest process) is still stored once.
 */
export class EventPublisher {
  private readonly recent = new Map<EventStream, Promise<RecentIds>>();
  private readonly startedAt = Date.now();

  constructor(
    private readonly log: EventLog,
    private readonly warehouse: Warehouse,
    private readonly recentCapacity = 500_000,
  ) {}

  private recentIds(stream: EventStream): Promise<RecentIds> {
    let ids = this.recent.get(stream);
    if (!ids) {
      ids = newestEventTime(this.warehouse, EVENT_STREAMS[stream].table)
        .catch(() => Number.MAX_SAFE_INTEGER) // warehouse down: treat every event as possibly stored
        .then((newest) => new RecentIds(this.recentCapacity, Math.max(this.startedAt, newest)));
      this.recent.set(stream, ids);
    }
    return ids;
  }

  async publish(stream: EventStream, rows: readonly EventRow[], encoded?: readonly (string | undefined)[]): Promise<PublishOutcome> {
    const recent = await this.recentIds(stream);
    const fresh: { row: EventRow; time: number; encoded: string | undefined }[] = [];
    const inBatch = new Set<string>();
    rows.forEach((row, i) => {
      if (inBatch.has(row.event_id) || recent.has(row.event_id)) return;
      inBatch.add(row.event_id);
      fresh.push({ row, time: Date.parse(row.ts), encoded: encoded?.[i] });
    });
    const maybeStored = fresh.filter((f) => f.time <= recent.horizon).map((f) => f.row);
    let stored = new Set<string>();
    try {
      stored = await existingEventIds(this.warehouse, EVENT_STREAMS[stream].table, maybeStored);
    } catch {
      // The warehouse being down must not stop intake: the log buffers and the sink de-duplicates later.
    }
    const toPublish = fresh.filter((f) => !stored.has(f.row.event_id));
    // Claimed before the await so that a concurrent request with the same ids counts them as duplicates.
    for (const f of toPublish) recent.add(f.row.event_id, f.time);
    try {
      await this.log.publish(
        EVENT_STREAMS[stream].topic,
        toPublish.map((f) => ({ key: f.row.store_id, value: f.row, encoded: f.encoded })),
      );
    } catch (err) {
      for (const f of toPublish) recent.delete(f.row.event_id);
      throw err;
    }
    return { accepted: toPublish.length, duplicates: rows.length - toPublish.length };
  }
}
