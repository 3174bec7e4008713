import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadDemoIfEmpty } from '../analytics/demo/load.ts';
import { newToken } from '../ingest/auth.ts';
import { ConfigError, loadConfig, type Config } from '../pipelines/config.ts';
import { startServer } from './server.ts';

/** In demo mode without SHELFPULSE_ADMIN_TOKEN: one token generated on first start and kept in the data dir. */
function demoAdminToken(config: Config): string {
  const file = path.join(config.dataDir, 'admin-token');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const token = newToken();
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(file, token, { mode: 0o600 });
  return token;
}

async function serve(options: { port?: number; dataDir?: string; demo: boolean }): Promise<void> {
  let config = loadConfig(process.env, { port: options.port, dataDir: options.dataDir });
  const generatedToken = !config.adminToken && options.demo ? demoAdminToken(config) : undefined;
  if (generatedToken) config = { ...config, adminToken: generatedToken };
  const server = await startServer(config);
  const { app, platform } = server;
  const logger = platform.logger;

  if (options.demo) await loadDemoIfEmpty(platform.warehouse, logger);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`Shelfpulse is running at http://localhost:${port}  (API docs: http://localhost:${port}/docs)`);
  if (generatedToken) console.log(`Admin token (demo, kept in ${path.join(config.dataDir, 'admin-token')}): ${generatedToken}`);
  if (!config.adminToken) console.log('No SHELFPULSE_ADMIN_TOKEN set: only existing API tokens can sign in.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests and workers');
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

const program = new Command('shelfpulse')
  .description('Shelfpulse: shelf photos to facings and prices, sell-through alerts, territory heat map')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the server (ingest, workers and web app) on the configured adapters')
  .addOption(new Option('--port <n>', 'HTTP port (env PORT, default 3000)').argParser((v) => parsePort(v)))
  .option('--data-dir <dir>', 'data directory (env SHELFPULSE_DATA_DIR, default ./data)')
  .option('--no-demo', 'do not load the demo chain into an empty warehouse')
  .action(serve);

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port ${value} is not a port number (0-65535)`);
  return port;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`shelfpulse: ${err.message}`);
    process.exit(1);
  }
  if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`shelfpulse: port ${(err as { port?: number }).port ?? ''} is already in use; choose another with --port or PORT`);
    process.exit(1);
  }
  throw err;
}
