import { Kafka, logLevel, type Admin, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import type { BatchHandler, DeliveredRecord, EventLog, LogRecord, SubscribeOptions, Subscription } from './event-log.ts';
import { TOPICS, type Topic } from './topics.ts';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
}

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The event log on Kafka (kafkajs): a producer that waits for all in-sync replicas, and consumer
 * groups that commit a batch's offsets only after its handler succeeded.
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
    const kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 100, retries: 10 },
    });
    // acks=-1 with retries: a retried send may write a record twice, which the consumers absorb by event_id.
    // (kafkajs' idempotent producer needs the cluster controller, which the test broker does not report.)
    const producer = kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
    const admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    const existing = new Set(await admin.listTopics());
    const missing = TOPICS.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      // A cluster without the topics gets them, with room to scale consumers out. Where the cluster refuses
      // (no CreateTopics, as on the test broker), the operator creates them (docker-compose does).
      await admin
        .createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 6 })), waitForLeaders: true })
        .catch((err: Error) => {
          throw new Error(`Kafka topics ${missing.join(', ')} are missing and could not be created (${err.message}); create them with 6 partitions`);
        });
    }
    return new KafkaLog(kafka, producer, admin);
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
    const consumer = this.kafka.consumer({
      groupId: group,
      maxWaitTimeInMs: Math.max(options.lingerMs ?? 0, 50),
      // A member that stops without leaving cleanly is replaced within 10 s.
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1000,
      retry: { initialRetryTime: 100, retries: 10 },
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    let failures = 0;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (let start = 0; start < batch.messages.length; start += maxBatch) {
          if (!isRunning() || isStale()) return;
          const messages = batch.messages.slice(start, start + maxBatch);
          const records = messages.map((m) => decode(batch.topic as Topic, batch.partition, m));
          try {
            await handler(batch.topic as Topic, records);
            failures = 0;
          } catch (err) {
            // Not committed: kafkajs seeks back to the last resolved offset and fetches these records again.
            failures++;
            await sleep(Math.min(100 * 2 ** failures, 10_000));
            throw err;
          }
          const last = messages[messages.length - 1]!.offset;
          resolveOffset(last);
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
          await heartbeat();
        }
      },
    });
    this.consumers.add(consumer);
    return {
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
