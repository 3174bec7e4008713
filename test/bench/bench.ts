import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench`: runs each benchmark in its own process (chDB allows one data directory per process) and prints
 * one JSON object with every figure. `npm run bench -- ingest map` runs only those.
 */
const BENCHES: Record<string, { module: string; fn: string }> = {
  ingest: { module: './ingest.ts', fn: 'benchIngest' },
  kafka: { module: './kafka.ts', fn: 'benchKafka' },
  alerts: { module: './alerts.ts', fn: 'benchAlerts' },
  map: { module: './map.ts', fn: 'benchMap' },
  web: { module: './web.ts', fn: 'benchWeb' },
  vision: { module: './vision.ts', fn: 'benchVision' },
  feeds: { module: './feeds.ts', fn: 'benchFeeds' },
};

const here = path.dirname(fileURLToPath(import.meta.url));

async function runOne(name: string): Promise<void> {
  const bench = BENCHES[name]!;
  const mod = (await import(path.join(here, bench.module))) as Record<string, () => Promise<Record<string, number>>>;
  const figures = await mod[bench.fn]!();
  process.stdout.write(`\n${JSON.stringify(figures)}\n`);
  process.exit(0);
}

function runAll(names: string[]): void {
  const figures: Record<string, number | string> = {};
  for (const name of names) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', name], {
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const last = child.stdout.trim().split('\n').pop() ?? '';
    try {
      Object.assign(figures, JSON.parse(last));
    } catch {
      figures[`${name}_error`] = `exit ${child.status}: ${child.stdout.slice(-300)}`;
    }
  }
  console.log(JSON.stringify(figures, null, 2));
}

const args = process.argv.slice(2);
if (args[0] === '--one') await runOne(args[1]!);
else runAll(args.length > 0 ? args : Object.keys(BENCHES));
