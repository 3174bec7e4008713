import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateDay } from '../../analytics/alerts/evaluate.ts';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { loadMigrations, migrate } from '../../analytics/migrate.ts';
import { DEFAULT_THRESHOLDS } from '../../analytics/rules/thresholds.ts';
import { day } from '../support/days.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-alerts-upgrade-'));
const warehouse = new ChdbWarehouse(root);
const TZ = 'Asia/Shanghai';

/** Two a day at noon Shanghai time on the given days. */
function scans(store: string, sku: string, days: number[]) {
  return days.map((o) => ({ event_id: `${store}-${sku}-${o}`, store_id: store, sku, ts: `${day(o)} 04:00:00.000`, qty: 2, unit_price: 5 }));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

beforeAll(async () => {
  // An install from before the pair-sorted sales model: its daily_sales was filled by the old view.
  const all = await loadMigrations();
  await migrate(warehouse, { timezone: TZ, migrations: all.filter((m) => m.version < 12) });
  await warehouse.insert('stores', [
    { store_id: 'S1', name: '一号店', territory: 'T1', region: 'R1', city: '上海', lat: 31.2, lon: 121.4, format: 'supermarket', manager: 'mgr-1' },
  ]);
  await warehouse.insert('products', [
    { sku: 'P1', name: '矿泉水', brand: 'B', category: '饮料', regular_price: 5, is_competitor: false, matches_sku: '' },
    { sku: 'P2', name: '薯片', brand: 'B', category: '零食', regular_price: 5, is_competitor: false, matches_sku: '' },
  ]);
  await warehouse.insert('assortment', [
    { store_id: 'S1', sku: 'P1' },
    { store_id: 'S1', sku: 'P2' },
  ]);
  // P1 sells two a day, stops for three days (-12..-10), then sells again; P2 sells every day.
  await warehouse.insert('scans', [...scans('S1', 'P1', [...range(-40, -13), ...range(-9, 0)]), ...scans('S1', 'P2', range(-40, 0))]);
  await migrate(warehouse, { timezone: TZ });
});

afterAll(async () => {
  await warehouse.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the pair-sorted sales model on an existing install', () => {
  it('rebuilds daily sales and the per-pair summary from the scans already stored', async () => {
    const [daily] = await warehouse.query<{ rows: number; units: number }>('SELECT count() AS rows, sum(units) AS units FROM daily_sales');
    expect(daily).toEqual({ rows: 38 + 41, units: 2 * (38 + 41) });
    const pairs = await warehouse.query<{ sku: string; last: string }>(
      'SELECT sku, toString(max(last_sale_day)) AS last FROM pair_sales GROUP BY sku ORDER BY sku',
    );
    expect(pairs).toEqual([
      { sku: 'P1', last: day(0) },
      { sku: 'P2', last: day(0) },
    ]);
    // One row per pair straight from the backfill: FINAL reads have nothing to merge, with no OPTIMIZE run.
    const [summary] = await warehouse.query<{ rows: number }>('SELECT count() AS rows FROM pair_sales');
    expect(summary!.rows).toBe(2);
  });

  it('keeps summing new scans into both', async () => {
    await warehouse.insert('scans', scans('S1', 'P2', [1]));
    const [p2] = await warehouse.query<{ last: string }>("SELECT toString(max(last_sale_day)) AS last FROM pair_sales WHERE sku = 'P2'");
    expect(p2!.last).toBe(day(1));
  });

  it('a close for a past day finds the streak of a pair that sold again since, and only that one', async () => {
    const { changed } = await evaluateDay(warehouse, day(-10), DEFAULT_THRESHOLDS, TZ);
    expect(changed.map((a) => [a.type, a.sku, a.as_of])).toEqual([['zero_sale', 'P1', day(-10)]]);
    expect(changed[0]!.evidence).toMatchObject({ baseline_units: 56, window: { from: day(-12), to: day(-10), days: 3 } });
  });
});
