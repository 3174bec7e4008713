import { existingEventIds } from '../analytics/events.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import type { EventLog } from './event-log.ts';
import { EVENT_STREAMS, type EventStream } from './topics.ts';

interface EventRow {
  event_id: string;
  store_id: string;
  ts: string;
}

/** Remembers the newest event ids per stream, up to a bound, oldest forgotten first. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
  }
  delete(id: string): void {
    this.ids.delete(id);
  }
}

export interface PublishOutcome {
  accepted: number;
  duplicates: number;
}

/**
 * Publishes validated events to their topic, counting re-sent event ids as duplicates: ids seen in this batch,
 * ids this process published recently (not yet in the warehouse), and ids already stored. The warehouse sink
 * checks again before inserting, so a duplicate this misses (another ingest process, a race) is still stored once.
 */
export class EventPublisher {
  private readonly recent = new Map<EventStream, RecentIds>();

  constructor(
    private readonly log: EventLog,
    private readonly warehouse: Warehouse,
    private readonly recentCapacity = 2_000_000,
  ) {}

  private recentIds(stream: EventStream): RecentIds {
    let ids = this.recent.get(stream);
    if (!ids) this.recent.set(stream, (ids = new RecentIds(this.recentCapacity)));
    return ids;
  }

  async publish(stream: EventStream, rows: readonly EventRow[]): Promise<PublishOutcome> {
    const recent = this.recentIds(stream);
    const fresh: EventRow[] = [];
    const inBatch = new Set<string>();
    for (const row of rows) {
      if (inBatch.has(row.event_id) || recent.has(row.event_id)) continue;
      inBatch.add(row.event_id);
      fresh.push(row);
    }
    let stored = new Set<string>();
    try {
      stored = await existingEventIds(this.warehouse, EVENT_STREAMS[stream].table, fresh);
    } catch {
      // The warehouse being down must not stop intake: the log buffers and the sink de-duplicates later.
    }
    const toPublish = fresh.filter((row) => !stored.has(row.event_id));
    // Claimed before the await so that a concurrent request with the same ids counts them as duplicates.
    for (const row of toPublish) recent.add(row.event_id);
    try {
      await this.log.publish(
        EVENT_STREAMS[stream].topic,
        toPublish.map((row) => ({ key: row.store_id, value: row })),
      );
    } catch (err) {
      for (const row of toPublish) recent.delete(row.event_id);
      throw err;
    }
    return { accepted: toPublish.length, duplicates: rows.length - toPublish.length };
  }
}
