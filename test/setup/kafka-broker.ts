import type { TestProject } from 'vitest/node';
import { startMockCluster } from '../kafka/mock-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated bootstrap servers of the Kafka the tests share. */
    kafkaBrokers: string;
  }
}

/**
 * The Kafka the test files share: KAFKA_BROKERS when set (the same tests against a real cluster), else
 * librdkafka's mock cluster (3 brokers, every topic), built on demand and stopped after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.KAFKA_BROKERS;
  if (external) {
    project.provide('kafkaBrokers', external);
    return async () => {};
  }
  const cluster = await startMockCluster({ brokers: 3 });
  project.provide('kafkaBrokers', cluster.bootstrap);
  return () => cluster.stop();
}
