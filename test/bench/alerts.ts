import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateDay } from '../../analytics/alerts/evaluate.ts';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { migrate } from '../../analytics/migrate.ts';
import { DEFAULT_THRESHOLDS } from '../../analytics/rules/thresholds.ts';
import { buildBenchChain } from './alerts-dataset.ts';

function size(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/**
 * alert_eval_s: one daily close (every sales rule, evidence, writing the alerts) over BENCH_STORES × BENCH_SKUS
 * ranged pairs (default 2,000 × 2,000) with BENCH_DAYS (120) days of daily history, on embedded chDB.
 */
export async function benchAlerts(): Promise<Record<string, number>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-bench-alerts-'));
  const warehouse = new ChdbWarehouse(dataDir);
  try {
    await migrate(warehouse, { timezone: 'Asia/Shanghai' });
    const built = performance.now();
    const chain = await buildBenchChain(warehouse, {
      stores: size('BENCH_STORES', 2000),
      skus: size('BENCH_SKUS', 2000),
      days: size('BENCH_DAYS', 120),
    });
    const buildS = (performance.now() - built) / 1000;
    const started = performance.now();
    const { summary } = await evaluateDay(warehouse, chain.asOf, DEFAULT_THRESHOLDS, 'Asia/Shanghai');
    const alertEvalS = (performance.now() - started) / 1000;
    return {
      alert_eval_s: Number(alertEvalS.toFixed(2)),
      alert_eval_pairs: chain.rangedPairs,
      alert_eval_daily_rows: chain.dailySalesRows,
      alert_eval_alerts: summary.opened,
      bench_chain_build_s: Number(buildS.toFixed(1)),
    };
  } finally {
    await warehouse.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
