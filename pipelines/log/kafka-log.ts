import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, Partitioners, type Admin, type LogEntry, type Offsets, type PartitionMetadata, type Producer } from 'kafkajs';
import pino from 'pino';
import type { BatchHandler, DeliveredRecord, EventLog, LogRecord, PartitionLag, SubscribeOptions, Subscription } from './event-log.ts';
import { packRows, unpackRows } from './kafka-rows.ts';
import { TOPICS, type Topic } from './topics.ts';

/** The part of a pino logger that kafkajs' messages go to. */
export interface KafkaLogger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /** Where kafkajs' warnings and errors go; a pino logger at `warn` on stdout when not given. */
  logger?: KafkaLogger | undefined;
}

/** Partitions per topic when the log creates the topics itself: room to scale consumers out. */
const PARTITIONS = 6;
/** How long the producer trusts a topic's partition list (kafkajs' own metadata age). */
const METADATA_MAX_AGE_MS = 5 * 60_000;

/** Records of one topic gathered from several partitions and fetches, waiting for one handler call. */
interface Gathered {
  records: DeliveredRecord[];
  /** The offset to commit per partition once the handler succeeded. */
  next: Map<number, string>;
  timer: NodeJS.Timeout | undefined;
  /** Its flush, once queued. */
  queued?: Flush | undefined;
}

/** A queued handler call: `taken` when it takes the gathered records (the one before it is done), `done` after it and its commit. */
interface Flush {
  taken: Promise<void>;
  done: Promise<void>;
}

/** Waits for `work`, telling the group every second that this member is alive (a slow handler is not a dead member). */
async function heartbeating(work: Promise<void>, heartbeat: () => Promise<void>): Promise<void> {
  let done = false;
  const finished = work.finally(() => {
    done = true;
  });
  finished.catch(() => {});
  while (!done) {
    await Promise.race([finished, sleep(1000)]);
    if (!done) await heartbeat();
  }
  await finished;
}

/**
 * Where a handler call that starts at `start` ends: after `maxBatch` records, or before, at the start of a packed
 * message, so that a message's rows go to one call (the warehouse sink then stores the message's bytes whole).
 * A rest of under a quarter of `maxBatch` goes along: alone it would cost a whole insert for a message or two.
 */
function sliceEnd(records: readonly DeliveredRecord[], start: number, maxBatch: number): number {
  const end = start + maxBatch;
  if (end + maxBatch / 4 >= records.length) return records.length;
  for (let cut = end; cut > start; cut--) if (!records[cut]!.packIndex) return cut;
  return end;
}

function logCreator(logger: KafkaLogger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...fields } = log;
      if (level === logLevel.ERROR) logger.error({ kafkajs: namespace, ...fields }, message);
      else logger.warn({ kafkajs: namespace, ...fields }, message);
    };
}

/** kafkajs finds the producer id at the cluster controller; a cluster that reports none cannot give one. */
const isMissingController = (err: unknown) => err instanceof Error && err.name === 'KafkaJSBrokerNotFound';

/**
 * The event log on Kafka (kafkajs): an idempotent producer that waits for all in-sync replicas, and
 * consumer groups that commit a batch's offsets only after its handler succeeded.
 */
export class KafkaLog implements EventLog {
  readonly kind = 'kafka' as const;
  private readonly subscriptions = new Set<Subscription>();
  private readonly groups = new Map<string, Topic[]>();
  private readonly partitions = new Map<Topic, { metadata: PartitionMetadata[]; at: number }>();
  /** Rows and the messages they were packed into, per topic, by this process: a lag in messages told in rows. */
  private readonly packed = new Map<Topic, { rows: number; messages: number }>();
  private lookingUp: Promise<unknown> = Promise.resolve();
  /** The producer's own partitioner (murmur2 of the key, as Java's): rows are packed by the partition it picks. */
  private readonly partitionOf = Partitioners.DefaultPartitioner();

  private constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly admin: Admin,
    private readonly logger: KafkaLogger,
  ) {}

  static async connect(options: KafkaOptions): Promise<KafkaLog> {
    const logger = options.logger ?? pino({ name: 'kafkajs', level: 'warn' });
    const kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: logCreator(logger),
      retry: { initialRetryTime: 100, retries: 10 },
    });
    const admin = kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = TOPICS.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: PARTITIONS })), waitForLeaders: true }).catch(async (err: Error) => {
        await admin.disconnect();
        throw new Error(`Kafka topics ${missing.join(', ')} are missing and could not be created (${err.message}); create them with ${PARTITIONS} partitions`);
      });
    }
    return new KafkaLog(kafka, await KafkaLog.connectProducer(kafka, logger), admin, logger);
  }

  /**
   * acks=-1 with retries, idempotent so that a retried send is written once. librdkafka's mock cluster
   * reports no controller, so there the producer runs without idempotence: a retry may then write a
   * record twice, which the consumers absorb by event_id.
   */
  private static async connectProducer(kafka: Kafka, logger: KafkaLogger): Promise<Producer> {
    const producer = (idempotent: boolean) =>
      kafka.producer({ idempotent, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    const idempotent = producer(true);
    try {
      await idempotent.connect();
      return idempotent;
    } catch (err) {
      if (!isMissingController(err)) throw err;
      await idempotent.disconnect();
      logger.warn({ err }, 'the Kafka cluster reports no controller: producing without idempotence (consumers dedupe by event_id)');
      const plain = producer(false);
      await plain.connect();
      return plain;
    }
  }

  private async partitionMetadata(topic: Topic): Promise<PartitionMetadata[]> {
    const known = this.partitions.get(topic);
    if (known && Date.now() - known.at < METADATA_MAX_AGE_MS) return known.metadata;
    const { topics } = await this.serially(() => this.admin.fetchTopicMetadata({ topics: [topic] }));
    const metadata = topics[0]?.partitions ?? [];
    if (metadata.length === 0) throw new Error(`Kafka topic ${topic} has no partitions; create it with ${PARTITIONS}`);
    this.partitions.set(topic, { metadata, at: Date.now() });
    return metadata;
  }

  /** The rows go packed by partition (see kafka-rows.ts), one message per partition and 768 KiB. */
  async publish(topic: Topic, records: LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    const partitionMetadata = await this.partitionMetadata(topic);
    const messages = packRows(records, (key) => this.partitionOf({ topic, partitionMetadata, message: { key: key ?? null, value: null } }));
    await this.producer.send({ topic, acks: -1, messages });
    const packed = this.packed.get(topic) ?? { rows: 0, messages: 0 };
    packed.rows += records.length;
    packed.messages += messages.length;
    this.packed.set(topic, packed);
  }

  rowsPerRecord(topic: Topic): number {
    const packed = this.packed.get(topic);
    return packed ? packed.rows / packed.messages : 1;
  }

  /**
   * The subscription gathers what the fetches bring, from every partition of a topic, until it holds `maxBatch`
   * records or the first has waited `lingerMs`, then hands them to the handler in one call and commits their
   * offsets after it succeeded. (A broker answers a fetch with its data at hand, as little as one producer's
   * write per partition, so waiting for fuller fetches alone does not make large batches.) A failing handler
   * gets the same records again after a growing pause (200 ms doubling to 5 s) while nothing is committed.
   * With `lingerMs`, the fetches go on while the handler works: the next batch gathers meanwhile (at most
   * `maxBatch` records wait behind the one in hand), and once full or lingered it takes, when the handler is free,
   * what came until then. Handler calls stay one at a time and in order, and so do the commits, which do not hold
   * up the next call.
   */
  async subscribe(group: string, topics: Topic[], handler: BatchHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    const maxBatch = options.maxBatch ?? 5000;
    const lingerMs = options.lingerMs ?? 0;
    const consumer = this.kafka.consumer({
      groupId: group,
      maxWaitTimeInMs: 100,
      // A member that stops without leaving cleanly is replaced within 10 s.
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1000,
      retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 10 },
    });
    const gathered = new Map<Topic, Gathered>();
    const stopping = new AbortController();
    let handling: Promise<void> = Promise.resolve();
    let committing: Promise<void> = Promise.resolve();
    // The group's own commit, from the latest batch: it still commits while the consumer stops (consumer.commitOffsets
    // does not), until the member has left the group.
    let commit: ((offsets: Offsets) => Promise<void>) | undefined;

    const handle = async (topic: Topic, batch: Gathered) => {
      for (let pause = 200; ; pause = Math.min(pause * 2, 5000)) {
        try {
          for (let start = 0, end = 0; start < batch.records.length; start = end) {
            end = sliceEnd(batch.records, start, maxBatch);
            await handler(topic, batch.records.slice(start, end));
          }
          break;
        } catch {
          // The handler reports its own errors. Stopping: nothing is committed, so a restart delivers these again.
          if (stopping.signal.aborted) return;
          await sleep(pause, undefined, { signal: stopping.signal }).catch(() => {});
          if (stopping.signal.aborted) return;
        }
      }
      const partitions = [...batch.next].map(([partition, offset]) => ({ partition, offset }));
      // The commits go in order on their own chain: the next batch's handler does not wait for this round trip.
      committing = committing.then(() =>
        commit?.({ topics: [{ topic, partitions }] }).catch((err: unknown) => {
          // The group rebalanced meanwhile: the partitions' new owner gets these records again (consumers dedupe).
          this.logger.warn({ err, group, topic }, 'offsets not committed after a rebalance; the records will be delivered again');
        }),
      );
    };
    // One handler call at a time, in the order the records came. A flush is queued once per batch and takes the
    // records when the handler before it is done, so those that come meanwhile join the batch rather than wait.
    const flush = (topic: Topic): Flush => {
      const batch = gathered.get(topic);
      if (!batch) return { taken: Promise.resolve(), done: handling.then(() => committing) };
      if (batch.queued) return batch.queued;
      clearTimeout(batch.timer);
      const taken = handling.then(() => {
        if (gathered.get(topic) === batch) gathered.delete(topic);
      });
      const handled = taken.then(() => handle(topic, batch));
      handling = handled.catch((err: unknown) => this.logger.error({ err, group, topic }, 'event log subscription failed'));
      batch.queued = { taken, done: handled.then(() => committing) };
      return batch.queued;
    };

    if (options.onAssigned) consumer.on(consumer.events.GROUP_JOIN, options.onAssigned);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        commit = commitOffsetsIfNecessary;
        const topic = batch.topic as Topic;
        let into = gathered.get(topic);
        if (!into) {
          into = { records: [], next: new Map(), timer: undefined };
          gathered.set(topic, into);
          if (lingerMs > 0) into.timer = setTimeout(() => void flush(topic).done, lingerMs);
        }
        for (const message of batch.messages) {
          for (const record of unpackRows(topic, batch.partition, message)) into.records.push(record);
        }
        const last = batch.messages[batch.messages.length - 1]!.offset;
        into.next.set(batch.partition, (BigInt(last) + 1n).toString());
        // The fetch moves on at once; the commit waits for the handler.
        resolveOffset(last);
        if (lingerMs === 0 || stopping.signal.aborted) await heartbeating(flush(topic).done, heartbeat);
        // A full batch waits only until the handler before it is done: the fetches gather the next one while the
        // handler works on this one (the handler's writes and the fetching then overlap instead of taking turns).
        else if (into.records.length >= maxBatch) await heartbeating(flush(topic).taken, heartbeat);
        else await heartbeat();
      },
    });
    this.groups.set(group, topics);
    const subscription: Subscription = {
      // Hands on what is gathered (one try), then leaves the group: kafkajs' disconnect waits for the batch in hand.
      stop: async () => {
        if (!this.subscriptions.delete(subscription)) return;
        stopping.abort();
        await Promise.all([...gathered.keys()].map((topic) => flush(topic).done));
        await consumer.disconnect();
        await handling;
        await committing;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async lag(group: string, topics: Topic[]): Promise<number> {
    return (await this.lagByPartition(group, topics)).reduce((sum, p) => sum + p.lag, 0);
  }

  /** One admin look-up at a time: kafkajs' admin answers concurrent look-ups of a topic with nothing now and then. */
  private serially<T>(lookUp: () => Promise<T>): Promise<T> {
    const next = this.lookingUp.then(lookUp);
    this.lookingUp = next.catch(() => {});
    return next;
  }

  lagByPartition(group: string, topics: Topic[]): Promise<PartitionLag[]> {
    return this.serially(() => this.readLag(group, topics));
  }

  private async readLag(group: string, topics: Topic[]): Promise<PartitionLag[]> {
    const committed = await this.admin.fetchOffsets({ groupId: group, topics });
    const lags: PartitionLag[] = [];
    for (const topic of topics) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        // -1: the group has not committed on this partition, so it starts from the oldest record kept.
        const offset = Number(done.find((p) => p.partition === end.partition)?.offset ?? -1);
        lags.push({ topic, partition: end.partition, lag: Number(end.high) - (offset < 0 ? Number(end.low) : offset) });
      }
    }
    return lags;
  }

  subscribedGroups(): ReadonlyMap<string, readonly Topic[]> {
    return this.groups;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await Promise.all([this.producer.disconnect(), this.admin.disconnect()]);
  }
}
