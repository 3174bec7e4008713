import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateWarehouse } from '../../analytics/open-warehouse.ts';
import { startServer, type Server } from '../../bin/server.ts';
import { loadConfig } from '../../pipelines/config.ts';
import { EVENT_TOPICS, SINK_GROUP } from '../../pipelines/log/topics.ts';
import { waitForConsumers } from '../../pipelines/log/event-log.ts';
import { registerDemoCatalogue } from '../../synthetic/demo-catalogue.ts';
import { serverShapeEnv } from './clickhouse.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestServer extends Server {
  dataDir: string;
  /** Headers for an admin request with the given content type. */
  admin(contentType?: string): Record<string, string>;
  /** Waits until the warehouse sink has stored everything published so far. */
  settle(): Promise<void>;
  /** Registers stores as the admin, so that routes scoped to stores find them; throws unless accepted. */
  addStores(stores: object[]): Promise<void>;
  /** Registers the demo packs (products, words, rendered reference images) that rendered test bays show. */
  useDemoCatalogue(): Promise<void>;
  /** Issues an API token for the grant ({ name, role, store_ids?, territories? }) and returns its secret. */
  issueToken(grant: object): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real server (chDB + embedded log in a temp dir; in the `integration-server` project a ClickHouse server
 * database of its own instead of chDB) for app.inject tests. With SHELFPULSE_DATA_DIR in `env` it
 * starts on that directory (a restart) and `stop` leaves it for the caller.
 */
export async function startTestServer(env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
  const ownDir = !env.SHELFPULSE_DATA_DIR;
  const dataDir = env.SHELFPULSE_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-test-'));
  const shape = serverShapeEnv(dataDir, env);
  const config = loadConfig({ SHELFPULSE_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn', ...shape.env, ...env, SHELFPULSE_DATA_DIR: dataDir }, { port: 0 });
  // On a server, as in compose: `shelfpulse migrate` first, then the app (which waits for the schema it needs).
  if (config.clickhouse) await migrateWarehouse({ clickhouse: config.clickhouse, dataDir, timezone: config.timezone });
  const server = await startServer(config);
  const admin = (contentType = 'application/json') => ({ authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': contentType });
  return {
    ...server,
    dataDir,
    admin,
    async addStores(stores) {
      const res = await server.app.inject({ method: 'POST', url: '/v1/stores', headers: admin(), payload: stores });
      if (res.statusCode !== 202) throw new Error(`stores refused: ${res.statusCode} ${res.body}`);
    },
    async issueToken(grant) {
      const res = await server.app.inject({ method: 'POST', url: '/v1/tokens', headers: admin(), payload: grant });
      if (res.statusCode !== 201) throw new Error(`token refused: ${res.statusCode} ${res.body}`);
      return res.json().token as string;
    },
    useDemoCatalogue: () => registerDemoCatalogue(server.platform.warehouse, server.platform.catalogue),
    settle: () => waitForConsumers(server.platform.log, SINK_GROUP, [...EVENT_TOPICS, 'dead-letter']),
    async stop() {
      await server.close();
      if (ownDir) {
        await shape.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
