import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDay, previousDay } from '../../lib/days.ts';
import { waitForConsumers } from '../../pipelines/log/event-log.ts';
import { KafkaLog } from '../../pipelines/log/kafka-log.ts';
import { EVENT_TOPICS, SINK_GROUP } from '../../pipelines/log/topics.ts';
import { renderShelf } from '../../synthetic/render.ts';
import { startMockCluster, type MockCluster } from '../kafka/mock-cluster.ts';
import { clickhouseUrl, freshDatabase, serverWarehouse } from '../support/clickhouse.ts';
import { exited, spawnServer, type ServerProcess } from '../support/process.ts';
import { ADMIN_TOKEN } from '../support/server.ts';
import { until } from '../support/wait.ts';

// The distributed shape as compose runs it, every role its own OS process (`shelfpulse serve` with SHELFPULSE_ROLES)
// on the Kafka mock cluster and the ClickHouse test server: events streamed through two ingests while one ingest and
// one sink are killed with SIGKILL and restarted; a phone photo analysed by the vision process; then the daily close of the alerts role, compared with the
// embedded shape's (chDB and the embedded log in one process) on the same rows.

const CLI = path.join(import.meta.dirname, '../../bin/shelfpulse.mjs');
const dirs: string[] = [];
const tempDir = (name: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `shelfpulse-${name}-`));
  dirs.push(dir);
  return dir;
};
const running = new Set<ServerProcess>();

/**
 * The platform zone of both shapes: China time, unless its midnight is near, then UTC (8 hours away). The alerts
 * role closes its zone's yesterday by the wall clock, so the test's rows must not change day under it.
 */
function calendar(now = new Date()): { timezone: string; offset: string; asOf: string } {
  const hour = (now.getUTCHours() + 8) % 24;
  const [timezone, offset] = hour >= 1 && hour < 23 ? ['Asia/Shanghai', '+08:00'] : ['UTC', '+00:00'];
  return { timezone, offset, asOf: previousDay(localDay(now, timezone)) };
}
const { timezone, offset, asOf } = calendar();

// A chain of 12 stores × 8 own SKUs with 35 days of till lines up to the close day, and the problems a close finds:
// sellers gone silent (zero_sale), silent and counted empty (out_of_stock), a silent store (no_data), a competitor
// under the own price (price_gap), a customer who stopped ordering (dormant_customer).
const STORES = Array.from({ length: 12 }, (_, i) => `S${String(i + 1).padStart(2, '0')}`);
const SKUS = Array.from({ length: 8 }, (_, i) => `P${i + 1}`);
const ZERO_SALE = new Set(['S01/P1', 'S04/P3', 'S07/P5']);
const OUT_OF_STOCK = new Set(['S02/P2', 'S09/P6']);
const SILENT_STORE = 'S12';
const DAYS = 35;
const at = (day: string, time: string) => `${day}T${time}${offset}`;

function masterData() {
  return {
    stores: STORES.map((store_id, i) => ({
      store_id,
      name: `门店${store_id}`,
      territory: `T${i % 3}`,
      region: '华东',
      city: '上海',
      lat: 31 + i / 100,
      lon: 121 + i / 100,
      manager: `mgr-${store_id}`,
    })),
    products: [
      ...SKUS.map((sku, i) => ({ sku, name: `商品${sku}`, brand: 'Own', category: ['饮料', '乳品', '零食'][i % 3], regular_price: 10, is_competitor: false })),
      { sku: 'C1', name: '对手商品1', brand: 'Rival', category: '饮料', regular_price: 9, is_competitor: true, matches_sku: 'P1' },
      { sku: 'C2', name: '对手商品2', brand: 'Rival', category: '乳品', regular_price: 9.9, is_competitor: true, matches_sku: 'P2' },
    ],
    assortment: STORES.flatMap((store_id) => SKUS.map((sku) => ({ store_id, sku }))),
  };
}

type Stream = 'scans' | 'inventory' | 'orders' | 'competitor-prices';
interface Batch {
  stream: Stream;
  rows: { event_id: string }[];
}

/** The events, in requests of up to 200 rows: about 13,000 till lines of one unit each and the rest. */
function eventBatches(): Batch[] {
  const scans = [];
  for (let o = 1 - DAYS; o <= 0; o++) {
    const day = addDays(asOf, o);
    for (const [s, store] of STORES.entries()) {
      for (const [k, sku] of SKUS.entries()) {
        const pair = `${store}/${sku}`;
        const silent = o > -3 && (ZERO_SALE.has(pair) || OUT_OF_STOCK.has(pair) || store === SILENT_STORE);
        const units = silent ? 0 : 2 + ((s * 7 + k * 3 + o * o) % 5);
        for (let line = 0; line < units; line++) {
          scans.push({ event_id: `${store}-${sku}-${day}-${line}`, store_id: store, sku, ts: at(day, `1${line}:00:00`), qty: 1, unit_price: 10 });
        }
      }
    }
  }
  const inventory = STORES.flatMap((store) =>
    SKUS.map((sku) => ({
      event_id: `inv-${store}-${sku}`,
      store_id: store,
      sku,
      ts: at(asOf, '21:00:00'),
      on_hand: OUT_OF_STOCK.has(`${store}/${sku}`) ? 0 : 20,
    })),
  );
  const orders = STORES.map((store, i) => {
    const day = addDays(asOf, store === 'S06' ? -100 : -10 - i);
    return { event_id: `o-${store}`, order_id: `ORD-${store}`, store_id: store, sku: 'P1', ts: at(day, '10:00:00'), qty: 48, unit_price: 8 };
  });
  const prices = [
    { event_id: 'cp-S03', store_id: 'S03', sku: 'C1', ts: at(asOf, '09:00:00'), price: 9, source: 'manual' }, // 10% under P1
    { event_id: 'cp-S05', store_id: 'S05', sku: 'C2', ts: at(asOf, '09:00:00'), price: 9.9, source: 'photo' }, // 1%: no gap
  ];
  const chunks = <T extends { event_id: string }>(stream: Stream, rows: T[]): Batch[] =>
    Array.from({ length: Math.ceil(rows.length / 200) }, (_, i) => ({ stream, rows: rows.slice(i * 200, (i + 1) * 200) }));
  return [...chunks('scans', scans), ...chunks('inventory', inventory), ...chunks('orders', orders), ...chunks('competitor-prices', prices)];
}

/**
 * Till lines of today as they happen (stamped when made, after the ingests started: newer than anything an ingest
 * would look up in the warehouse), from pairs and stores the close of yesterday does not judge.
 */
function liveBatches(): Batch[] {
  const ts = new Date().toISOString();
  const rows = STORES.slice(0, 11).flatMap((store) =>
    ['P7', 'P8'].flatMap((sku) =>
      Array.from({ length: 90 }, (_, i) => ({ event_id: `live-${store}-${sku}-${i}`, store_id: store, sku, ts, qty: 1, unit_price: 10 })),
    ),
  );
  return Array.from({ length: Math.ceil(rows.length / 200) }, (_, i) => ({ stream: 'scans' as const, rows: rows.slice(i * 200, (i + 1) * 200) }));
}

/** A shelf as a phone saves it held upright: the pixels landscape, EXIF orientation 6 (turn 90° clockwise to view). */
async function phonePhoto(): Promise<Buffer> {
  const { jpeg } = await renderShelf(7, { width: 3024, height: 4032 });
  return sharp(jpeg).rotate(270).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toBuffer();
}

/** The bay photographed on the close day in store S01. */
async function uploadPhoto(url: string): Promise<Response> {
  const form = new FormData();
  form.append('store_id', 'S01');
  form.append('taken_at', at(asOf, '10:00:00'));
  form.append('photo', new Blob([new Uint8Array(await phonePhoto())], { type: 'image/jpeg' }), 'bay.jpg');
  return fetch(`${url}/v1/photos`, { method: 'POST', headers: { authorization: headers.authorization }, body: form });
}

const TABLES: Record<Stream, string> = { scans: 'scans', inventory: 'inventory', orders: 'orders', 'competitor-prices': 'competitor_prices' };
const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

async function postAccepted(url: string, body: unknown): Promise<void> {
  const res = await post(url, body);
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
}

async function start(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const server = await spawnServer(
    ['--no-demo'],
    { SHELFPULSE_ADMIN_TOKEN: ADMIN_TOKEN, SHELFPULSE_TIMEZONE: timezone, SHELFPULSE_VISION_THREADS: '1', ...env },
    { timeoutMs: 240_000 },
  );
  running.add(server);
  return server;
}

async function stop(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  server.child.kill(signal);
  await exited(server.child);
  running.delete(server);
}

/** Waits for the alerts role's daily close of `asOf`, and for its price consumer to have taken every price. */
async function dailyClose(server: ServerProcess): Promise<void> {
  await until(
    () =>
      server
        .output()
        .split('\n')
        .some((line) => line.includes('"msg":"daily close"') && line.includes(`"as_of":"${asOf}"`)),
    `the daily close of ${asOf}`,
    120_000,
  );
  await until(
    async () => {
      const metrics = await (await fetch(`${server.url}/metrics`, { headers })).text();
      const lags = [...metrics.matchAll(/^shelfpulse_consumer_lag_records\{group="alert-engine",topic="competitor-prices",[^}]*\} (\d+)$/gm)];
      return lags.length > 0 && lags.every((m) => m[1] === '0');
    },
    "the alert engine's price consumer",
    60_000,
  );
}

/** Every alert as the admin lists it, without what depends on the wall clock. */
async function alertsOf(server: ServerProcess): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${server.url}/v1/alerts?limit=1000&lang=en`, { headers });
  expect(res.status).toBe(200);
  const { alerts } = (await res.json()) as { alerts: Record<string, unknown>[] };
  return alerts
    .map(({ created_at, updated_at, resolved_at, due_at, overdue, ...alert }) => alert)
    .sort((a, b) => `${a.type}:${a.store_id}:${a.sku}`.localeCompare(`${b.type}:${b.store_id}:${b.sku}`));
}

let cluster: MockCluster;
const database = freshDatabase('distributed');
beforeAll(async () => {
  // A cluster of its own: the roles use the platform's consumer groups, which no other test file may share.
  cluster = await startMockCluster({ brokers: 3, partitions: 3 });
});
afterAll(async () => {
  await Promise.all([...running].map((server) => stop(server, 'SIGKILL')));
  await cluster?.stop();
  await (await serverWarehouse({ database })).drop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the distributed shape: one role per process on Kafka and a ClickHouse server', () => {
  const batches = eventBatches();
  let live: Batch[] = [];
  const total = (stream: Stream) => [...batches, ...live].filter((b) => b.stream === stream).reduce((sum, b) => sum + b.rows.length, 0);
  let distributedAlerts: Record<string, unknown>[] = [];

  it('stores every acknowledged row exactly once while an ingest and a sink are killed (SIGKILL) mid-stream and restarted', { timeout: 600_000 }, async () => {
    const sharedDir = tempDir('distributed'); // the photo volume that ingest and vision share
    const env = (roles: string, name: string): NodeJS.ProcessEnv => ({
      SHELFPULSE_ROLES: roles,
      CLICKHOUSE_URL: clickhouseUrl(),
      CLICKHOUSE_DATABASE: database,
      KAFKA_BROKERS: cluster.bootstrap,
      KAFKA_CLIENT_ID: name,
      SHELFPULSE_DATA_DIR: sharedDir,
    });
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'migrate'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env('', 'migrate') } });
    expect(JSON.parse(stdout).applied.length).toBeGreaterThan(0);
    let [ingestA, ingestB, sinkA, sinkB, , , web] = await Promise.all([
      start(env('ingest', 'ingest-a')),
      start(env('ingest', 'ingest-b')),
      start(env('sink', 'sink-a')),
      start(env('sink', 'sink-b')),
      start(env('vision', 'vision')),
      start(env('notifier', 'notifier')),
      start(env('web', 'web')),
    ]);
    const master = masterData();
    await postAccepted(`${ingestB!.url}/v1/stores`, master.stores);
    await postAccepted(`${ingestB!.url}/v1/products`, master.products);
    await postAccepted(`${ingestA!.url}/v1/assortment`, master.assortment);

    // Two requests at a time to each live ingest; a request whose ingest dies unanswered is sent again to another,
    // as a client with two addresses does. Only a 202 acknowledges its rows.
    const acknowledged = new Map<Stream, Set<string>>();
    const queue = [...batches];
    const up = new Set([ingestA!.url, ingestB!.url]);
    let sent = 0;
    let acked = 0;
    let killed: Promise<void> | undefined;
    const worker = async (url: () => string, limit: number) => {
      while (queue.length > 0 && sent < limit && up.has(url())) {
        const batch = queue.shift()!;
        sent++;
        let res: Response;
        try {
          res = await post(`${url()}/v1/events/${batch.stream}`, batch.rows);
        } catch (err) {
          // No answer: not acknowledged. Expected only from the ingest being killed.
          if (up.has(url())) throw err;
          queue.unshift(batch);
          sent--;
          continue;
        }
        expect(res.status, await res.clone().text()).toBe(202);
        const answer = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
        expect(answer.rejected).toEqual([]);
        expect(answer.accepted + answer.duplicates).toBe(batch.rows.length);
        const ids = acknowledged.get(batch.stream) ?? new Set();
        for (const row of batch.rows) ids.add(row.event_id);
        acknowledged.set(batch.stream, ids);
        // A quarter in, with requests in flight on both ingests: one ingest and one sink die without a goodbye.
        if (!killed && ++acked >= batches.length / 4) {
          up.delete(ingestA!.url);
          killed = Promise.all([stop(ingestA!, 'SIGKILL'), stop(sinkA!, 'SIGKILL')]).then(() => {});
        }
      }
    };
    const half = Math.ceil(batches.length / 2);
    const a = ingestA!.url;
    const b = ingestB!.url;
    // Meanwhile a client that re-sends on the other address (its first answer lost) sends today's lines through
    // both ingests: neither has seen them, so the log holds each twice and the sinks must store it once.
    live = liveBatches();
    const echo = async () => {
      for (const batch of live) {
        const targets = [b, ...(up.has(a) ? [a] : [])];
        const answers = await Promise.allSettled(targets.map((url) => post(`${url}/v1/events/scans`, batch.rows)));
        answers.forEach((answer, i) => {
          if (answer.status === 'rejected' && targets[i] === a && !up.has(a)) return; // the ingest being killed
          expect(answer.status === 'fulfilled' && answer.value.status).toBe(202);
        });
        const ids = acknowledged.get('scans') ?? new Set();
        for (const row of batch.rows) ids.add(row.event_id);
        acknowledged.set('scans', ids);
      }
    };
    await Promise.all([worker(() => a, half), worker(() => a, half), worker(() => b, half), worker(() => b, half), echo()]);
    // Whatever ingest A was answering when it died went back to the queue: ingest B takes it.
    await Promise.all([worker(() => b, half), worker(() => b, half)]);
    expect(killed).toBeDefined();
    await killed;
    [ingestA, sinkA] = await Promise.all([start(env('ingest', 'ingest-a')), start(env('sink', 'sink-a'))]);
    up.add(ingestA.url);
    const a2 = ingestA.url;
    await Promise.all([worker(() => a2, Infinity), worker(() => a2, Infinity), worker(() => b, Infinity), worker(() => b, Infinity)]);
    expect(queue).toEqual([]);

    // Everything the sinks owe is committed: nothing is left to be delivered again.
    const log = await KafkaLog.connect({ brokers: cluster.brokers, clientId: 'distributed-test', logger: pino({ level: 'silent' }) });
    try {
      await waitForConsumers(log, SINK_GROUP, [...EVENT_TOPICS, 'dead-letter'], 120_000);
    } catch (err) {
      // What kept the sinks from catching up is in their own logs: their last warnings and errors.
      for (const [name, sink] of [
        ['sink-a', sinkA],
        ['sink-b', sinkB],
      ] as const) {
        const problems = sink!
          .output()
          .split('\n')
          .filter((line) => /"level":(40|50|60)/.test(line));
        console.error(`${name}: ${problems.length} warnings and errors, the last:\n${problems.slice(-5).join('\n').slice(-4000)}`);
      }
      throw err;
    } finally {
      await log.close();
    }
    const { warehouse } = await serverWarehouse({ database });
    const stored = async () => {
      const counts: Record<string, { rows: number; ids: number; acknowledged: number }> = {};
      for (const [stream, table] of Object.entries(TABLES) as [Stream, string][]) {
        // Every row as stored (no FINAL): a row inserted twice counts twice.
        const rows = (await warehouse.query<{ event_id: string }>(`SELECT event_id FROM ${table}`)).map((r) => r.event_id);
        const ids = new Set(rows);
        const sentIds = [...(acknowledged.get(stream) ?? [])];
        counts[stream] = { rows: rows.length, ids: ids.size, acknowledged: sentIds.filter((id) => ids.has(id)).length };
      }
      return counts;
    };
    const expected = Object.fromEntries((Object.keys(TABLES) as Stream[]).map((s) => [s, { rows: total(s), ids: total(s), acknowledged: total(s) }]));
    try {
      expect(Object.fromEntries([...acknowledged].map(([s, ids]) => [s, ids.size]))).toEqual(
        Object.fromEntries((Object.keys(TABLES) as Stream[]).map((s) => [s, total(s)])),
      );
      expect(await stored()).toEqual(expected);
      const [dead] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM dead_letters');
      expect(Number(dead!.n)).toBe(0);

      // A merchandiser's phone photo (12 MP, held sideways: EXIF orientation 6) through an ingest: queued on Kafka,
      // analysed by the vision process from the shared photo volume, read back from the web process.
      const uploaded = await uploadPhoto(ingestB!.url);
      expect(uploaded.status, await uploaded.clone().text()).toBe(202);
      const [queued] = ((await uploaded.json()) as { photos: { photo_id: string; status: string }[] }).photos;
      expect(queued!.status).toBe('pending');
      let analysed: { status: string; image_width: number; image_height: number; detections: { bbox: number[] }[] } | undefined;
      await until(
        async () => {
          analysed = await (await fetch(`${web!.url}/v1/photos/${queued!.photo_id}`, { headers })).json();
          return analysed?.status === 'analyzed';
        },
        'the vision process to analyse the photo',
        120_000,
      );
      // Upright (portrait, 3:4) as the stored image the boxes refer to, every box inside it.
      const { image_width: w, image_height: h } = analysed!;
      expect(w * 4).toBe(h * 3);
      expect(analysed!.detections.length).toBeGreaterThan(0);
      expect(analysed!.detections.every(({ bbox: [x0, y0, x1, y1] }) => x0! >= 0 && y0! >= 0 && x1! <= w && y1! <= h)).toBe(true);

      // The daily close, run by the alerts role as it starts (its yesterday: the rows' last day).
      const alerts = await start({ ...env('alerts', 'alerts'), LOG_LEVEL: 'info' });
      await dailyClose(alerts);
      distributedAlerts = await alertsOf(web!);
      // The close and everything after it stored nothing twice.
      expect(await stored()).toEqual(expected);
    } finally {
      await warehouse.close();
      await Promise.all([...running].map((server) => stop(server)));
    }
    expect(distributedAlerts.map((a) => `${a.type}:${a.store_id}:${a.sku}`)).toEqual([
      'dormant_customer:S06:',
      'no_data:S12:',
      'out_of_stock:S02:P2',
      'out_of_stock:S09:P6',
      'price_gap:S03:P1',
      'zero_sale:S01:P1',
      'zero_sale:S04:P3',
      'zero_sale:S07:P5',
    ]);
  });

  it('raises the same alerts as the embedded shape (chDB and the embedded log, one process) on the same rows', { timeout: 600_000 }, async () => {
    expect(distributedAlerts.length).toBeGreaterThan(0);
    const dataDir = tempDir('embedded');
    const env = { SHELFPULSE_DATA_DIR: dataDir };
    const ingest = await start({ ...env, SHELFPULSE_ROLES: 'ingest,sink,web' });
    const master = masterData();
    await postAccepted(`${ingest.url}/v1/stores`, master.stores);
    await postAccepted(`${ingest.url}/v1/products`, master.products);
    await postAccepted(`${ingest.url}/v1/assortment`, master.assortment);
    for (const batch of [...batches, ...live]) await postAccepted(`${ingest.url}/v1/events/${batch.stream}`, batch.rows);
    expect((await uploadPhoto(ingest.url)).status).toBe(201); // analysed inline in the embedded shape
    await stop(ingest);
    // Every role in one process, as `npm start` runs: its alert engine closes yesterday as it starts.
    const embedded = await start({ ...env, LOG_LEVEL: 'info' });
    await dailyClose(embedded);
    const alerts = await alertsOf(embedded);
    await stop(embedded);
    expect(alerts).toEqual(distributedAlerts);
  });
});
