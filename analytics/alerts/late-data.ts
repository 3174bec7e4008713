import type { Warehouse } from '../warehouse.ts';
import { inScopeSql, scopeParams, type StoreScope } from './scope.ts';

/**
 * What the closes of some days read that can arrive late, per day: POS lines, stock counts and closures. Another
 * value for a day than at its close means rows came for it since: the day is closed again (recloseDays).
 */
const DAY_PRINTS = `
  SELECT concat('sales|', toString(day)) AS key, toString(sum(lines)) AS print
  FROM store_daily WHERE day >= toDate({from:String}) AND day <= toDate({to:String}) AND ${inScopeSql('store_id')}
  GROUP BY day
  UNION ALL
  SELECT concat('counts|', toString(toDate(ts, {timezone:String}))) AS key, toString(count()) AS print
  FROM inventory
  WHERE ts >= toDateTime64(toDate({from:String}), 3, {timezone:String}) AND ts < toDateTime64(toDate({to:String}) + 1, 3, {timezone:String})
    AND ${inScopeSql('store_id')}
  GROUP BY key
  UNION ALL
  SELECT concat('closures|', toString(closed)) AS key, toString(sum(cityHash64(store_id, region, reason))) AS print
  FROM (SELECT date AS closed, store_id, region, reason FROM closures FINAL WHERE date >= toDate({from:String}) AND date <= toDate({to:String}))
  GROUP BY closed`;

/** Fingerprints of the days from..to (store-local in `timezone`) of the stores in `scope`: kind|day → value. */
export async function dayPrints(warehouse: Warehouse, from: string, to: string, timezone: string, scope: StoreScope = {}): Promise<Map<string, string>> {
  const rows = await warehouse.query<{ key: string; print: string }>(DAY_PRINTS, { from, to, timezone, ...scopeParams(scope) });
  return new Map(rows.map((r) => [r.key, r.print]));
}

/** The earliest day whose fingerprint changed between two readings (rows arrived for it), or undefined. */
export function firstChangedDay(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string | undefined {
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((key) => before.get(key) !== after.get(key));
  return changed.map((key) => key.slice(key.indexOf('|') + 1)).sort()[0];
}
