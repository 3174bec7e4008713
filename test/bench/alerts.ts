import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateDay } from '../../analytics/alerts/evaluate.ts';
import { buildBenchChain, type BenchShape } from '../../analytics/demo/bench-chain.ts';
import { mapView } from '../../analytics/kpi/map.ts';
import { openWarehouse } from '../../analytics/open-warehouse.ts';
import { DEFAULT_THRESHOLDS } from '../../analytics/rules/thresholds.ts';

const TO = '2026-10-31';

function shape(): BenchShape {
  const stores = Number(process.env.BENCH_STORES ?? 2000);
  const skus = Number(process.env.BENCH_SKUS ?? 2000);
  return { stores, skus, days: Number(process.env.BENCH_DAYS ?? 120), to: TO };
}

/** One daily close and p95 of the map query over stores × ranged SKUs × days of history (default 2,000 × 2,000 × 120). */
export async function benchAlerts(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-bench-alerts-'));
  const warehouse = await openWarehouse({ dataDir: dir });
  try {
    const chain = shape();
    const built = performance.now();
    await buildBenchChain(warehouse, chain);
    const buildSeconds = (performance.now() - built) / 1000;

    const started = performance.now();
    const { summary } = await evaluateDay(warehouse, TO, DEFAULT_THRESHOLDS, 'Asia/Shanghai');
    const evalSeconds = (performance.now() - started) / 1000;

    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await mapView(warehouse, { metric: 'sales_vs_prev', to: TO, timezone: 'Asia/Shanghai', dormantAfterDays: 90 });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return {
      alert_eval_s: Number(evalSeconds.toFixed(2)),
      alert_eval_pairs: chain.stores * chain.skus,
      alert_eval_alerts: summary.opened,
      map_query_ms: Math.round(times[Math.ceil(times.length * 0.95) - 1]!),
      bench_chain_build_s: Number(buildSeconds.toFixed(1)),
    };
  } finally {
    await warehouse.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
