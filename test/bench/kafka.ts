import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openWarehouse } from '../../analytics/open-warehouse.ts';
import { KafkaLog } from '../../pipelines/log/kafka-log.ts';
import { sinkRows } from '../../pipelines/metrics.ts';
import { startWarehouseSink } from '../../pipelines/workers/warehouse-sink.ts';
import { startMockCluster } from '../kafka/mock-cluster.ts';

const ROWS = 200_000;
const PER_PUBLISH = 5000;

/** Rows the warehouse sink has handled (inserted or skipped as duplicates) in this process. */
async function storedRows(): Promise<number> {
  return (await sinkRows.get()).values.reduce((sum, v) => sum + v.value, 0);
}

/** Publish → consumed by the warehouse sink → counted in chDB, over librdkafka's mock cluster (3 brokers). */
export async function benchKafka(): Promise<{ kafka_rows_per_s: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-bench-kafka-'));
  const cluster = await startMockCluster({ brokers: 3 });
  const warehouse = await openWarehouse({ dataDir: dir });
  const logger = pino({ level: 'error' });
  const log = await KafkaLog.connect({ brokers: cluster.brokers, clientId: 'bench', logger });
  const sink = await startWarehouseSink(log, warehouse, logger);
  try {
    const now = Date.now();
    const started = performance.now();
    for (let b = 0; b < ROWS / PER_PUBLISH; b++) {
      // The mock broker keeps only 5 MiB a partition (real Kafka keeps days): rows not yet stored stay well within that.
      while (b * PER_PUBLISH - (await storedRows()) > 60_000) await new Promise((r) => setTimeout(r, 20));
      await log.publish(
        'scans',
        Array.from({ length: PER_PUBLISH }, (_, i) => {
          const n = b * PER_PUBLISH + i;
          const value = { event_id: `k-${n}`, store_id: `S${n % 500}`, sku: `P${n % 2000}`, ts: new Date(now + n).toISOString(), qty: 1, unit_price: 3.5 };
          return { key: value.store_id, value };
        }),
      );
    }
    for (;;) {
      const [row] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM scans');
      if (row!.n >= ROWS) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return { kafka_rows_per_s: Math.round(ROWS / ((performance.now() - started) / 1000)) };
  } finally {
    await sink.stop();
    await log.close();
    await warehouse.close();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
