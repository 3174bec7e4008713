import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../bin/server.ts';
import { loadConfig } from '../../pipelines/config.ts';
import { buildBenchChain } from './alerts-dataset.ts';

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const REQUESTS = 30;

/**
 * p95 of GET /v1/map (default period, every store, through the real app and its response schema) on a generated chain
 * of BENCH_STORES × BENCH_SKUS ranged pairs × BENCH_DAYS days (default 2,000 × 2,000 × 120), after one daily close
 * so that open alerts are counted too. map_query_first_ms is the first request after the load. map_filtered_query_ms: the
 * same for one category (a sixth of the SKUs), the last full month against the month before (store × SKU days).
 */
export async function benchMap(): Promise<{
  map_query_ms: number;
  map_query_p50_ms: number;
  map_query_first_ms: number;
  map_stores: number;
  map_filtered_query_ms: number;
  map_filtered_query_p50_ms: number;
}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-bench-map-'));
  const server = await startServer(
    loadConfig({ SHELFPULSE_DATA_DIR: dir, SHELFPULSE_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'error', SHELFPULSE_ROLES: 'ingest,sink' }, { port: 0 }),
  );
  try {
    const size = {
      stores: Number(process.env.BENCH_STORES ?? 2000),
      skus: Number(process.env.BENCH_SKUS ?? 2000),
      days: Number(process.env.BENCH_DAYS ?? 120),
    };
    const chain = await buildBenchChain(server.platform.warehouse, size);
    await server.platform.alertService.closeDay(chain.asOf);
    // A bulk load of this size leaves the engine merging parts for a while; a dashboard normally runs on a settled
    // warehouse, so wait (up to 3 minutes) for the background merges to finish before timing.
    for (let i = 0; i < 180; i++) {
      const [{ merges }] = (await server.platform.warehouse.query<{ merges: number }>('SELECT count() AS merges FROM system.merges')) as [{ merges: number }];
      if (merges === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }

    const request = (url: string) => server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    /** p95 and p50 of REQUESTS requests of one URL. */
    const timed = async (url: string) => {
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const t = performance.now();
        const res = await request(url);
        times.push(performance.now() - t);
        if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) => Math.round(times[Math.ceil(times.length * q) - 1]!);
      return { p95: at(0.95), p50: at(0.5) };
    };
    // The first request after the load pays the cold engine caches; the others are what a dashboard sees after it.
    const cold = performance.now();
    const first = await request('/v1/map');
    const coldMs = performance.now() - cold;
    if (first.statusCode !== 200) throw new Error(`GET /v1/map answered ${first.statusCode}: ${first.body.slice(0, 300)}`);
    const whole = await timed('/v1/map');
    const category = encodeURIComponent(first.json().options.categories[0]);
    const filtered = await timed(`/v1/map?category=${category}&period=month&compare=previous_period`);
    return {
      map_query_ms: whole.p95,
      map_query_p50_ms: whole.p50,
      map_query_first_ms: Math.round(coldMs),
      map_stores: first.json().stores.length,
      map_filtered_query_ms: filtered.p95,
      map_filtered_query_p50_ms: filtered.p50,
    };
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchMap()));
