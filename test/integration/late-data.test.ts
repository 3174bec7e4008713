import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlerts } from '../../analytics/alerts/alert-rows.ts';
import { evaluateDay, recloseDays } from '../../analytics/alerts/evaluate.ts';
import { dayPrints, firstChangedDay } from '../../analytics/alerts/late-data.ts';
import { ChdbWarehouse } from '../../analytics/chdb-warehouse.ts';
import { upsertMasterData } from '../../analytics/master-data.ts';
import { migrate } from '../../analytics/migrate.ts';
import { DEFAULT_THRESHOLDS } from '../../analytics/rules/thresholds.ts';
import type { Row } from '../../analytics/warehouse.ts';
import { addDays } from '../../lib/days.ts';

// A re-close over late rows ends in the alerts an on-time feed gives: the same world is fed twice into one
// warehouse, once on time and once with a store's three days of scans and a closure arriving after the closes.

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-late-data-'));
const warehouse = new ChdbWarehouse(root);
const TZ = 'Asia/Shanghai';
/** A Wednesday: the window of its close is Monday–Wednesday. */
const D = '2026-06-10';
const day = (offset: number) => addDays(D, offset);
const CLOSED_DAYS = [day(-2), day(-1), day(0)];

const STORES = ['S1', 'S2', 'S3'];
/** Units a day: P3 sells only at weekends. */
const RATE: Record<string, (weekday: number) => number> = { P1: () => 4, P2: () => 3, P3: (wd) => (wd === 0 || wd === 6 ? 6 : 0), P4: () => 2 };

/** S1·P1 stops for good 3 days ago (a real zero-sale); S2·P2 pauses −4..−2 and sells again; S3 is closed −2..0. */
function sells(store: string, sku: string, offset: number): boolean {
  if (store === 'S1' && sku === 'P1') return offset < -3;
  if (store === 'S2' && sku === 'P2') return offset < -4 || offset > -2;
  if (store === 'S3') return offset < -2;
  return true;
}

function scans(filter: (store: string, offset: number) => boolean): Row[] {
  const rows: Row[] = [];
  for (let offset = -60; offset <= 0; offset++) {
    const date = day(offset);
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    for (const store of STORES) {
      if (!filter(store, offset)) continue;
      for (const [sku, rate] of Object.entries(RATE)) {
        const units = rate(weekday);
        if (units > 0 && sells(store, sku, offset))
          rows.push({ event_id: `${store}-${sku}-${date}`, store_id: store, sku, ts: `${date} 04:00:00.000`, qty: units, unit_price: 5 });
      }
    }
  }
  return rows;
}

const S3_CLOSED = CLOSED_DAYS.map((date) => ({ date, store_id: 'S3', region: '', reason: '装修' }));
/** S2's feed was down for the three days closed: its rows come after the closes. */
const late = (store: string, offset: number) => store === 'S2' && offset >= -2;

async function clear(): Promise<void> {
  for (const table of ['scans', 'daily_sales', 'pair_sales', 'store_daily', 'closures', 'alerts']) await warehouse.command(`TRUNCATE TABLE IF EXISTS ${table}`);
}

async function closeInTurn(): Promise<void> {
  for (const date of CLOSED_DAYS) await evaluateDay(warehouse, date, DEFAULT_THRESHOLDS, TZ);
}

/** Every alert as it ends up, without the clock times of the writes. */
async function alertState() {
  const rows = await warehouse.query<Record<string, unknown>>(
    `SELECT id, type, status, store_id, sku, toString(as_of) AS as_of, severity, evidence, message_en, resolved_reason FROM alerts FINAL ORDER BY id`,
  );
  return rows;
}

let onTime: Record<string, unknown>[] = [];
let beforeReclose: string[] = [];
let afterReclose: Record<string, unknown>[] = [];
let firstLateDay: string | undefined;

beforeAll(async () => {
  await migrate(warehouse, { timezone: TZ });
  await upsertMasterData(
    warehouse,
    'stores',
    STORES.map((store_id, i) => ({ store_id, name: store_id, territory: 'T1', region: i < 2 ? 'R1' : 'R2', city: '上海', lat: 31.2, lon: 121.4 })),
  );
  await upsertMasterData(
    warehouse,
    'products',
    Object.keys(RATE).map((sku) => ({ sku, name: sku, brand: 'B', category: '饮料', regular_price: 5, is_competitor: false })),
  );
  await upsertMasterData(
    warehouse,
    'assortment',
    STORES.flatMap((store_id) => Object.keys(RATE).map((sku) => ({ store_id, sku }))),
  );

  // On time: every row and the closure are in before each close.
  await warehouse.insert(
    'scans',
    scans(() => true),
  );
  await upsertMasterData(warehouse, 'closures', S3_CLOSED);
  await closeInTurn();
  onTime = await alertState();

  // Late: S2's three days and S3's closure arrive after the three closes; then those days are closed again.
  await clear();
  await warehouse.insert(
    'scans',
    scans((store, offset) => !late(store, offset)),
  );
  await closeInTurn();
  beforeReclose = (await openAlerts(warehouse, ['zero_sale', 'out_of_stock', 'no_data'])).map((a) => a.id).sort();
  const printsAtClose = await dayPrints(warehouse, day(-2), day(0), TZ);
  await warehouse.insert(
    'scans',
    scans((store, offset) => late(store, offset)),
  );
  await upsertMasterData(warehouse, 'closures', S3_CLOSED);
  firstLateDay = firstChangedDay(printsAtClose, await dayPrints(warehouse, day(-2), day(0), TZ));
  await recloseDays(warehouse, CLOSED_DAYS, DEFAULT_THRESHOLDS, TZ);
  afterReclose = await alertState();
}, 120_000);

afterAll(async () => {
  await warehouse.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('late data', () => {
  it('on time: the real streak is open, the paused pair resolved, the closed store and the weekend seller quiet', () => {
    expect(onTime.map((a) => [a.id, a.status, a.resolved_reason])).toEqual([
      [`zero_sale:S1:P1:${day(-1)}`, 'open', ''],
      [`zero_sale:S2:P2:${day(-2)}`, 'resolved', 'cleared'],
    ]);
  });

  it('late: the closes raised alerts an on-time feed would not have (a blind store, a closed one)', () => {
    expect(beforeReclose).toEqual([`no_data:S2::${day(0)}`, `no_data:S3::${day(0)}`, `zero_sale:S1:P1:${day(-1)}`, `zero_sale:S2:P2:${day(-2)}`]);
  });

  it('the engine sees which closed day the late rows are for', () => {
    expect(firstLateDay).toBe(day(-2));
  });

  it('the re-close ends in exactly the on-time alerts, the withdrawn ones kept in the history as late_data', () => {
    expect(afterReclose.filter((a) => a.resolved_reason !== 'late_data')).toEqual(onTime);
    expect(afterReclose.filter((a) => a.resolved_reason === 'late_data').map((a) => [a.id, a.status])).toEqual([
      [`no_data:S2::${day(0)}`, 'resolved'],
      [`no_data:S3::${day(0)}`, 'resolved'],
    ]);
  });

  it('closing the same days again changes nothing', async () => {
    const again = await recloseDays(warehouse, CLOSED_DAYS, DEFAULT_THRESHOLDS, TZ);
    expect(again.changed).toEqual([]);
  });
});
