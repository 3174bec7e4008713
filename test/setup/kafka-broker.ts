import { buildMockCluster } from '../kafka/mock-cluster.ts';

/** Builds the Kafka test broker once, before any test file starts one (unless KAFKA_BROKERS names a real cluster). */
export default function setup(): void {
  if (!process.env.KAFKA_BROKERS) buildMockCluster();
}
