import path from 'node:path';
import type { Api } from '../api/instance.ts';
import pino from 'pino';
import { buildApp } from '../api/app.ts';
import { Authority } from '../api/auth.ts';
import { alertRoutes } from '../api/routes/alerts.ts';
import { deadLetterRoutes } from '../api/routes/dead-letters.ts';
import { mapRoutes } from '../api/routes/map.ts';
import { photoRoutes } from '../api/routes/photos.ts';
import { productRoutes } from '../api/routes/products.ts';
import { territoryRoutes } from '../api/routes/territories.ts';
import { webAppRoutes } from '../api/routes/web-app.ts';
import { PhotoIntake } from '../pipelines/photo-intake.ts';
import { PhotoStore } from '../pipelines/photo-store.ts';
import { ProductCatalogue } from '../pipelines/product-catalogue.ts';
import type { Config } from '../pipelines/config.ts';
import { startPlatform, type Platform } from '../pipelines/runtime.ts';

export interface Server {
  app: Api;
  platform: Platform;
  /** Stops taking requests, drains the workers, closes the adapters. */
  close(): Promise<void>;
}

/** One process: the platform (adapters + workers of its roles) and the HTTP app on top. Used by the CLI and the tests. */
export async function startServer(config: Config): Promise<Server> {
  const logger = pino({ level: config.logLevel, base: { service: 'shelfpulse' } });
  const platform = await startPlatform(config, logger);
  const photoFiles = new PhotoStore(path.join(config.dataDir, 'photos'));
  const app = await buildApp({
    logger,
    warehouse: platform.warehouse,
    publisher: platform.publisher,
    auth: new Authority(platform.warehouse, config.adminToken, { ttlMs: config.sessions.ttlHours * 3_600_000 }),
    sessions: config.sessions,
    bodyLimitBytes: config.bodyLimitBytes,
    maxRowsPerRequest: config.maxRowsPerRequest,
    rateLimitPerMinute: config.rateLimitPerMinute,
    trustProxy: config.trustProxy,
    maxSinkLag: config.maxSinkLag,
    sinkLag: platform.sinkLag,
    extraRoutes: [
      (app) => deadLetterRoutes(app, { warehouse: platform.warehouse, log: platform.log }),
      (app) => alertRoutes(app, { warehouse: platform.warehouse, alertService: platform.alertService, bus: platform.alertBus }),
      (app) =>
        photoRoutes(app, {
          warehouse: platform.warehouse,
          photoFiles,
          intake: new PhotoIntake({
            warehouse: platform.warehouse,
            photoFiles,
            timezone: config.timezone,
            publisher: platform.publisher,
            // Distributed shape: an ingest process without the vision role hands photos to the vision workers through
            // Kafka. The embedded log has no other process to hand them to, so there they are analysed inline.
            visionQueue: !config.roles.includes('vision') && platform.log.kind === 'kafka' ? platform.log : undefined,
          }),
        }),
      (app) => mapRoutes(app, { warehouse: platform.warehouse, timezone: config.timezone, dormantAfterDays: config.thresholds.dormantAfterDays }),
      (app) => territoryRoutes(app, { warehouse: platform.warehouse }),
      (app) => productRoutes(app, { warehouse: platform.warehouse, catalogue: new ProductCatalogue(platform.warehouse, new PhotoStore(path.join(config.dataDir, 'photos'))) }),
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
