import { existingEventIds } from '../analytics/events.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import type { EventLog, LogRecord } from './log/event-log.ts';
import { RecentIds } from './recent-ids.ts';
import { EVENT_STREAMS, type EventStream } from './log/topics.ts';

interface EventRow {
  event_id: string;
  store_id: string;
  ts: string;
}

export interface PublishOutcome {
  accepted: number;
  duplicates: number;
}

/**
 * Publishes validated events to their topic and counts re-sent event ids as duplicates: ids repeated in the
 * batch, ids this process published recently, and — for events old enough to be stored already (at or before
 * the horizon) — ids in the warehouse. A live stream thus costs no warehouse lookup. The warehouse sink is the
 * authority on what is stored, so a duplicate missed here (another ingest process) is still stored once.
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
      ids = RecentIds.forTable(this.warehouse, EVENT_STREAMS[stream].table, this.recentCapacity, this.startedAt)
        // Warehouse down: treat every event as possibly stored.
        .catch(() => new RecentIds(this.recentCapacity, Number.MAX_SAFE_INTEGER));
      this.recent.set(stream, ids);
    }
    return ids;
  }

  /**
   * `intake.encoded`: each row's JSON text as it arrived; `intake.checked`: the rows were validated against the
   * stream's schema (the sink then need not check them again).
   */
  async publish(
    stream: EventStream,
    rows: readonly EventRow[],
    intake: { encoded?: readonly (string | undefined)[]; checked?: boolean } = {},
  ): Promise<PublishOutcome> {
    const recent = await this.recentIds(stream);
    // The log's records, made once: `value` is the row, `time` its event time.
    const fresh: (LogRecord & { value: EventRow; time: number })[] = [];
    const inBatch = new Set<string>();
    rows.forEach((row, i) => {
      if (inBatch.has(row.event_id) || recent.has(row.event_id)) return;
      inBatch.add(row.event_id);
      fresh.push({ key: row.store_id, value: row, encoded: intake.encoded?.[i], checked: intake.checked, time: Date.parse(row.ts) });
    });
    const maybeStored = fresh.filter((f) => f.time <= recent.horizon).map((f) => ({ event_id: f.value.event_id, time: f.time }));
    let stored = new Set<string>();
    try {
      stored = await existingEventIds(this.warehouse, EVENT_STREAMS[stream].table, maybeStored);
    } catch {
      // The warehouse being down must not stop intake: the log buffers and the sink de-duplicates later.
    }
    const toPublish = stored.size === 0 ? fresh : fresh.filter((f) => !stored.has(f.value.event_id));
    // Claimed before the await so that a concurrent request with the same ids counts them as duplicates.
    for (const f of toPublish) recent.add(f.value.event_id, f.time);
    try {
      await this.log.publish(EVENT_STREAMS[stream].topic, toPublish);
    } catch (err) {
      // Not durable, so not published: a retry of these ids must not count as a duplicate.
      recent.forget(toPublish.map((f) => f.value.event_id));
      throw err;
    }
    return { accepted: toPublish.length, duplicates: rows.length - toPublish.length };
  }
}
