import { startMockCluster, type MockCluster } from './mock-cluster.ts';

export interface TestBrokers {
  brokers: string[];
  /** The mock cluster, for tests that take brokers down; undefined on a real cluster. */
  cluster: MockCluster | undefined;
  stop(): Promise<void>;
}

/** KAFKA_BROKERS when set (the same tests against real Kafka), else a fresh 3-broker mock cluster for this file. */
export async function testBrokers(): Promise<TestBrokers> {
  const external = process.env.KAFKA_BROKERS;
  if (external) return { brokers: external.split(','), cluster: undefined, stop: async () => {} };
  const cluster = await startMockCluster({ brokers: 3 });
  return { brokers: cluster.brokers, cluster, stop: () => cluster.stop() };
}
