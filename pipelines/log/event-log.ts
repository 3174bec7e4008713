import type { Topic } from './topics.ts';

export interface LogRecord {
  /** Partitioning key: records with the same key keep their order (we use store_id). */
  key?: string | undefined;
  value: unknown;
  /** The JSON text of `value` when the caller already has it (NDJSON intake): saves encoding it again. */
  encoded?: string | undefined;
  /** The producer validated `value` against the topic's schema. */
  checked?: boolean | undefined;
  /** The event's `ts` as epoch ms, when the producer has it (saves parsing it again). */
  time?: number | undefined;
}

export interface DeliveredRecord {
  topic: Topic;
  partition: number;
  offset: string;
  key: string | undefined;
  value: unknown;
  /** The JSON text of `value` as stored in the log, when the adapter has it. */
  encoded?: string | undefined;
  /**
   * A producer in this process validated `value` against the topic's schema (the embedded log hands back the
   * very record it was given while it is in memory); consumers need not check it again.
   */
  checked?: boolean | undefined;
  /**
   * A checked event row's identity, when the log carried it beside the row's text (packed Kafka messages): the
   * warehouse sink then stores `encoded` without parsing it.
   */
  event?: EventIdentity | undefined;
  /**
   * The message this record is line `packIndex` of (packed Kafka messages): when every line of a pack is stored
   * at once, the pack's text goes to the warehouse as it came.
   */
  pack?: RowPack | undefined;
  packIndex?: number | undefined;
}

/** The JSON text of the records of one log message, one a line, as UTF-8 bytes. */
export interface RowPack {
  readonly bytes: Uint8Array;
  /** How many lines (records) it holds. */
  readonly count: number;
}

/** What the warehouse sink needs of an event row besides its text. */
export interface EventIdentity {
  event_id: string;
  /** The event's `ts`, epoch ms. */
  time: number;
  store_id: string;
}

/** The identity of a checked event row keyed by its store, from what its producer gave; undefined for any other record. */
export function eventIdentity(record: LogRecord): EventIdentity | undefined {
  if (!record.checked || typeof record.value !== 'object' || record.value === null) return undefined;
  const { event_id, ts, store_id } = record.value as Record<string, unknown>;
  if (typeof event_id !== 'string' || typeof ts !== 'string' || typeof store_id !== 'string' || store_id !== record.key) return undefined;
  const time = record.time ?? Date.parse(ts);
  return Number.isFinite(time) ? { event_id, time, store_id } : undefined;
}

/** Records of `topic`'s `partition` published but not yet committed by a group (the embedded log has partition 0). */
export interface PartitionLag {
  topic: Topic;
  partition: number;
  lag: number;
}

/** Handles one batch of one topic. Throwing means "not done": the same records come again. */
export type BatchHandler = (topic: Topic, records: DeliveredRecord[]) => Promise<void>;

export interface SubscribeOptions {
  /** Most records handed to the handler at once. */
  maxBatch?: number;
  /** How long to wait for a fuller batch when fewer than maxBatch records are ready. */
  lingerMs?: number;
  /**
   * Called when the group hands this member its partitions (Kafka, at every rebalance; the embedded log never
   * calls it): whatever the member remembers of the records it handled may now be stale.
   */
  onAssigned?: () => void;
}

export interface Subscription {
  /** Stops taking new batches; resolves after the batch in hand is handled and committed. */
  stop(): Promise<void>;
}

/**
 * The event log between ingest and the workers. Two adapters: Kafka (kafkajs) and the embedded log.
 * - publish resolves only when the records are durable (fsync'd / acknowledged by all in-sync replicas);
 * - subscribe delivers batches at least once and commits a batch's offsets only after its handler succeeds.
 */
export interface EventLog {
  readonly kind: 'embedded' | 'kafka';
  publish(topic: Topic, records: LogRecord[]): Promise<void>;
  subscribe(group: string, topics: Topic[], handler: BatchHandler, options?: SubscribeOptions): Promise<Subscription>;
  /** Records published to `topics` that `group` has not yet committed. */
  lag(group: string, topics: Topic[]): Promise<number>;
  /** The same, per topic and partition. On Kafka a record is a message, which holds the rows of one publish and partition. */
  lagByPartition(group: string, topics: Topic[]): Promise<PartitionLag[]>;
  /**
   * Rows a record of `topic` holds on average: 1 on the embedded log; on Kafka, as this process has packed them so
   * far (1 before it has published), so that a lag in messages can be told in rows.
   */
  rowsPerRecord(topic: Topic): number;
  /** The consumer groups this process has subscribed, with their topics. */
  subscribedGroups(): ReadonlyMap<string, readonly Topic[]>;
  close(): Promise<void>;
}

/** Resolves once `group` has consumed everything published to `topics` before the call, or rejects on timeout. */
export async function waitForConsumers(log: EventLog, group: string, topics: Topic[], timeoutMs = 30_000, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    signal?.throwIfAborted();
    if ((await log.lag(group, topics)) === 0) return;
    if (Date.now() > deadline) throw new Error(`consumer group ${group} did not catch up on ${topics.join(', ')} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
