import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.join(here, 'server.c');
const BINARY = path.join(here, 'server');

/** The libchdb.so that the chdb package installed: the ClickHouse build the embedded shape runs too. */
export function libchdbPath(): string {
  const fromChdb = createRequire(createRequire(import.meta.url).resolve('chdb'));
  return path.join(path.dirname(fromChdb.resolve('@chdb/lib-linux-x64-gnu/package.json')), 'libchdb.so');
}

/** Builds the launcher when it is missing or older than its source. */
export function buildClickhouseServer(): string {
  if (fs.existsSync(BINARY) && fs.statSync(BINARY).mtimeMs >= fs.statSync(SOURCE).mtimeMs) return BINARY;
  try {
    execFileSync('cc', ['-O1', '-o', BINARY, SOURCE, '-ldl'], { stdio: ['ignore', 'inherit', 'pipe'] });
  } catch (err) {
    const cause = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    throw new Error(
      `could not build the ClickHouse test server (${BINARY}): it needs a C compiler — apt-get install -y gcc (or set CLICKHOUSE_TEST_URL to a real server)\n${cause}`,
    );
  }
  return BINARY;
}

export interface ClickhouseTestServer {
  /** http://127.0.0.1:PORT, user `default` without a password. */
  url: string;
  /** What `SELECT version()` answered. */
  version: string;
  /** The server dies without a goodbye (SIGKILL); its data stays for `restart`. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data, as a supervisor restarts a crashed server. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A free loopback port (another process may still take it before the server binds: start retries). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Asks `SELECT version()` until the server answers, the process exits, or the deadline passes. */
async function waitForVersion(url: string, exited: () => string | undefined, deadline: number): Promise<string> {
  for (;;) {
    const gone = exited();
    if (gone !== undefined) throw new Error(gone);
    try {
      const res = await fetch(`${url}/?query=${encodeURIComponent('SELECT version()')}`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return (await res.text()).trim();
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`the ClickHouse test server at ${url} did not answer SELECT version() in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts ClickHouse's real HTTP interface on 127.0.0.1 (clickhouse-local's server mode, see server.c) with its own
 * data directory, removed on stop. It serves for `seconds` at most (a run that forgets to stop it does not leave it).
 */
export async function startClickhouseServer(options: { seconds?: number } = {}): Promise<ClickhouseTestServer> {
  const binary = buildClickhouseServer();
  const library = libchdbPath();
  const seconds = String(options.seconds ?? 6 * 3600);
  /** One server process on `dataDir` and `port`, answering `SELECT version()`; `end` stops it with `signal`. */
  const launch = async (dataDir: string, port: number) => {
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(binary, [library, dataDir, String(port), seconds], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const end = async (signal: NodeJS.Signals) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    };
    const exited = () =>
      child.exitCode !== null || child.signalCode !== null
        ? `the ClickHouse test server exited (${child.exitCode ?? child.signalCode}): ${stderr.trim()}`
        : undefined;
    try {
      return { url, version: await waitForVersion(url, exited, Date.now() + 60_000), end };
    } catch (err) {
      await end('SIGTERM');
      throw err;
    }
  };
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-clickhouse-'));
    const port = await freePort();
    try {
      let current = await launch(dataDir, port);
      return {
        url: current.url,
        version: current.version,
        kill: () => current.end('SIGKILL'),
        restart: async () => {
          await current.end('SIGTERM');
          current = await launch(dataDir, port);
        },
        stop: async () => {
          await current.end('SIGTERM');
          fs.rmSync(dataDir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  throw lastError;
}
