import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry for the process; every room registers its figures here and /metrics serves it. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const ingestRows = new Counter({
  name: 'shelfpulse_ingest_rows_total',
  help: 'Rows received by the ingest routes, by stream and outcome (accepted, duplicate, rejected)',
  labelNames: ['stream', 'outcome'] as const,
  registers: [registry],
});

export const sinkRows = new Counter({
  name: 'shelfpulse_sink_rows_total',
  help: 'Rows handled by the warehouse sink, by table and outcome (inserted, duplicate, dead_letter)',
  labelNames: ['table', 'outcome'] as const,
  registers: [registry],
});

export const consumerLag = new Gauge({
  name: 'shelfpulse_consumer_lag_records',
  help: 'Records published but not yet committed, by consumer group, topic and partition (on Kafka: messages, each the rows of one publish to one partition)',
  labelNames: ['group', 'topic', 'partition'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'shelfpulse_http_request_duration_seconds',
  help: 'HTTP request duration by route and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const alertChanges = new Counter({
  name: 'shelfpulse_alert_changes_total',
  help: 'Alerts opened, updated, acknowledged or resolved, by type and the status they reached',
  labelNames: ['type', 'status'] as const,
  registers: [registry],
});

export const photoAnalysis = new Histogram({
  name: 'shelfpulse_photo_analysis_seconds',
  help: 'Time to decode, check and analyse one shelf photo, by outcome (analyzed, retake, refused)',
  labelNames: ['outcome'] as const,
  buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
  registers: [registry],
});

let readWarehouseMemory: (() => Promise<number>) | undefined;

/** Read on each scrape: the warehouse engine's memory, so an RSS trend can be told apart from the JS heap's. */
export function watchWarehouseMemory(read: (() => Promise<number>) | undefined): void {
  readWarehouseMemory = read;
}

export const warehouseMemory = new Gauge({
  name: 'shelfpulse_warehouse_memory_bytes',
  help: "Memory the ClickHouse engine accounts for (MemoryTracking): in this process for chDB, the server's otherwise",
  registers: [registry],
  async collect() {
    if (readWarehouseMemory) this.set(await readWarehouseMemory().catch(() => Number.NaN));
  },
});
