import type { Logger } from 'pino';
import { existingEventIds, insertDeadLetters, insertEvents, type EventTable } from '../../analytics/events.ts';
import { StoreZones } from '../../analytics/master-data.ts';
import { WarehouseError, type Row, type Warehouse } from '../../analytics/warehouse.ts';
import { localDay } from '../../lib/days.ts';
import type { DeliveredRecord, EventIdentity, EventLog, Subscription } from '../log/event-log.ts';
import { sinkRows } from '../metrics.ts';
import { RecentIds } from '../recent-ids.ts';
import { deadLetterFor } from '../dead-letters.ts';
import { EVENT_STREAMS, SINK_GROUP, type DeadLetter, type Topic } from '../log/topics.ts';
import { recordCheck, type RecordCheck } from '../validate.ts';

export interface SinkOptions {
  /** Insert when this many records are waiting… */
  maxBatch?: number;
  /** …or when the oldest has waited this long. */
  lingerMs?: number;
  /** Ids the sink remembers having stored, per table. */
  storedIdsCapacity?: number;
}

interface StreamSink {
  table: EventTable;
  check: RecordCheck<Row & { event_id: string; ts: string; store_id: string }>;
}

const sinks = new Map<Topic, StreamSink>(
  Object.values(EVENT_STREAMS).map((s) => [s.topic, { table: s.table, check: recordCheck(s.schema) as StreamSink['check'] }]),
);

/** Tables whose rows carry their store-local day (local_day), which the daily sales and order views bucket by. */
const DAY_TABLES: ReadonlySet<EventTable> = new Set(['scans', 'orders']);

/**
 * The JSON text of the rows to insert, in order. A row of a store that names its own time zone gets its local day
 * on that calendar; the warehouse gives every other row its day in the platform zone (it takes zones only as
 * constants). The stores' zones come from `zones` (read again after a store upsert, for a store it has not seen,
 * and every few seconds), so a zone set or changed applies to the rows stored from then on. All the lines of a
 * log message, in a row and with no day to add, go as the message's bytes: neither decoded nor one a row.
 */
async function rowTexts(zones: StoreZones, table: EventTable, items: readonly Candidate[]): Promise<(string | Uint8Array)[]> {
  const zoneOf = DAY_TABLES.has(table) && items.length > 0 ? await zones.zonesFor(items.map((i) => i.row.store_id)) : new Map<string, string>();
  const texts: (string | Uint8Array)[] = [];
  for (let i = 0; i < items.length; ) {
    const { record, row } = items[i]!;
    const pack = record.pack;
    if (pack && record.packIndex === 0 && i + pack.count <= items.length) {
      let n = 0;
      while (n < pack.count && items[i + n]!.record.pack === pack && items[i + n]!.record.packIndex === n && !zoneOf.has(items[i + n]!.row.store_id)) n++;
      if (n === pack.count) {
        texts.push(pack.bytes);
        i += n;
        continue;
      }
    }
    const text = record.encoded ?? JSON.stringify(record.value);
    const zone = zoneOf.get(row.store_id);
    // The row's JSON text as it came off the log goes to the warehouse as it is: the day is spliced in before its
    // closing brace rather than the row parsed and encoded again, the sink's largest cost at full ingest rate.
    texts.push(zone === undefined ? text : `${text.slice(0, text.lastIndexOf('}'))},"local_day":"${localDay(row.time, zone)}"}`);
    i++;
  }
  return texts;
}

/**
 * Stores one batch of one event stream exactly once: invalid records go to dead-letter with the reason,
 * ids already stored are skipped, and when the engine refuses the rows the batch is split until the
 * refused records are found and dead-lettered. A warehouse outage throws, so the batch comes again.
 *
 * `stored` remembers the ids this sink stored lately: an id that is neither there nor older than its horizon cannot
 * be in the table (see startWarehouseSink for why), so a live stream needs no lookup. Without it, every id is
 * looked up.
 * `zones` is the sink's cache of the stores' time zones (by default one read for this batch).
 */
export async function sinkEvents(
  warehouse: Warehouse,
  topic: Topic,
  records: DeliveredRecord[],
  { stored, zones = new StoreZones(warehouse) }: { stored?: RecentIds | undefined; zones?: StoreZones } = {},
): Promise<{ inserted: number; duplicates: number; deadLetters: DeadLetter[] }> {
  const sink = sinks.get(topic);
  if (!sink) throw new Error(`no warehouse table for topic ${topic}`);
  const deadLetters: DeadLetter[] = [];
  const valid: Candidate[] = [];
  // Ids of this batch are claimed in `stored` at once (so a repeat within the batch is a duplicate too).
  const seen = stored ?? new Set<string>();
  let duplicates = 0;
  for (const record of records) {
    // A row the producer checked is not checked again; one that came with its identity is not even parsed.
    let row = record.event;
    if (!row) {
      const checked = record.checked
        ? { ok: true as const, value: record.value as Row & { event_id: string; ts: string; store_id: string } }
        : sink.check(record.value);
      if (!checked.ok) {
        deadLetters.push(deadLetterFor(record, checked.error));
        continue;
      }
      row = { event_id: checked.value.event_id, time: Date.parse(checked.value.ts), store_id: checked.value.store_id };
    }
    if (seen.has(row.event_id)) duplicates++;
    else {
      seen.add(row.event_id, row.time);
      valid.push({ record, row });
    }
  }
  try {
    const lookUp = stored ? valid.filter((v) => !(v.row.time > stored.horizon)) : valid;
    const inTable = await existingEventIds(
      warehouse,
      sink.table,
      lookUp.map((v) => v.row),
    );
    const fresh = inTable.size === 0 ? valid : valid.filter((v) => !inTable.has(v.row.event_id));
    duplicates += valid.length - fresh.length;
    const refused: Candidate[] = [];
    const inserted = await insertSplitting(warehouse, zones, sink.table, fresh, deadLetters, refused);
    stored?.forget(refused.map((r) => r.row.event_id));
    return { inserted, duplicates, deadLetters };
  } catch (err) {
    // Some rows may have been written before the failure: the retry looks all of them up.
    stored?.forget(
      valid.map((v) => v.row.event_id),
      valid.reduce((newest, v) => Math.max(newest, v.row.time), -Infinity),
    );
    throw err;
  }
}

interface Candidate {
  record: DeliveredRecord;
  row: EventIdentity;
}

/** Inserts the rows; when the engine refuses them, halves until the refused rows are found. */
async function insertSplitting(
  warehouse: Warehouse,
  zones: StoreZones,
  table: EventTable,
  items: Candidate[],
  deadLetters: DeadLetter[],
  refused: Candidate[],
): Promise<number> {
  if (items.length === 0) return 0;
  try {
    await insertEvents(warehouse, table, await rowTexts(zones, table, items));
    return items.length;
  } catch (err) {
    if (!(err instanceof WarehouseError) || err.code !== 'bad_data') throw err;
    if (items.length === 1) {
      deadLetters.push(deadLetterFor(items[0]!.record, `warehouse refused the row: ${err.message.slice(0, 500)}`));
      refused.push(items[0]!);
      return 0;
    }
    const half = Math.ceil(items.length / 2);
    return (
      (await insertSplitting(warehouse, zones, table, items.slice(0, half), deadLetters, refused)) +
      (await insertSplitting(warehouse, zones, table, items.slice(half), deadLetters, refused))
    );
  }
}

/**
 * The warehouse sink: event topics into their tables, dead letters into `dead_letters`.
 *
 * Exactly once without looking every id up. Per table the sink remembers the ids it stored lately and a horizon
 * (`RecentIds`): an event time at or before which a row may be stored without being remembered. A row that is
 * not remembered and is timed after the horizon is new; any other is looked up in the warehouse. The horizon is
 * read as the newest event stored (or the time it is read, if later) when the memory starts. That is sound when,
 * from then on, every row of the sink's records that gets stored is stored by this memory's owner:
 * - embedded log: the sink is the tables' only writer, and the memory lasts as long as the process;
 * - Kafka: the members of the group split the partitions, and every copy of an event (a retried publish, a
 *   batch delivered again) is in the partition of its key, the store. So the memory starts afresh each time the
 *   group hands this member its partitions (`onAssigned`), and the horizon is read by the next batch: whatever a
 *   former owner stored is then in the table, at or before the horizon — also the batch of a sink killed between
 *   its insert and its offset commit, which now comes again — and is looked up. Batches are handled one at a time,
 *   so this member's own earlier inserts are in as well. A write whose outcome is unknown moves the horizon past
 *   its rows (`forget`). Not covered, as it was not when every id was looked up: a former owner still alive after
 *   losing its partitions (stalled past its session, not killed) that inserts after the new owner's look-up.
 */
export async function startWarehouseSink(log: EventLog, warehouse: Warehouse, logger: Logger, options: SinkOptions = {}): Promise<Subscription> {
  const topics: Topic[] = [...sinks.keys(), 'dead-letter'];
  let storedIds = new Map<EventTable, RecentIds>();
  const zones = new StoreZones(warehouse);
  let memorySince = Date.now();
  const storedIdsOf = async (table: EventTable): Promise<RecentIds> => {
    // Kept in the map of the assignment it was read in: one read before a rebalance is not used after it.
    const memory = storedIds;
    let ids = memory.get(table);
    if (!ids) {
      ids = await RecentIds.forTable(warehouse, table, options.storedIdsCapacity ?? 500_000, memorySince);
      memory.set(table, ids);
    }
    return ids;
  };
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
        const table = sinks.get(topic)!.table;
        const { inserted, duplicates, deadLetters } = await sinkEvents(warehouse, topic, records, { stored: await storedIdsOf(table), zones });
        if (deadLetters.length > 0) {
          await log.publish(
            'dead-letter',
            deadLetters.map((d) => ({ key: d.topic, value: d })),
          );
          logger.warn({ topic, count: deadLetters.length, first: deadLetters[0]!.reason }, 'records sent to dead-letter');
        }
        sinkRows.inc({ table, outcome: 'inserted' }, inserted);
        sinkRows.inc({ table, outcome: 'duplicate' }, duplicates);
        sinkRows.inc({ table, outcome: 'dead_letter' }, deadLetters.length);
      } catch (err) {
        logger.error({ err, topic, records: records.length }, 'warehouse sink batch failed; it will be retried');
        throw err;
      }
    },
    {
      maxBatch: options.maxBatch ?? 50_000,
      lingerMs: options.lingerMs ?? 250,
      onAssigned: () => {
        storedIds = new Map();
        memorySince = Date.now();
      },
    },
  );
}
