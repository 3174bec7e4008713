import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateDay } from '../../analytics/alerts/evaluate.ts';
import { openAlerts } from '../../analytics/alerts/alert-rows.ts';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { loadGroundTruth } from '../../synthetic/ground-truth.ts';
import { migrate } from '../../analytics/migrate.ts';
import { DEFAULT_THRESHOLDS } from '../../analytics/rules/thresholds.ts';

/**
 * `npm run eval:alerts`: loads a chain with known problems and traps (synthetic/ground-truth.ts), runs the
 * daily close and prints precision and recall per alert type as JSON.
 */
const TYPES = ['zero_sale', 'out_of_stock', 'no_data', 'price_gap', 'dormant_customer'] as const;
const timezone = 'Asia/Shanghai';
const asOf = '2026-09-15';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-eval-alerts-'));
const warehouse = new ChdbWarehouse(dataDir);
try {
  await migrate(warehouse, { timezone });
  const started = Date.now();
  const truth = await loadGroundTruth(warehouse, { asOf, timezone, thresholds: DEFAULT_THRESHOLDS });
  const loadS = (Date.now() - started) / 1000;
  const { summary } = await evaluateDay(warehouse, asOf, truth.thresholds, timezone);
  const found = new Set((await openAlerts(warehouse, [...TYPES])).map((a) => `${a.type}|${a.store_id}|${a.sku}`));
  const rerun = await evaluateDay(warehouse, asOf, truth.thresholds, timezone);

  const report: Record<string, unknown> = { as_of: asOf, load_s: loadS };
  for (const type of TYPES) {
    const expected = [...truth.expected].filter((k) => k.startsWith(`${type}|`));
    const raised = [...found].filter((k) => k.startsWith(`${type}|`));
    const hits = raised.filter((k) => truth.expected.has(k)).length;
    report[type] = {
      expected: expected.length,
      raised: raised.length,
      true_positives: hits,
      precision: raised.length === 0 ? (expected.length === 0 ? 1 : 0) : Number((hits / raised.length).toFixed(4)),
      recall: expected.length === 0 ? 1 : Number((hits / expected.length).toFixed(4)),
    };
  }
  report.rerun_changes = rerun.summary.opened + rerun.summary.updated + rerun.summary.resolved;
  report.opened = summary.opened;
  console.log(JSON.stringify(report, null, 2));
} finally {
  await warehouse.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
