import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../pipelines/log/embedded-log.ts';
import { waitForConsumers, type DeliveredRecord, type EventLog } from '../../pipelines/log/event-log.ts';
import { KafkaLog } from '../../pipelines/log/kafka-log.ts';
import { testBrokers, type TestBrokers } from '../kafka/brokers.ts';
import { until } from '../support/wait.ts';

const run = `run${Date.now().toString(36)}`;
let counter = 0;
const group = (name: string) => `${run}-${name}-${counter++}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-log-'));
let brokers: TestBrokers;

beforeAll(async () => {
  brokers = await testBrokers();
});
afterAll(async () => {
  await brokers?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Adapter {
  name: string;
  open(): Promise<EventLog>;
}

const adapters: Adapter[] = [
  { name: 'embedded', open: () => EmbeddedLog.open(dir) },
  { name: 'kafka', open: () => KafkaLog.connect({ brokers: brokers.brokers, clientId: 'shelfpulse-test', logger: pino({ level: 'silent' }) }) },
];

/** Records of this test only (a real cluster may hold others'). */
const mine = (tag: string) => (r: DeliveredRecord) => (r.value as { tag?: string }).tag === tag;

describe.each(adapters)('event log: $name', (adapter) => {
  let log: EventLog;
  beforeAll(async () => {
    log = await adapter.open();
  });
  afterAll(async () => log?.close());

  it('delivers every published record, in order per key', async () => {
    const tag = group('order');
    const records = Array.from({ length: 300 }, (_, i) => ({ key: `S${i % 3}`, value: { tag, n: i, store: `S${i % 3}` } }));
    await log.publish('scans', records);
    const seen: DeliveredRecord[] = [];
    const sub = await log.subscribe(tag, ['scans'], async (_topic, batch) => void seen.push(...batch.filter(mine(tag))));
    await until(() => seen.length >= 300, 'all records');
    await sub.stop();
    expect(seen.length).toBe(300);
    for (const store of ['S0', 'S1', 'S2']) {
      const ns = seen.filter((r) => r.key === store).map((r) => (r.value as { n: number }).n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
  });

  it('a failing handler gets the same records again, and nothing is committed until it succeeds', async () => {
    const tag = group('retry');
    await log.publish('orders', [{ key: 'S1', value: { tag, n: 1 } }]);
    let attempts = 0;
    const delivered: number[] = [];
    const lagWhileFailing: number[] = [];
    const sub = await log.subscribe(tag, ['orders'], async (_topic, batch) => {
      const ours = batch.filter(mine(tag));
      if (ours.length === 0) return;
      attempts++;
      if (attempts < 3) {
        lagWhileFailing.push(await log.lag(tag, ['orders']));
        throw new Error('warehouse down (test)');
      }
      delivered.push(...ours.map((r) => (r.value as { n: number }).n));
    });
    await until(() => delivered.length > 0, 'a successful delivery');
    for (const lag of lagWhileFailing) expect(lag).toBeGreaterThanOrEqual(1);
    await waitForConsumers(log, tag, ['orders'], 30_000);
    await sub.stop();
    expect(attempts).toBe(3);
    expect(delivered).toEqual([1]);
  });

  it('a group resumes after its last commit: committed batches are not delivered again', async () => {
    const tag = group('resume');
    await log.publish(
      'inventory',
      [1, 2, 3].map((n) => ({ key: 'S1', value: { tag, n } })),
    );
    const first: number[] = [];
    const sub1 = await log.subscribe(
      tag,
      ['inventory'],
      async (_t, batch) => void first.push(...batch.filter(mine(tag)).map((r) => (r.value as { n: number }).n)),
    );
    await until(() => first.length === 3, 'the first three');
    await waitForConsumers(log, tag, ['inventory'], 30_000);
    await sub1.stop();

    await log.publish(
      'inventory',
      [4, 5].map((n) => ({ key: 'S1', value: { tag, n } })),
    );
    const second: number[] = [];
    const sub2 = await log.subscribe(
      tag,
      ['inventory'],
      async (_t, batch) => void second.push(...batch.filter(mine(tag)).map((r) => (r.value as { n: number }).n)),
    );
    await until(() => second.length >= 2, 'the next two');
    await sub2.stop();
    expect(second).toEqual([4, 5]);
  });

  it('two groups each get everything; lag counts what a group has not committed', async () => {
    const tag = group('fanout');
    const a = `${tag}-a`;
    const b = `${tag}-b`;
    await log.publish(
      'alerts',
      Array.from({ length: 20 }, (_, n) => ({ key: 'S1', value: { tag, n } })),
    );
    // Kafka counts messages, and the 20 records of one key went in one.
    expect(await log.lag(b, ['alerts'])).toBeGreaterThanOrEqual(log.kind === 'kafka' ? 1 : 20);
    const seenA: number[] = [];
    const seenB: number[] = [];
    const subA = await log.subscribe(a, ['alerts'], async (_t, batch) => void seenA.push(...batch.filter(mine(tag)).map(() => 1)));
    const subB = await log.subscribe(b, ['alerts'], async (_t, batch) => void seenB.push(...batch.filter(mine(tag)).map(() => 1)));
    await until(() => seenA.length === 20 && seenB.length === 20, 'both groups');
    await waitForConsumers(log, a, ['alerts'], 30_000);
    await waitForConsumers(log, b, ['alerts'], 30_000);
    expect(await log.lag(a, ['alerts'])).toBe(0);
    await Promise.all([subA.stop(), subB.stop()]);
  });

  it('stop() lets the batch in hand finish and commit', async () => {
    const tag = group('drain');
    await log.publish('photos', [{ key: 'S1', value: { tag, n: 1 } }]);
    let finished = false;
    let started = false;
    const sub = await log.subscribe(tag, ['photos'], async (_t, batch) => {
      if (!batch.some(mine(tag))) return;
      started = true;
      await new Promise((r) => setTimeout(r, 300));
      finished = true;
    });
    await until(() => started, 'the batch to start');
    await sub.stop();
    expect(finished).toBe(true);

    // The drained batch was committed: the group, resumed and caught up, does not get it again.
    let redelivered = 0;
    const resumed = await log.subscribe(tag, ['photos'], async (_t, batch) => void (redelivered += batch.filter(mine(tag)).length));
    await waitForConsumers(log, tag, ['photos'], 30_000);
    await resumed.stop();
    expect(redelivered).toBe(0);
  });
});

describe('embedded log files', () => {
  it('hands checked event rows back from memory with their identity, and resumes at the right byte of the files', async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-log-tail-'));
    const ts = '2026-11-20T09:30:00+08:00';
    // A store named in Chinese makes lines whose bytes are not their characters.
    const rows = [1, 2, 3].map((n) => ({ event_id: `e${n}`, store_id: n === 2 ? '上海南京路店' : 'S1', ts, n }));
    const read = async (log: EventLog, group: string, count: number, options?: { maxBatch: number }) => {
      const seen: DeliveredRecord[] = [];
      const sub = await log.subscribe(
        group,
        ['scans'],
        async (_t, batch) => {
          // Taken only up to `count`: the rest stays uncommitted.
          if (seen.length + batch.length > count) throw new Error('not now');
          seen.push(...batch);
        },
        options,
      );
      await until(() => seen.length === count, `${count} records`);
      await sub.stop();
      return seen;
    };
    try {
      const log = await EmbeddedLog.open(own);
      await log.publish(
        'scans',
        rows.map((value) => ({ key: value.store_id, value, encoded: JSON.stringify(value), checked: true, time: Date.parse(ts) })),
      );
      const fromMemory = await read(log, 'sink', 2, { maxBatch: 2 });
      expect(fromMemory.map((r) => r.event)).toEqual(rows.slice(0, 2).map((r) => ({ event_id: r.event_id, time: Date.parse(ts), store_id: r.store_id })));
      expect(fromMemory.map((r) => r.value)).toEqual(rows.slice(0, 2));
      await log.close();
      // The group resumes from the file position it committed, which was counted in memory.
      const reopened = await EmbeddedLog.open(own);
      expect((await read(reopened, 'sink', 1)).map((r) => r.value)).toEqual([rows[2]]);
      // A group that comes later reads them all from the files.
      expect((await read(reopened, 'late', 3)).map((r) => r.value)).toEqual(rows);
      await reopened.close();
    } finally {
      fs.rmSync(own, { recursive: true, force: true });
    }
  });

  it('keeps every record across a reopen and drops a line torn by a crash', async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-log-torn-'));
    try {
      const log = await EmbeddedLog.open(own);
      await log.publish(
        'scans',
        [1, 2, 3].map((n) => ({ key: 'S1', value: { n } })),
      );
      await log.close();
      // A crash in the middle of an append leaves half a line behind.
      const segment = path.join(own, 'scans', fs.readdirSync(path.join(own, 'scans'))[0]!);
      fs.appendFileSync(segment, '{"k":"S1","v":{"n":');

      const reopened = await EmbeddedLog.open(own);
      await reopened.publish('scans', [{ key: 'S1', value: { n: 4 } }]);
      const seen: number[] = [];
      const sub = await reopened.subscribe('reader', ['scans'], async (_t, batch) => void seen.push(...batch.map((r) => (r.value as { n: number }).n)));
      await until(() => seen.length === 4, 'four records');
      await sub.stop();
      await reopened.close();
      expect(seen).toEqual([1, 2, 3, 4]);
    } finally {
      fs.rmSync(own, { recursive: true, force: true });
    }
  });
});
