import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { openWarehouse } from '../../analytics/open-warehouse.ts';
import { KafkaLog } from '../../pipelines/log/kafka-log.ts';
import { sinkRows } from '../../pipelines/metrics.ts';
import { startWarehouseSink } from '../../pipelines/workers/warehouse-sink.ts';
import { startMockCluster } from '../kafka/mock-cluster.ts';

// A million rows (~9 s) of a running stream: one batch goes through before the clock starts (the sink's group join
// and its first 250 ms linger are start-up, which kafka_first_rows_ms gives apart).
const ROWS = Number(process.env.BENCH_KAFKA_ROWS ?? 1_000_000);
const PER_PUBLISH = 5000;
const PUBLISHERS = 4;
// The mock broker keeps only 5 MiB a partition (real Kafka keeps days; ingest's own limit, SHELFPULSE_MAX_SINK_LAG, is
// 5M rows): rows published and not yet stored stay under this, ~2.5 MB a partition of six, so none is dropped. It is
// room for one full batch of the sink's (50k rows) to be published while it inserts the one before.
const MAX_UNSTORED = 120_000;

/** Rows the warehouse sink has handled (inserted or skipped as duplicates) in this process. */
async function storedRows(): Promise<number> {
  return (await sinkRows.get()).values.reduce((sum, v) => sum + v.value, 0);
}

/** CPU milliseconds a process (`PID`) or a thread (`PID/task/TID`) has used, user + system, from /proc. */
function cpuMsOf(task: string): number {
  const fields = fs.readFileSync(`/proc/${task}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the line, in clock ticks (100 a second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * Publish → consumed by the warehouse sink → counted in chDB, over librdkafka's mock cluster (3 brokers). The rows
 * are published as the ingest publishes them: validated, with their JSON text. On a shared machine the wall clock
 * is noisy, so the CPU time for the rows (this process and the broker) is given too, per 100k rows.
 */
export async function benchKafka(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-bench-kafka-'));
  // Six partitions a topic, as compose's kafka-topics service creates them.
  const cluster = await startMockCluster({ brokers: 3, partitions: 6 });
  const warehouse = await openWarehouse({ dataDir: dir });
  const logger = pino({ level: 'error' });
  const log = await KafkaLog.connect({ brokers: cluster.brokers, clientId: 'bench', logger });
  const sink = await startWarehouseSink(log, warehouse, logger);
  try {
    // The rows as the ingest hands them on (validated, with their JSON text), made before the clock starts: the
    // bench measures the log and the sink, not making JSON (the ingest bench measures reading and checking it).
    const now = Date.now();
    const publishes = Array.from({ length: ROWS / PER_PUBLISH + 1 }, (_, b) =>
      Array.from({ length: PER_PUBLISH }, (_, i) => {
        const n = b * PER_PUBLISH + i;
        const time = now + n;
        const value = { event_id: `k-${n}`, store_id: `S${n % 500}`, sku: `P${n % 2000}`, ts: new Date(time).toISOString(), qty: 1, unit_price: 3.5 };
        return { key: value.store_id, value, encoded: JSON.stringify(value), checked: true, time };
      }),
    );
    // The first batch starts the stream: published, and stored, before the clock runs.
    const firstStarted = performance.now();
    await log.publish('scans', publishes[0]!);
    while ((await storedRows()) < PER_PUBLISH) await sleep(10);
    const firstRowsMs = performance.now() - firstStarted;
    const load = os.loadavg()[0]!;
    const cpu = process.cpuUsage();
    const brokerCpu = cpuMsOf(String(cluster.pid));
    // The JavaScript thread (its thread id is the process id); the rest of the process is the warehouse (chDB) and GC helpers.
    const mainThread = `${process.pid}/task/${process.pid}`;
    const mainCpu = cpuMsOf(mainThread);
    const started = performance.now();
    // Four publishes in flight, as an ingest answering four clients at once has (each waits for every replica's
    // acknowledgement, ~50 ms on the mock cluster: one at a time, the bench would measure that wait).
    let next = 1;
    const publisher = async () => {
      for (let b = next++; b < publishes.length; b = next++) {
        while (b * PER_PUBLISH - (await storedRows()) > MAX_UNSTORED) await sleep(20);
        await log.publish('scans', publishes[b]!);
      }
    };
    await Promise.all(Array.from({ length: PUBLISHERS }, publisher));
    for (;;) {
      const [row] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM scans');
      if (row!.n >= ROWS + PER_PUBLISH) break;
      await sleep(50);
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const processMs = (used.user + used.system) / 1000;
    const per100k = 100_000 / ROWS;
    return {
      kafka_rows_per_s: Math.round(ROWS / seconds),
      kafka_first_rows_ms: Math.round(firstRowsMs),
      cpu_ms_per_100k_rows: Math.round((processMs + cpuMsOf(String(cluster.pid)) - brokerCpu) * per100k),
      cpu_ms_per_100k_rows_process: Math.round(processMs * per100k),
      cpu_ms_per_100k_rows_main_thread: Math.round((cpuMsOf(mainThread) - mainCpu) * per100k),
      kafka_load_avg_1m: Math.round(((load + os.loadavg()[0]!) / 2) * 10) / 10,
    };
  } finally {
    await sink.stop();
    await log.close();
    await warehouse.close();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
