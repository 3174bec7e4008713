import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateDay, recloseDays } from '../../analytics/alerts/evaluate.ts';
import { openAlerts } from '../../analytics/alerts/alert-rows.ts';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { loadCalendarTruth } from '../../synthetic/calendar-truth.ts';
import { loadGroundTruth } from '../../synthetic/ground-truth.ts';
import { migrate } from '../../analytics/migrate.ts';
import { DEFAULT_THRESHOLDS } from '../../analytics/rules/thresholds.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';

/**
 * `npm run eval:alerts`: loads a chain with known problems and traps (synthetic/ground-truth.ts), runs the
 * daily close and prints precision and recall per alert type as JSON; then the harder chain with a calendar and
 * late rows (synthetic/calendar-truth.ts): three days closed in turn, the late rows, the three days closed again.
 */
const TYPES = ['zero_sale', 'out_of_stock', 'no_data', 'price_gap', 'dormant_customer'] as const;
const STOCK_TYPES = ['zero_sale', 'out_of_stock', 'no_data'] as const;
const timezone = 'Asia/Shanghai';
const asOf = '2026-09-15';
/** A Wednesday: the window of the calendar chain's close is Monday–Wednesday. */
const calendarAsOf = '2026-09-16';

async function withWarehouse<T>(name: string, run: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `shelfpulse-eval-${name}-`));
  const warehouse = new ChdbWarehouse(dataDir);
  try {
    await migrate(warehouse, { timezone });
    return await run(warehouse);
  } finally {
    await warehouse.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function score(warehouse: Warehouse, types: readonly (typeof TYPES)[number][], expected: Set<string>): Promise<Record<string, unknown>> {
  const found = new Set((await openAlerts(warehouse, [...types])).map((a) => `${a.type}|${a.store_id}|${a.sku}`));
  const report: Record<string, unknown> = {};
  for (const type of types) {
    const wanted = [...expected].filter((k) => k.startsWith(`${type}|`));
    const raised = [...found].filter((k) => k.startsWith(`${type}|`));
    const hits = raised.filter((k) => expected.has(k)).length;
    report[type] = {
      expected: wanted.length,
      raised: raised.length,
      true_positives: hits,
      precision: raised.length === 0 ? (wanted.length === 0 ? 1 : 0) : Number((hits / raised.length).toFixed(4)),
      recall: wanted.length === 0 ? 1 : Number((hits / wanted.length).toFixed(4)),
    };
  }
  return report;
}

const plain = await withWarehouse('alerts', async (warehouse) => {
  const started = Date.now();
  const truth = await loadGroundTruth(warehouse, { asOf, timezone, thresholds: DEFAULT_THRESHOLDS });
  const loadS = (Date.now() - started) / 1000;
  const { summary } = await evaluateDay(warehouse, asOf, truth.thresholds, timezone);
  const report: Record<string, unknown> = { as_of: asOf, load_s: loadS, ...(await score(warehouse, TYPES, truth.expected)) };
  const rerun = await evaluateDay(warehouse, asOf, truth.thresholds, timezone);
  report.rerun_changes = rerun.summary.opened + rerun.summary.updated + rerun.summary.resolved;
  report.opened = summary.opened;
  return report;
});
console.log(JSON.stringify(plain, null, 2));

const calendar = await withWarehouse('calendar', async (warehouse) => {
  const started = Date.now();
  const truth = await loadCalendarTruth(warehouse, { asOf: calendarAsOf, timezone, thresholds: DEFAULT_THRESHOLDS });
  const loadS = (Date.now() - started) / 1000;
  for (const day of truth.closeDays) await evaluateDay(warehouse, day, truth.thresholds, timezone);
  const beforeLate = await score(warehouse, STOCK_TYPES, truth.expected);
  await truth.deliverLate();
  const reclose = await recloseDays(warehouse, truth.closeDays, truth.thresholds, timezone);
  const again = await recloseDays(warehouse, truth.closeDays, truth.thresholds, timezone);
  return {
    chain: 'calendar: closures, a chain holiday, promotions ending, new listings, weekend-only sellers, late batches',
    as_of: calendarAsOf,
    load_s: loadS,
    ...(await score(warehouse, STOCK_TYPES, truth.expected)),
    before_late_rows: Object.fromEntries(
      Object.entries(beforeLate).map(([type, r]) => [type, { precision: (r as { precision: number }).precision, recall: (r as { recall: number }).recall }]),
    ),
    withdrawn_late_data: reclose.changed.filter((a) => a.resolved_reason === 'late_data').length,
    reclose_again_changes: again.changed.length,
  };
});
console.log(JSON.stringify(calendar, null, 2));
