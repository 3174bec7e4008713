import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { exited, spawnServer } from '../support/process.ts';

const TOKEN = 'load-admin-token-0123456789';
const ROWS_PER_POST = 1000;

export interface LoadOptions {
  durationS: number;
  /** NDJSON posts of 1,000 scans a second. */
  ingestRate: number;
  /** Dashboard reads a second. */
  readRate: number;
}

interface Latency {
  requests: number;
  errors: number;
  non2xx: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
}

export interface LoadReport {
  duration_s: number;
  ingest: Latency;
  reads: Latency;
  rows_per_s: number;
  errors: number;
  rss_mb: number[];
  /** Least-squares slope of RSS over the second half of the run: near 0 when memory is flat. */
  rss_trend_mb_per_min: number;
}

function summary(result: autocannon.Result): Latency {
  return {
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    rps: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
  };
}

function slopePerMinute(samples: { t: number; mb: number }[]): number {
  const half = samples.slice(Math.floor(samples.length / 2));
  if (half.length < 2) return 0;
  const n = half.length;
  const mt = half.reduce((s, p) => s + p.t, 0) / n;
  const mm = half.reduce((s, p) => s + p.mb, 0) / n;
  const num = half.reduce((s, p) => s + (p.t - mt) * (p.mb - mm), 0);
  const den = half.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : Number(((num / den) * 60).toFixed(2));
}

/**
 * Drives a real server process on loopback for a bounded time: 1,000-row NDJSON posts and dashboard reads at fixed
 * rates, and samples the server's RSS. Stops by itself.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-load-'));
  const server = await spawnServer(['--no-demo'], { SHELFPULSE_DATA_DIR: dataDir, SHELFPULSE_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'error', SHELFPULSE_ROLES: process.env.LOAD_ROLES ?? 'all' });
  const samples: { t: number; mb: number }[] = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    const status = fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    samples.push({ t: (Date.now() - started) / 1000, mb: Math.round(kb / 1024) });
  }, 1000);
  try {
    let post = 0;
    const ingest = autocannon({
      url: server.url,
      connections: 4,
      overallRate: options.ingestRate,
      duration: options.durationS,
      requests: [
        {
          method: 'POST',
          path: '/v1/events/scans',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
          setupRequest: (request) => {
            const batch = post++;
            const ts = new Date().toISOString();
            const lines = Array.from({ length: ROWS_PER_POST }, (_, i) =>
              JSON.stringify({ event_id: `load-${batch}-${i}`, store_id: `S${i % 200}`, sku: `P${i % 500}`, ts, qty: 1, unit_price: 3.5 }),
            );
            return { ...request, body: lines.join('\n') };
          },
        },
      ],
    });
    const reads = autocannon({
      url: server.url,
      connections: 2,
      overallRate: options.readRate,
      duration: options.durationS,
      requests: [
        { method: 'GET', path: '/readyz' },
        { method: 'GET', path: '/v1/dead-letters?limit=20', headers: { authorization: `Bearer ${TOKEN}` } },
      ],
    });
    const [ingestResult, readResult] = await Promise.all([ingest, reads]);
    const ingestSummary = summary(ingestResult);
    const readSummary = summary(readResult);
    return {
      duration_s: options.durationS,
      ingest: ingestSummary,
      reads: readSummary,
      rows_per_s: Math.round((ingestResult['2xx'] * ROWS_PER_POST) / options.durationS),
      errors: ingestSummary.errors + ingestSummary.non2xx + readSummary.errors + readSummary.non2xx,
      rss_mb: samples.map((s) => s.mb),
      rss_trend_mb_per_min: slopePerMinute(samples),
    };
  } finally {
    clearInterval(sampler);
    server.child.kill('SIGTERM');
    await exited(server.child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const report = await runLoad({ durationS: arg('duration', 60), ingestRate: arg('ingest-rate', 50), readRate: arg('read-rate', 20) });
  console.log(JSON.stringify(report, null, 2));
}
