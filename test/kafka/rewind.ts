import { Kafka, logLevel } from 'kafkajs';
import { until } from '../support/wait.ts';

/**
 * Moves a consumer group back to the first offset of every partition of `topic`: what a member killed between each
 * insert and its commit delivers again. Answers the group's committed offsets afterwards.
 * (The mock cluster has no DescribeGroups for the admin's resetOffsets, so a member of the group commits instead;
 * short timeouts, so a member that starts next waits out no long rebalance window if this one's leaving is missed.)
 */
export async function rewindGroup(brokers: string[], groupId: string, topic: string, partitions: number): Promise<string[]> {
  const kafka = new Kafka({ brokers, clientId: 'test-rewind', logLevel: logLevel.NOTHING });
  const member = kafka.consumer({ groupId, sessionTimeout: 6000, rebalanceTimeout: 6000 });
  const toStart = Array.from({ length: partitions }, (_, partition) => ({ partition, offset: '0' }));
  let rewound = false;
  member.on(member.events.GROUP_JOIN, () => {
    for (const { partition } of toStart) member.seek({ topic, partition, offset: '0' });
  });
  await member.connect();
  await member.subscribe({ topics: [topic], fromBeginning: true });
  await member.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ commitOffsetsIfNecessary }) => {
      await commitOffsetsIfNecessary({ topics: [{ topic, partitions: toStart }] });
      rewound = true;
    },
  });
  await until(() => rewound, `consumer group ${groupId} rewound`);
  await member.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return offsets!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset);
  } finally {
    await admin.disconnect();
  }
}
