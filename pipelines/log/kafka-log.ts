import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type KafkaMessage, type LogEntry, type Producer } from 'kafkajs';
import pino from 'pino';
import type { BatchHandler, DeliveredRecord, EventLog, LogRecord, SubscribeOptions, Subscription } from './event-log.ts';
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
/** The consumer fetch waits for this much data (or lingerMs) before answering, for fuller batches. */
const LINGER_MIN_BYTES = 1024 * 1024;

/** A message that is not JSON still reaches the handler (as text), so it is dead-lettered rather than looping. */
function decode(topic: Topic, partition: number, message: KafkaMessage): DeliveredRecord {
  const encoded = message.value?.toString() ?? 'null';
  let value: unknown;
  try {
    value = JSON.parse(encoded);
  } catch {
    value = encoded;
  }
  return { topic, partition, offset: message.offset, key: message.key?.toString(), value, encoded };
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
  private readonly consumers = new Set<Consumer>();

  private constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly admin: Admin,
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
    return new KafkaLog(kafka, await KafkaLog.connectProducer(kafka, logger), admin);
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

  async publish(topic: Topic, records: LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.producer.send({
      topic,
      acks: -1,
      messages: records.map((r) => ({ key: r.key ?? null, value: r.encoded ?? JSON.stringify(r.value) })),
    });
  }

  async subscribe(group: string, topics: Topic[], handler: BatchHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    const maxBatch = options.maxBatch ?? 5000;
    const lingerMs = options.lingerMs ?? 0;
    const consumer = this.kafka.consumer({
      groupId: group,
      // Linger: the broker answers a fetch once it has LINGER_MIN_BYTES or after lingerMs.
      minBytes: lingerMs > 0 ? LINGER_MIN_BYTES : 1,
      maxWaitTimeInMs: Math.max(lingerMs, 50),
      // A member that stops without leaving cleanly is replaced within 10 s.
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1000,
      // A failing handler is retried with a growing pause (200 ms doubling to 5 s); after the last try the
      // consumer restarts and rejoins, still from the last commit.
      retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 10 },
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) => {
        for (let start = 0; start < batch.messages.length; start += maxBatch) {
          if (!isRunning() || isStale()) return;
          const messages = batch.messages.slice(start, start + maxBatch);
          // Throwing leaves the offset where it was: kafkajs fetches these records again after its retry pause.
          await handler(
            batch.topic as Topic,
            messages.map((m) => decode(batch.topic as Topic, batch.partition, m)),
          );
          const last = messages[messages.length - 1]!.offset;
          resolveOffset(last);
          await commitOffsetsIfNecessary({
            topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }] }],
          });
          await heartbeat();
        }
      },
    });
    this.consumers.add(consumer);
    return {
      // kafkajs' disconnect waits for the batch in hand (and its commit) before leaving the group.
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async lag(group: string, topics: Topic[]): Promise<number> {
    const committed = await this.admin.fetchOffsets({ groupId: group, topics });
    let lag = 0;
    for (const topic of topics) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        // -1: the group has not committed on this partition, so it starts from the oldest record kept.
        const offset = Number(done.find((p) => p.partition === end.partition)?.offset ?? -1);
        lag += Number(end.high) - (offset < 0 ? Number(end.low) : offset);
      }
    }
    return lag;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    await Promise.all([this.producer.disconnect(), this.admin.disconnect()]);
  }
}
