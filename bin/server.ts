import type { Api } from '../api/instance.ts';
import pino from 'pino';
import PinoPretty from 'pino-pretty';
import { buildApp } from '../api/app.ts';
import { Authority } from '../api/auth.ts';
import { alertRoutes } from '../api/routes/alerts.ts';
import { channelRoutes } from '../api/routes/channels.ts';
import { digestRoutes } from '../api/routes/digests.ts';
import { orderHistoryRoutes } from '../api/routes/order-history.ts';
import { deadLetterRoutes } from '../api/routes/dead-letters.ts';
import { mapRoutes } from '../api/routes/map.ts';
import { photoRoutes } from '../api/routes/photos.ts';
import { productRoutes } from '../api/routes/products.ts';
import { reportRoutes } from '../api/routes/reports.ts';
import { teachingRoutes } from '../api/routes/teaching.ts';
import { territoryRoutes } from '../api/routes/territories.ts';
import { visitRoutes } from '../api/routes/visits.ts';
import { webAppRoutes } from '../api/routes/web-app.ts';
import type { Config } from '../pipelines/config.ts';
import { startPlatform, type Platform } from '../pipelines/runtime.ts';
import { VisitService } from '../pipelines/visits.ts';

export interface Server {
  app: Api;
  platform: Platform;
  /** Stops taking requests, drains the workers, closes the adapters. */
  close(): Promise<void>;
}

/** One process: the platform (adapters + workers of its roles) and the HTTP app on top. Used by the CLI and the tests. */
export async function startServer(config: Config): Promise<Server> {
  const pretty = config.logFormat === 'pretty' || (config.logFormat === undefined && process.stdout.isTTY);
  const options = { level: config.logLevel, base: { service: 'shelfpulse' } };
  // Synchronous pretty lines: a person at a terminal reads them; a collector gets JSON.
  const logger = pretty
    ? pino(options, PinoPretty({ sync: true, singleLine: true, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss' }))
    : pino(options);
  const platform = await startPlatform(config, logger);
  const app = await buildApp({
    logger,
    warehouse: platform.warehouse,
    publisher: platform.publisher,
    auth: new Authority(platform.warehouse, config.adminToken, { ttlMs: config.sessions.ttlHours * 3_600_000 }),
    sessions: config.sessions,
    merchandisersTeach: config.merchandisersTeach,
    bodyLimitBytes: config.bodyLimitBytes,
    maxRowsPerRequest: config.maxRowsPerRequest,
    rateLimitPerMinute: config.rateLimitPerMinute,
    trustProxy: config.trustProxy,
    maxSinkLag: config.maxSinkLag,
    sinkLag: platform.sinkLag,
    extraRoutes: [
      (app) => deadLetterRoutes(app, { warehouse: platform.warehouse, log: platform.log }),
      (app) =>
        alertRoutes(app, {
          warehouse: platform.warehouse,
          alertService: platform.alertService,
          bus: platform.alertBus,
          clock: platform.clock,
          dueHours: config.alerting.dueHours,
          thresholds: config.thresholds,
        }),
      (app) =>
        channelRoutes(app, {
          warehouse: platform.warehouse,
          clock: platform.clock,
          delivery: { ...config.alerting, timezone: config.timezone, attempts: 3, minTimeoutMs: 200 },
        }),
      (app) => photoRoutes(app, { warehouse: platform.warehouse, photoFiles: platform.photoFiles, intake: platform.intake }),
      (app) => mapRoutes(app, { warehouse: platform.warehouse, timezone: config.timezone, dormantAfterDays: config.thresholds.dormantAfterDays }),
      (app) => territoryRoutes(app, { warehouse: platform.warehouse }),
      (app) => reportRoutes(app, { warehouse: platform.warehouse }),
      (app) => productRoutes(app, { warehouse: platform.warehouse, catalogue: platform.catalogue }),
      (app) => teachingRoutes(app, { warehouse: platform.warehouse, teaching: platform.teaching, merchandisersTeach: config.merchandisersTeach }),
      (app) => visitRoutes(app, { warehouse: platform.warehouse, visits: new VisitService(platform) }),
      (app) => digestRoutes(app, { warehouse: platform.warehouse, digests: platform.digests, clock: platform.clock, timezone: config.timezone }),
      (app) => orderHistoryRoutes(app, { warehouse: platform.warehouse }),
      (app) => webAppRoutes(app),
    ],
  });
  return {
    app,
    platform,
    async close() {
      await app.close();
      await platform.close();
    },
  };
}
