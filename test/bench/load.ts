import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { renderShelf } from '../../synthetic/render.ts';
import { exited, spawnServer } from '../support/process.ts';
import { percentile } from './stats.ts';

const TOKEN = 'load-admin-token-0123456789';
const ROWS_PER_POST = 1000;

export interface LoadOptions {
  durationS: number;
  /** NDJSON posts of 1,000 scans a second. */
  ingestRate: number;
  /** Dashboard reads a second. */
  readRate: number;
  /** Seconds between shelf-photo uploads (a merchandiser's 12-megapixel-class JPEG); 0 for none. */
  photoEveryS: number;
  /**
   * Seconds left out of the memory trends: caches, V8's heap sizing and the allocator's arenas fill first. Default:
   * a minute, or the first half of a run shorter than two.
   */
  warmupS?: number;
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
  photos: { uploads: number; errors: number; p50_ms: number; max_ms: number };
  rows_per_s: number;
  errors: number;
  rss_mb: number[];
  /** Mean RSS of each whole minute, MB: the garbage collector's sawtooth averaged out. */
  rss_minute_means_mb: number[];
  /**
   * Least-squares slopes after the warm-up, MB a minute: near 0 when memory is flat. RSS split into
   * the parts the server reports: V8's used heap, the heap V8 has reserved, Buffers outside the heap, and what the
   * ClickHouse engine accounts for; what none of them explains is native (sharp, onnxruntime, the allocator).
   */
  trend_mb_per_min: Record<MemoryPart | 'rss', number>;
  /** Each part once a second, MB. */
  memory_mb: Record<MemoryPart, number[]>;
}

const MEMORY_METRICS = {
  heap_used: 'nodejs_heap_size_used_bytes',
  heap_total: 'nodejs_heap_size_total_bytes',
  external: 'nodejs_external_memory_bytes',
  warehouse: 'shelfpulse_warehouse_memory_bytes',
} as const;
type MemoryPart = keyof typeof MEMORY_METRICS;

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

/** 200 stores in ten territories around Shanghai: the scans below sell in them, so the map has something to draw. */
function stores(): string {
  return Array.from({ length: 200 }, (_, i) =>
    JSON.stringify({
      store_id: `S${i}`,
      name: `压测门店 ${i}`,
      territory: `T${i % 10}`,
      region: '华东',
      city: '上海',
      lat: 31 + (i % 20) / 40,
      lon: 121 + Math.floor(i / 20) / 20,
    }),
  ).join('\n');
}

/**
 * A 12-megapixel JPEG as a phone sends it: a shelf rendered at 1600 × 1200 and enlarged, since drawing the bay at
 * 4000 × 3000 takes ~10 s of one core (30 s and more on a busy CI machine) for no difference to the server's work.
 */
async function phonePhoto(): Promise<Buffer> {
  const { jpeg } = await renderShelf(4242);
  return sharp(jpeg).resize(4000, 3000).jpeg({ quality: 90 }).toBuffer();
}

/** The same shelf photo with a different JPEG comment each time: a new photo to the store (its hash differs). */
function distinctJpeg(jpeg: Buffer, n: number): Buffer {
  const text = Buffer.from(`load ${n}`);
  const marker = Buffer.from([0xff, 0xfe, 0, 0]);
  marker.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), marker, text, jpeg.subarray(2)]);
}

async function uploadPhotos(url: string, jpeg: Buffer | undefined, everyS: number, until: number): Promise<LoadReport['photos']> {
  const photos: LoadReport['photos'] = { uploads: 0, errors: 0, p50_ms: 0, max_ms: 0 };
  if (!jpeg) return photos;
  const times: number[] = [];
  for (let n = 0; n === 0 || Date.now() < until; n++) {
    const next = Date.now() + everyS * 1000;
    const form = new FormData();
    form.append('store_id', `S${n % 200}`);
    form.append('photo', new Blob([new Uint8Array(distinctJpeg(jpeg, n))], { type: 'image/jpeg' }), `shelf-${n}.jpg`);
    const started = performance.now();
    const res = await fetch(`${url}/v1/photos`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: form }).catch(() => undefined);
    await res?.arrayBuffer();
    times.push(performance.now() - started);
    photos.uploads++;
    if (!res || res.status >= 300) photos.errors++;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
  }
  return { ...photos, p50_ms: percentile(times, 0.5), max_ms: percentile(times, 1) };
}

async function memoryMb(url: string): Promise<Record<MemoryPart, number> | undefined> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }).catch(() => undefined);
  if (!res?.ok) return undefined;
  const text = await res.text();
  const parts = Object.entries(MEMORY_METRICS).map(([part, metric]) => [part, Number(new RegExp(`^${metric} (\\S+)$`, 'm').exec(text)?.[1])]);
  return parts.every(([, bytes]) => Number.isFinite(bytes))
    ? Object.fromEntries(parts.map(([part, bytes]) => [part, Math.round(Number(bytes) / 2 ** 20)]))
    : undefined;
}

function slopePerMinute(samples: { t: number; mb: number }[], fromS: number): number {
  const steady = samples.filter((p) => p.t >= fromS);
  if (steady.length < 2) return 0;
  const n = steady.length;
  const mt = steady.reduce((s, p) => s + p.t, 0) / n;
  const mm = steady.reduce((s, p) => s + p.mb, 0) / n;
  const num = steady.reduce((s, p) => s + (p.t - mt) * (p.mb - mm), 0);
  const den = steady.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : Number(((num / den) * 60).toFixed(2));
}

function minuteMeans(samples: { t: number; mb: number }[]): number[] {
  const minutes: number[][] = [];
  for (const p of samples) (minutes[Math.floor(p.t / 60)] ??= []).push(p.mb);
  // Whole minutes only (a sample a second): a last few seconds would not average the sawtooth.
  return minutes.filter((m) => m.length >= 50).map((m) => Math.round(m.reduce((s, v) => s + v, 0) / m.length));
}

/**
 * Drives a real server process on loopback for a bounded time: 1,000-row NDJSON posts, dashboard reads (map,
 * alerts, stores) at fixed rates and a shelf photo every few seconds, and samples the server's RSS and the parts of it the server reports.
 * Stops by itself.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const shelf = options.photoEveryS > 0 ? await phonePhoto() : undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-load-'));
  const server = await spawnServer(['--no-demo'], {
    SHELFPULSE_DATA_DIR: dataDir,
    SHELFPULSE_ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'error',
    SHELFPULSE_ROLES: process.env.LOAD_ROLES ?? 'all',
  });
  const warmupS = options.warmupS ?? Math.min(60, options.durationS / 2);
  const samples: { t: number; mb: number }[] = [];
  const parts: { t: number; mb: Record<MemoryPart, number> }[] = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    const t = (Date.now() - started) / 1000;
    const status = fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    samples.push({ t, mb: Math.round(kb / 1024) });
    void memoryMb(server.url).then((mb) => mb && parts.push({ t, mb }));
  }, 1000);
  try {
    const setup = await fetch(`${server.url}/v1/stores`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
      body: stores(),
    });
    if (setup.status !== 202) throw new Error(`could not create the load stores: ${setup.status} ${await setup.text()}`);
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
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
        { method: 'GET', path: `/v1/map?from=${day(-6)}&to=${day(0)}`, headers: { authorization: `Bearer ${TOKEN}` } },
        { method: 'GET', path: '/v1/alerts?status=open', headers: { authorization: `Bearer ${TOKEN}` } },
        { method: 'GET', path: '/v1/stores', headers: { authorization: `Bearer ${TOKEN}` } },
        { method: 'GET', path: '/v1/dead-letters?limit=20', headers: { authorization: `Bearer ${TOKEN}` } },
        { method: 'GET', path: '/readyz' },
      ],
    });
    const photos = uploadPhotos(server.url, shelf, options.photoEveryS, started + options.durationS * 1000);
    const [ingestResult, readResult, photoResult] = await Promise.all([ingest, reads, photos]);
    const ingestSummary = summary(ingestResult);
    const readSummary = summary(readResult);
    return {
      duration_s: options.durationS,
      ingest: ingestSummary,
      reads: readSummary,
      photos: photoResult,
      rows_per_s: Math.round((ingestResult['2xx'] * ROWS_PER_POST) / options.durationS),
      errors: ingestSummary.errors + ingestSummary.non2xx + readSummary.errors + readSummary.non2xx + photoResult.errors,
      rss_mb: samples.map((s) => s.mb),
      rss_minute_means_mb: minuteMeans(samples),
      trend_mb_per_min: {
        rss: slopePerMinute(samples, warmupS),
        ...(Object.fromEntries(
          Object.keys(MEMORY_METRICS).map((part) => [
            part,
            slopePerMinute(
              parts.map((p) => ({ t: p.t, mb: p.mb[part as MemoryPart] })),
              warmupS,
            ),
          ]),
        ) as Record<MemoryPart, number>),
      },
      memory_mb: Object.fromEntries(Object.keys(MEMORY_METRICS).map((part) => [part, parts.map((p) => p.mb[part as MemoryPart])])) as Record<
        MemoryPart,
        number[]
      >,
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
  const report = await runLoad({
    durationS: arg('duration', 60),
    ingestRate: arg('ingest-rate', 50),
    readRate: arg('read-rate', 20),
    photoEveryS: arg('photo-every', 5),
    warmupS: process.argv.includes('--warmup') ? arg('warmup', 60) : undefined,
  });
  console.log(JSON.stringify(report, null, 2));
}
