import { inject } from 'vitest';

export interface TestBrokers {
  brokers: string[];
  /** Nothing to stop here: the shared cluster outlives the test file (test/setup/kafka-broker.ts stops it). */
  stop(): Promise<void>;
}

/** The Kafka the whole test run shares: KAFKA_BROKERS when set, else the mock cluster the global setup started. */
export async function testBrokers(): Promise<TestBrokers> {
  return { brokers: inject('kafkaBrokers').split(','), stop: async () => {} };
}
