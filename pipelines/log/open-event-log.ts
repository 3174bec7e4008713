import path from 'node:path';
import type { Config } from '../config.ts';
import { EmbeddedLog } from './embedded-log.ts';
import type { EventLog } from './event-log.ts';
import type { KafkaLogger } from './kafka-log.ts';

/** The configured event log: Kafka when KAFKA_BROKERS is set, else the embedded log under the data dir. */
export async function openEventLog(config: Pick<Config, 'kafka' | 'dataDir'>, logger?: KafkaLogger): Promise<EventLog> {
  if (config.kafka) {
    const { KafkaLog } = await import('./kafka-log.ts');
    return KafkaLog.connect({ ...config.kafka, logger });
  }
  return EmbeddedLog.open(path.join(config.dataDir, 'log'));
}
