import { hostname } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { openWarehouse } from '../analytics/open-warehouse.ts';
import { warehouseMemoryBytes } from '../analytics/engine-memory.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import type { Config } from './config.ts';
import { lockDataDir } from './data-dir-lock.ts';
import type { EventLog, Subscription } from './log/event-log.ts';
import { EventPublisher } from './event-publisher.ts';
import { consumerLag, watchWarehouseMemory } from './metrics.ts';
import { openEventLog } from './log/open-event-log.ts';
import { EVENT_TOPICS, SINK_GROUP, type Topic } from './log/topics.ts';
import { startWarehouseSink } from './workers/warehouse-sink.ts';
import { AlertService } from './alert-service.ts';
import { startAlertEngine } from './workers/alert-engine.ts';
import { AlertBus } from './alert-bus.ts';
import { startLiveAlerts, startNotifier } from './workers/notifier.ts';
import { PhotoIntake } from './photo-intake.ts';
import { PhotoStore } from './photo-store.ts';
import { ProductCatalogue } from './product-catalogue.ts';
import { Teaching } from './teaching.ts';
import { startVisionWorker } from './workers/vision-worker.ts';
import { Clock } from './clock.ts';
import { Escalation, startEscalation } from './escalation.ts';
import { startChannelNotifier } from './workers/channel-notifier.ts';
import { DigestSchedule, startDigestSchedule } from './digest-schedule.ts';
import { closePhotoThreads, configurePhotoThreads } from '../vision/photo-threads.ts';

export interface Platform {
  config: Config;
  logger: Logger;
  warehouse: Warehouse;
  log: EventLog;
  publisher: EventPublisher;
  alertService: AlertService;
  /** The photo files (originals, derivatives, reference images), content-addressed under the data directory. */
  photoFiles: PhotoStore;
  /** The chain's products as recognition knows them: their words and reference images. */
  catalogue: ProductCatalogue;
  /** The one photo path: uploads, the vision worker, the demo, recognising again. */
  intake: PhotoIntake;
  /** Unknown packs named by people, and the photos recognised again after. */
  teaching: Teaching;
  /** New and changed alerts as they happen, for the live views of this process. */
  alertBus: AlertBus;
  /** Now, for deadlines (a test moves it forward). */
  clock: Clock;
  /** Overdue alerts to the next level (runs every minute in the alerts role; a test calls `run`). */
  escalation: Escalation;
  /** The channels' morning digests (checked every minute in the notifier role; a test calls `run`). */
  digests: DigestSchedule;
  /** Records not yet in the warehouse (refreshed every second). */
  sinkLag(): number;
  /** Stops the workers after their batch in hand, then closes the log and the warehouse. */
  close(): Promise<void>;
}

/**
 * Wires one process: the adapters chosen by configuration, and the workers of the roles this process plays.
 * Embedded: every role in one process. Distributed: the same code, one role per process.
 */
export async function startPlatform(config: Config, logger: Logger): Promise<Platform> {
  // Before the first photo: the analysis thread starts with these (ingest analyses inline in the embedded shape).
  configurePhotoThreads(config.vision);
  const usesDataDir = !config.clickhouse || !config.kafka;
  const unlock = usesDataDir ? lockDataDir(config.dataDir) : () => {};
  const warehouse = await openWarehouse({
    clickhouse: config.clickhouse,
    dataDir: config.dataDir,
    timezone: config.timezone,
    logger: logger.child({ component: 'clickhouse' }),
  });
  const log = await openEventLog(config, logger.child({ component: 'kafka' }));
  const publisher = new EventPublisher(log, warehouse);
  // The workers join their consumer groups side by side: after a crash each join waits out the dead member's session
  // (10 s), which one after another made a restart take half a minute.
  const workers: Array<Subscription | Promise<Subscription>> = [];
  const alertService = new AlertService(warehouse, log, config.thresholds, config.timezone);
  if (config.roles.includes('sink')) {
    workers.push(startWarehouseSink(log, warehouse, logger.child({ worker: 'warehouse-sink' })));
  }
  if (config.roles.includes('notifier')) {
    workers.push(startNotifier(log, config.webhooks, logger.child({ worker: 'notifier' })));
    const delivery = { ...config.alerting, timezone: config.timezone, attempts: 5, minTimeoutMs: 500 };
    workers.push(startChannelNotifier(log, warehouse, delivery, logger.child({ worker: 'channel-notifier' })));
  }
  const clock = new Clock();
  const escalation = new Escalation(warehouse, log, config.alerting.dueHours);
  const digests = new DigestSchedule(
    warehouse,
    { delivery: { ...config.alerting, timezone: config.timezone, attempts: 5, minTimeoutMs: 500 }, dormantAfterDays: config.thresholds.dormantAfterDays },
    logger.child({ worker: 'digests' }),
  );
  if (config.roles.includes('notifier')) workers.push(startDigestSchedule(digests, clock, logger.child({ worker: 'digests' })));
  const alertBus = new AlertBus();
  if (config.roles.includes('ingest') || config.roles.includes('web')) {
    // The embedded log is one process; on Kafka every HTTP process needs its own group to see every alert.
    const group = log.kind === 'kafka' ? `live-alerts-${hostname()}-${process.pid}` : 'live-alerts';
    workers.push(startLiveAlerts(log, alertBus, group));
  }
  // The photo store is shared by the ingest and the vision processes (a volume in the distributed shape).
  const photoFiles = new PhotoStore(path.join(config.dataDir, 'photos'));
  const catalogue = new ProductCatalogue(warehouse, photoFiles);
  const intake = new PhotoIntake({
    warehouse,
    photoFiles,
    catalogue,
    publisher,
    timezone: config.timezone,
    // Distributed shape: an ingest process without the vision role hands photos to the vision workers through Kafka.
    // The embedded log has no other process to hand them to, so there they are analysed inline.
    visionQueue: !config.roles.includes('vision') && log.kind === 'kafka' ? log : undefined,
  });
  const teaching = new Teaching({
    warehouse,
    photoFiles,
    catalogue,
    intake,
    alertService,
    timezone: config.timezone,
    logger: logger.child({ worker: 'teaching' }),
  });
  if (config.roles.includes('vision')) {
    workers.push(startVisionWorker(log, intake, logger.child({ worker: 'vision' })));
    // Recognising photos again runs where photos are analysed; a job a restart interrupted resumes now.
    teaching.wake();
    workers.push({ stop: () => teaching.stop() });
  }
  if (config.roles.includes('alerts')) {
    workers.push(startAlertEngine(log, alertService, logger.child({ worker: 'alert-engine' }), { timezone: config.timezone }));
    workers.push(startEscalation(escalation, clock, logger.child({ worker: 'escalation' })));
  }

  const started = await Promise.all(workers);

  let lag = 0;
  const refreshLag = async () => {
    // The sink's lag (ingest's backpressure, wherever the sink runs), and that of every group this process consumes.
    const groups = new Map<string, readonly Topic[]>([[SINK_GROUP, EVENT_TOPICS], ...log.subscribedGroups()]);
    const lags = await Promise.all([...groups].map(async ([group, topics]) => ({ group, partitions: await log.lagByPartition(group, [...topics]) }))).catch(
      () => undefined,
    );
    if (!lags) return;
    // In rows: on Kafka a message holds many (an estimate from this process's own packing; ingest is what refuses).
    lag = Math.round(
      lags[0]!.partitions.filter((p) => (EVENT_TOPICS as readonly Topic[]).includes(p.topic)).reduce((sum, p) => sum + p.lag * log.rowsPerRecord(p.topic), 0),
    );
    consumerLag.reset();
    for (const { group, partitions } of lags) {
      for (const p of partitions) consumerLag.set({ group, topic: p.topic, partition: String(p.partition) }, p.lag);
    }
  };
  await refreshLag();
  const lagTimer = setInterval(() => void refreshLag(), 1000);
  lagTimer.unref();
  watchWarehouseMemory(() => warehouseMemoryBytes(warehouse));

  logger.info({ warehouse: warehouse.kind, eventLog: log.kind, roles: config.roles, dataDir: config.dataDir }, 'platform started');
  return {
    config,
    logger,
    warehouse,
    log,
    publisher,
    alertService,
    photoFiles,
    catalogue,
    intake,
    teaching,
    alertBus,
    clock,
    escalation,
    digests,
    sinkLag: () => lag,
    async close() {
      clearInterval(lagTimer);
      watchWarehouseMemory(undefined);
      // Last started, first stopped: the alert engine's daily close still has the warehouse sink it waits for.
      for (const worker of started.reverse()) await worker.stop();
      await closePhotoThreads();
      await log.close();
      await warehouse.close();
      unlock();
    },
  };
}
