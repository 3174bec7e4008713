import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../analytics/open-warehouse.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { waitForConsumers } from '../../pipelines/log/event-log.ts';
import { KafkaLog } from '../../pipelines/log/kafka-log.ts';
import { SINK_GROUP } from '../../pipelines/log/topics.ts';
import { startWarehouseSink } from '../../pipelines/workers/warehouse-sink.ts';
import { startMockCluster, type MockCluster } from '../kafka/mock-cluster.ts';
import { rewindGroup } from '../kafka/rewind.ts';
import { scan } from '../support/fixtures.ts';
import { until } from '../support/wait.ts';

// The sink remembers what it stored instead of looking every id up (see startWarehouseSink): these are the
// cases where that memory is not the whole truth. Sinks of one group in one process, on one chDB, as two sink
// processes on one ClickHouse server; a cluster of its own, as the test moves the sink group's offsets.
let cluster: MockCluster;
let warehouse: Warehouse;
let producer: KafkaLog;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-kafka-sink-restart-'));
const logger = pino({ level: 'silent' });
const connect = () => KafkaLog.connect({ brokers: cluster.brokers, clientId: 'sink-restart-test', logger });

beforeAll(async () => {
  cluster = await startMockCluster({ brokers: 1, partitions: 3 });
  warehouse = await openWarehouse({ dataDir });
  producer = await connect();
});
afterAll(async () => {
  await producer?.close();
  await warehouse?.close();
  await cluster?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// Timed after the sinks start: the memory's horizon is no earlier than its start, and these rows must lie after it.
const base = Date.now() + 86_400_000;
const rows = (prefix: string, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => scan(`${prefix}-${from + i}`, { store_id: `S${(from + i) % 12}`, ts: new Date(base + from + i).toISOString() }));
// As the ingest publishes them: checked, with their JSON text.
const publish = (values: ReturnType<typeof rows>) =>
  producer.publish(
    'scans',
    values.map((value) => ({ key: value.store_id, value, encoded: JSON.stringify(value), checked: true })),
  );

async function stored(prefix: string): Promise<{ rows: number; ids: number }> {
  const [row] = await warehouse.query<{ rows: number; ids: number }>(
    'SELECT count() AS rows, uniqExact(event_id) AS ids FROM scans WHERE startsWith(event_id, {prefix:String})',
    { prefix },
  );
  return { rows: Number(row!.rows), ids: Number(row!.ids) };
}

// Each member leaving or joining costs the group a rebalance of several seconds, longer on a busy machine.
const caughtUp = () => waitForConsumers(producer, SINK_GROUP, ['scans'], 120_000);

describe('the warehouse sink on Kafka stores each event once without looking every id up', () => {
  it('after a member leaves, the one taking its partitions looks up what the other stored', async () => {
    const [logA, logB] = [await connect(), await connect()];
    const sinkA = await startWarehouseSink(logA, warehouse, logger, { lingerMs: 20 });
    const sinkB = await startWarehouseSink(logB, warehouse, logger, { lingerMs: 20 });
    try {
      // Both members read their memory's horizon on the first rows; the later rows are stored after it, each by
      // the member owning its partition.
      await publish(rows('leave', 0, 60));
      await caughtUp();
      await publish(rows('leave', 60, 300));
      await caughtUp();
      expect(await stored('leave-')).toEqual({ rows: 360, ids: 360 });

      await sinkA.stop();
      // A retried publish sends the same rows again, now all to B, which never saw those of A's partitions.
      await publish(rows('leave', 0, 360));
      await publish(rows('leave', 360, 40));
      await caughtUp();
      expect(await stored('leave-')).toEqual({ rows: 400, ids: 400 });
    } finally {
      await sinkB.stop();
      await Promise.all([logA.close(), logB.close()]);
    }
  }, 300_000);

  it('a restart that reads again batches already inserted (killed before the commit) stores nothing twice', async () => {
    // The sink group back to the first offset: what a sink killed between each insert and its commit delivers again.
    expect(await rewindGroup(cluster.brokers, SINK_GROUP, 'scans', 3)).toEqual(['0', '0', '0']);
    const log = await connect();
    const sink = await startWarehouseSink(log, warehouse, logger, { lingerMs: 20 });
    try {
      await publish(rows('restart', 0, 50));
      await caughtUp();
      // Every message of the topic came again, with the new rows after them.
      expect(await stored('leave-')).toEqual({ rows: 400, ids: 400 });
      expect(await stored('restart-')).toEqual({ rows: 50, ids: 50 });
    } finally {
      await sink.stop();
      await log.close();
    }
  }, 300_000);

  it('a row the warehouse refuses in a message stored whole is dead-lettered by its position; the others are stored', async () => {
    const log = await connect();
    const sink = await startWarehouseSink(log, warehouse, logger, { lingerMs: 20 });
    try {
      // Claimed checked by its producer, so the sink does not check it: the warehouse refuses the message's text.
      const values = rows('whole', 0, 6).map((row) => ({ ...row, store_id: 'S1' }));
      values[3] = { ...values[3]!, qty: 'lots' as unknown as number };
      await publish(values);
      await caughtUp();
      expect(await stored('whole-')).toEqual({ rows: 5, ids: 5 });
      await until(async () => {
        const letters = await warehouse.query<{ dead_letter_id: string; reason: string }>(
          "SELECT dead_letter_id, reason FROM dead_letters FINAL WHERE position(record, 'whole-3') > 0",
        );
        return letters.length === 1 && /#3$/.test(letters[0]!.dead_letter_id) && /warehouse refused/.test(letters[0]!.reason);
      }, 'the refused row dead-lettered');
    } finally {
      await sink.stop();
      await log.close();
    }
  }, 300_000);
});
