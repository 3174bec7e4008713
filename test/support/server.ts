import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type Server } from '../../bin/server.ts';
import { loadConfig } from '../../pipelines/config.ts';
import { SINK_GROUP } from '../../pipelines/workers/warehouse-sink.ts';
import { EVENT_TOPICS } from '../../pipelines/topics.ts';
import { waitForConsumers } from '../../pipelines/event-log.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestServer extends Server {
  dataDir: string;
  /** Headers for an admin request with the given content type. */
  admin(contentType?: string): Record<string, string>;
  /** Waits until the warehouse sink has stored everything published so far. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** A real server (chDB + embedded log in a temp dir) for app.inject tests. */
export async function startTestServer(env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-test-'));
  const config = loadConfig({ SHELFPULSE_DATA_DIR: dataDir, SHELFPULSE_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn', ...env }, { port: 0 });
  const server = await startServer(config);
  return {
    ...server,
    dataDir,
    admin: (contentType = 'application/json') => ({ authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': contentType }),
    settle: () => waitForConsumers(server.platform.log, SINK_GROUP, [...EVENT_TOPICS, 'dead-letter']),
    async stop() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
