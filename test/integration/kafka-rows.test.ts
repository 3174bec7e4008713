import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SINK_GROUP } from '../../pipelines/log/topics.ts';
import { startMockCluster, type MockCluster } from '../kafka/mock-cluster.ts';
import { rewindGroup } from '../kafka/rewind.ts';
import { scan, scans, scansNdjson } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/wait.ts';

// A cluster of its own: the test moves the sink group's offsets, which no other file may share.
let cluster: MockCluster;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-kafka-rows-'));
beforeAll(async () => {
  cluster = await startMockCluster({ brokers: 3, partitions: 3 });
});
afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const start = (env: NodeJS.ProcessEnv = {}) => startTestServer({ SHELFPULSE_DATA_DIR: dataDir, KAFKA_BROKERS: cluster.bootstrap, ...env });
const kafka = () => new Kafka({ brokers: cluster.brokers, clientId: 'kafka-rows-test', logLevel: logLevel.NOTHING });

async function stored(server: TestServer, prefix: string): Promise<{ rows: number; ids: number }> {
  const [row] = await server.platform.warehouse.query<{ rows: number; ids: number }>(
    'SELECT count() AS rows, uniqExact(event_id) AS ids FROM scans WHERE startsWith(event_id, {prefix:String})',
    { prefix },
  );
  return { rows: Number(row!.rows), ids: Number(row!.ids) };
}

async function deadLetters(server: TestServer, like: string): Promise<{ dead_letter_id: string; reason: string; record: string }[]> {
  return server.platform.warehouse.query(
    "SELECT dead_letter_id, reason, record FROM dead_letters FINAL WHERE topic = 'scans' AND position(record, {like:String}) > 0 ORDER BY dead_letter_id",
    { like },
  );
}

describe('rows packed into Kafka messages (mock cluster, 3 brokers), through the app', () => {
  it('stores every row exactly once, also when a restart delivers every message again', async () => {
    let server = await start();
    try {
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/events/scans',
        headers: server.admin('application/x-ndjson'),
        payload: scansNdjson('packed', 600, (i) => ({ store_id: `S${i % 7}` })),
      });
      expect(res.statusCode).toBe(202);
      expect(res.json().accepted).toBe(600);
      await server.settle();
      expect(await stored(server, 'packed-')).toEqual({ rows: 600, ids: 600 });
    } finally {
      await server.stop();
    }

    // The sink group back to the first offset: what a crash between every insert and its commit would deliver again.
    expect(await rewindGroup(cluster.brokers, SINK_GROUP, 'scans', 3)).toEqual(['0', '0', '0']);

    server = await start();
    try {
      await server.settle();
      expect(await stored(server, 'packed-')).toEqual({ rows: 600, ids: 600 });
    } finally {
      await server.stop();
    }
  }, 180_000);

  it('dead-letters each bad row of a message with its reason and stores the others', async () => {
    const server = await start();
    try {
      // Published without the API's checks (an older or foreign producer): one message, as they share a key.
      const rows = [...scans('mixed', 5), scan('mixed-bad-qty', { qty: 'lots' }), scan('mixed-no-sku', { sku: undefined })];
      await server.platform.log.publish(
        'scans',
        rows.map((value) => ({ key: 'S1', value })),
      );
      await server.settle();
      expect(await stored(server, 'mixed-')).toEqual({ rows: 5, ids: 5 });
      const letters = await deadLetters(server, 'mixed-');
      expect(letters).toHaveLength(2);
      expect(new Set(letters.map((l) => l.dead_letter_id)).size).toBe(2);
      expect(letters.find((l) => l.record.includes('mixed-bad-qty'))!.reason).toMatch(/qty/);
      expect(letters.find((l) => l.record.includes('mixed-no-sku'))!.reason).toMatch(/sku/);
    } finally {
      await server.stop();
    }
  });

  it('reads messages of the one-row format, as written before the upgrade, beside packed ones', async () => {
    const server = await start();
    const producer = kafka().producer();
    await producer.connect();
    try {
      await producer.send({
        topic: 'scans',
        acks: -1,
        messages: [
          ...scans('old', 3, (i) => ({ store_id: `S${i}` })).map((row) => ({ key: row.store_id, value: JSON.stringify(row) })),
          { key: 'S1', value: 'old-not-json' },
        ],
      });
      await server.platform.log.publish(
        'scans',
        scans('new', 3).map((value) => ({ key: value.store_id, value })),
      );
      await server.settle();
      expect(await stored(server, 'old-')).toEqual({ rows: 3, ids: 3 });
      expect(await stored(server, 'new-')).toEqual({ rows: 3, ids: 3 });
      expect(await deadLetters(server, 'old-not-json')).toHaveLength(1);
    } finally {
      await producer.disconnect();
      await server.stop();
    }
  });

  it('shows the consumer lag per group, topic and partition on /metrics', async () => {
    // Ingest without a sink: what it publishes waits, and the sink group's lag says how much, partition by partition.
    const server = await start({ SHELFPULSE_ROLES: 'ingest,web' });
    try {
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/events/scans',
        headers: server.admin('application/x-ndjson'),
        payload: scansNdjson('lagging', 30, (i) => ({ store_id: `S${i % 9}` })),
      });
      expect(res.statusCode).toBe(202);
      const lagOf = async () => {
        const body = (await server.app.inject({ method: 'GET', url: '/metrics', headers: server.admin() })).body;
        const lines = body.split('\n').filter((l) => l.startsWith('shelfpulse_consumer_lag_records{group="warehouse-sink",topic="scans"'));
        return { partitions: lines.length, lag: lines.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0), body };
      };
      await until(async () => (await lagOf()).lag >= 1, 'the sink lag on /metrics');
      const { partitions, body } = await lagOf();
      expect(partitions).toBe(3);
      // The groups this process consumes are there too (here the live alerts of the web role).
      expect(body).toMatch(/shelfpulse_consumer_lag_records\{group="live-alerts-[^"]+",topic="alerts",partition="0"\} \d+/);
      // /readyz and ingest's backpressure count rows: 30, though Kafka holds them in one message per partition.
      await until(async () => (await server.app.inject({ method: 'GET', url: '/readyz' })).json().sink_lag === 30, 'sink_lag in rows');
    } finally {
      await server.stop();
    }
  });
});
