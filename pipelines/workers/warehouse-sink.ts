import type { Logger } from 'pino';
import { existingEventIds, insertDeadLetters, insertEvents, type EventTable } from '../../analytics/events.ts';
import { WarehouseError, type Row, type Warehouse } from '../../analytics/warehouse.ts';
import type { DeliveredRecord, EventLog, Subscription } from '../event-log.ts';
import { sinkRows } from '../metrics.ts';
import { EVENT_STREAMS, type DeadLetter, type EventStream, type Topic } from '../topics.ts';
import { recordCheck, type RecordCheck } from '../validate.ts';

export const SINK_GROUP = 'warehouse-sink';

export interface SinkOptions {
  /** Insert when this many records are waiting… */
  maxBatch?: number;
  /** …or when the oldest has waited this long. */
  lingerMs?: number;
}

interface StreamSink {
  table: EventTable;
  check: RecordCheck<Row & { event_id: string; ts: string }>;
}

const sinks = new Map<Topic, StreamSink>(
  Object.values(EVENT_STREAMS).map((s) => [
    s.topic,
    { table: s.table, check: recordCheck(s.schema) as StreamSink['check'] },
  ]),
);

export function deadLetterFor(record: DeliveredRecord, reason: string): DeadLetter {
  return {
    // Derived from the log position, so a re-delivered batch dead-letters the same id (stored once).
    dead_letter_id: `${record.topic}:${record.partition}:${record.offset}`,
    topic: record.topic,
    reason,
    record: record.value,
    failed_at: new Date().toISOString(),
  };
}

/**
 * Stores one batch of one event stream exactly once: invalid records go to dead-letter with the reason,
 * ids already stored are skipped, and when the engine refuses the rows the batch is split until the
 * refused records are found and dead-lettered. A warehouse outage throws, so the batch comes again.
 */
export async function sinkEvents(
  warehouse: Warehouse,
  topic: Topic,
  records: DeliveredRecord[],
): Promise<{ inserted: number; duplicates: number; deadLetters: DeadLetter[] }> {
  const sink = sinks.get(topic);
  if (!sink) throw new Error(`no warehouse table for topic ${topic}`);
  const deadLetters: DeadLetter[] = [];
  const valid: { record: DeliveredRecord; row: Row & { event_id: string; ts: string } }[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const record of records) {
    const checked = sink.check(record.value);
    if (!checked.ok) deadLetters.push(deadLetterFor(record, checked.error));
    else if (seen.has(checked.value.event_id)) duplicates++;
    else {
      seen.add(checked.value.event_id);
      valid.push({ record, row: checked.value });
    }
  }
  const stored = await existingEventIds(warehouse, sink.table, valid.map((v) => v.row));
  const fresh = valid.filter((v) => !stored.has(v.row.event_id));
  duplicates += valid.length - fresh.length;
  const inserted = await insertSplitting(warehouse, sink.table, fresh, deadLetters);
  return { inserted, duplicates, deadLetters };
}

async function insertSplitting(
  warehouse: Warehouse,
  table: EventTable,
  items: { record: DeliveredRecord; row: Row }[],
  deadLetters: DeadLetter[],
): Promise<number> {
  if (items.length === 0) return 0;
  try {
    return await insertEvents(warehouse, table, items.map((i) => i.record.encoded ?? JSON.stringify(i.row)));
  } catch (err) {
    if (!(err instanceof WarehouseError) || err.code !== 'bad_data') throw err;
    if (items.length === 1) {
      deadLetters.push(deadLetterFor(items[0]!.record, `warehouse refused the row: ${err.message.slice(0, 500)}`));
      return 0;
    }
    const half = Math.ceil(items.length / 2);
    return (
      (await insertSplitting(warehouse, table, items.slice(0, half), deadLetters)) +
      (await insertSplitting(warehouse, table, items.slice(half), deadLetters))
    );
  }
}

/** The warehouse sink: event topics into their tables, dead letters into `dead_letters`. */
export async function startWarehouseSink(
  log: EventLog,
  warehouse: Warehouse,
  logger: Logger,
  options: SinkOptions = {},
): Promise<Subscription> {
  const topics: Topic[] = [...sinks.keys(), 'dead-letter'];
  return log.subscribe(
    SINK_GROUP,
    topics,
    async (topic, records) => {
      try {
        if (topic === 'dead-letter') {
          await insertDeadLetters(
            warehouse,
            records.map((r) => {
              const letter = r.value as DeadLetter;
              return { ...letter, record: JSON.stringify(letter.record) };
            }),
          );
          return;
        }
        const { inserted, duplicates, deadLetters } = await sinkEvents(warehouse, topic, records);
        if (deadLetters.length > 0) {
          await log.publish('dead-letter', deadLetters.map((d) => ({ key: d.topic, value: d })));
          logger.warn({ topic, count: deadLetters.length, first: deadLetters[0]!.reason }, 'records sent to dead-letter');
        }
        const table = sinks.get(topic)!.table;
        sinkRows.inc({ table, outcome: 'inserted' }, inserted);
        sinkRows.inc({ table, outcome: 'duplicate' }, duplicates);
        sinkRows.inc({ table, outcome: 'dead_letter' }, deadLetters.length);
      } catch (err) {
        logger.error({ err, topic, records: records.length }, 'warehouse sink batch failed; it will be retried');
        throw err;
      }
    },
    { maxBatch: options.maxBatch ?? 50_000, lingerMs: options.lingerMs ?? 250 },
  );
}

