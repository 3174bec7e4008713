import type { DistributionStatus } from '../contracts/enums.ts';
import type { Distribution, DistributionCell, DistributionSku, RankedStore, Ranking, TerritoryAttainment } from '../contracts/reports.ts';
import { addDays, daysBetween } from '../lib/days.ts';
import { IN_SCOPE, latestSalesDay } from './kpi/map.ts';
import type { Warehouse } from './warehouse.ts';

/** The reader's stores: its stores and its territories (each empty = all). */
const STORES_IN_SCOPE = `SELECT store_id, name, territory FROM stores FINAL
  WHERE ${IN_SCOPE} AND (empty({territories:Array(String)}) OR territory IN {territories:Array(String)})`;

/** Whose stores a report covers: store and territory scopes, each empty = all. */
export interface ReportScope {
  storeIds: readonly string[];
  territories: readonly string[];
}
const scopeParams = (scope: ReportScope) => ({ stores: [...scope.storeIds], territories: [...scope.territories] });

const MONTH_SALES = `
  WITH toDate({from:String}) AS f, toDate({to:String}) AS t
  SELECT s.store_id AS store_id, s.name AS name, s.territory AS territory,
    ifNull(d.sales, 0) AS sales, ifNull(d.sales_ly, 0) AS sales_ly, g.sales_target AS sales_target
  FROM (${STORES_IN_SCOPE}) AS s
  LEFT JOIN (
    SELECT store_id, sumIf(revenue, day BETWEEN f AND t) AS sales, sumIf(revenue, day BETWEEN f - 364 AND t - 364) AS sales_ly
    FROM store_daily WHERE (day BETWEEN f AND t OR day BETWEEN f - 364 AND t - 364) AND ${IN_SCOPE}
    GROUP BY store_id
  ) AS d ON d.store_id = s.store_id
  LEFT JOIN (SELECT store_id, sales_target FROM sales_targets FINAL WHERE month = {month:String} AND ${IN_SCOPE}) AS g ON g.store_id = s.store_id
  SETTINGS join_use_nulls = 1`;

export interface StoreMonth {
  store_id: string;
  name: string;
  territory: string;
  sales: number;
  sales_ly: number;
  sales_target: number | null;
}

const ratio = (part: number, whole: number | null) => (whole ? part / whole : null);

/**
 * Attainment and ranking of a month so far. Pace compares the sales with the part of the target the days so far
 * should have brought (a straight line through the month), so a store is not ranked last on the 3rd for having sold
 * a tenth of its target. Stores with a target rank by pace, those without after them by sales.
 */
export function rankStores(rows: readonly StoreMonth[], daysElapsed: number, daysInMonth: number): Pick<Ranking, 'stores' | 'territories'> {
  const share = daysElapsed / daysInMonth;
  const measured = rows.map((r) => ({
    ...r,
    sales: Number(r.sales),
    sales_ly: Number(r.sales_ly),
    sales_target: r.sales_target === null ? null : Number(r.sales_target),
    attainment: ratio(Number(r.sales), r.sales_target === null ? null : Number(r.sales_target)),
    pace: ratio(Number(r.sales), r.sales_target === null ? null : Number(r.sales_target) * share),
  }));
  const order = (a: (typeof measured)[number], b: (typeof measured)[number]) =>
    (b.pace ?? Number.NEGATIVE_INFINITY) - (a.pace ?? Number.NEGATIVE_INFINITY) || b.sales - a.sales || a.store_id.localeCompare(b.store_id);
  measured.sort(order);
  const byTerritory = new Map<string, typeof measured>();
  for (const row of measured) byTerritory.set(row.territory, [...(byTerritory.get(row.territory) ?? []), row]);
  const stores: RankedStore[] = measured.map((row, i) => ({
    rank: i + 1,
    rank_in_territory: byTerritory.get(row.territory)!.indexOf(row) + 1,
    ...row,
  }));
  const territories: TerritoryAttainment[] = [...byTerritory].map(([territory, members]) => {
    const targeted = members.filter((m) => m.sales_target !== null);
    const target = targeted.length ? targeted.reduce((sum, m) => sum + m.sales_target!, 0) : null;
    const targetedSales = targeted.reduce((sum, m) => sum + m.sales, 0);
    return {
      territory,
      stores: members.length,
      sales: members.reduce((sum, m) => sum + m.sales, 0),
      sales_target: target,
      attainment: ratio(targetedSales, target),
      pace: ratio(targetedSales, target === null ? null : target * share),
    };
  });
  territories.sort((a, b) => (b.pace ?? Number.NEGATIVE_INFINITY) - (a.pace ?? Number.NEGATIVE_INFINITY) || a.territory.localeCompare(b.territory));
  return { stores, territories };
}

const monthEnd = (month: string) => addDays(`${nextMonth(month)}-01`, -1);
function nextMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
}

/** The month's ranking up to the latest sales day (the whole month once it is over); default month: the latest day's. */
export async function storeRanking(warehouse: Warehouse, options: { month?: string } & ReportScope): Promise<Ranking> {
  const latest = await latestSalesDay(warehouse);
  const month = options.month ?? latest.slice(0, 7);
  const from = `${month}-01`;
  const end = monthEnd(month);
  const to = [latest, end].sort()[0]!; // the earlier day (ISO days sort as text)
  const daysInMonth = daysBetween(from, end) + 1;
  const daysElapsed = Math.max(0, daysBetween(from, to) + 1);
  const rows = await warehouse.query<StoreMonth>(MONTH_SALES, { from, to, month, ...scopeParams(options) });
  return { month, days_elapsed: daysElapsed, days_in_month: daysInMonth, ...rankStores(rows, Math.max(1, daysElapsed), daysInMonth) };
}

/**
 * Every ranged SKU × store pair of the scope over a period: the most facings one analysed photo showed, the units
 * sold, and whether the store had any analysed photo (a check) in the period.
 */
const DISTRIBUTION = `
  WITH toDate({from:String}) AS f, toDate({to:String}) AS t
  SELECT a.sku AS sku, p.name AS name, p.brand AS brand, p.category AS category,
    a.store_id AS store_id, s.name AS store_name, s.territory AS territory,
    ifNull(o.facings, 0) AS facings, ifNull(d.units, 0) AS units, ifNull(c.photos, 0) > 0 AS checked
  FROM (SELECT store_id, sku FROM assortment FINAL WHERE ${IN_SCOPE}) AS a
  INNER JOIN (${STORES_IN_SCOPE}) AS s ON s.store_id = a.store_id
  INNER JOIN (
    SELECT sku, name, brand, category FROM products FINAL
    WHERE (empty({category:String}) OR category = {category:String}) AND (empty({brand:String}) OR brand = {brand:String})
  ) AS p ON p.sku = a.sku
  LEFT JOIN (
    SELECT store_id, count() AS photos FROM photos FINAL
    WHERE status = 'analyzed' AND local_day BETWEEN f AND t AND ${IN_SCOPE} GROUP BY store_id
  ) AS c ON c.store_id = a.store_id
  LEFT JOIN (
    SELECT o.store_id AS store_id, o.sku AS sku, max(o.facings) AS facings
    FROM shelf_observations AS o FINAL
    INNER JOIN (SELECT photo_id FROM photos FINAL WHERE status = 'analyzed' AND local_day BETWEEN f AND t AND ${IN_SCOPE}) AS ph ON ph.photo_id = o.photo_id
    GROUP BY store_id, sku
  ) AS o ON o.store_id = a.store_id AND o.sku = a.sku
  LEFT JOIN (
    SELECT store_id, sku, sum(units) AS units FROM daily_sales WHERE day BETWEEN f AND t AND ${IN_SCOPE} GROUP BY store_id, sku
  ) AS d ON d.store_id = a.store_id AND d.sku = a.sku
  ORDER BY category, sku, territory, store_id
  SETTINGS join_use_nulls = 1`;

/** Where a ranged SKU stands in a store: a photo that shows it beats a sale; a photo without it and no sale is missing. */
export function distributionStatus(pair: { facings: number; units: number; checked: boolean }): DistributionStatus {
  if (pair.facings > 0) return 'seen';
  if (pair.units > 0) return 'sold';
  return pair.checked ? 'missing' : 'unchecked';
}

export function summariseDistribution(cells: readonly DistributionCell[]): DistributionSku[] {
  const bySku = new Map<string, DistributionSku>();
  for (const cell of cells) {
    const sku = bySku.get(cell.sku) ?? {
      sku: cell.sku,
      name: cell.name,
      brand: cell.brand,
      category: cell.category,
      ranged: 0,
      seen: 0,
      sold: 0,
      missing: 0,
      unchecked: 0,
      distribution: null,
      on_shelf: null,
    };
    sku.ranged += 1;
    sku[cell.status] += 1;
    bySku.set(cell.sku, sku);
  }
  return [...bySku.values()].map((s) => ({ ...s, distribution: ratio(s.seen + s.sold, s.ranged), on_shelf: ratio(s.seen, s.seen + s.missing) }));
}

interface DistributionRow extends Omit<DistributionCell, 'status'> {
  checked: boolean | number;
}

/** The distribution / on-shelf report of a period (default: the 28 days up to the latest sales day). */
export async function distributionReport(
  warehouse: Warehouse,
  options: { from?: string; to?: string; category?: string; brand?: string } & ReportScope,
): Promise<Distribution> {
  const to = options.to ?? (await latestSalesDay(warehouse));
  const from = options.from ?? addDays(to, -27);
  const rows = await warehouse.query<DistributionRow>(DISTRIBUTION, {
    from,
    to,
    category: options.category ?? '',
    brand: options.brand ?? '',
    ...scopeParams(options),
  });
  const cells = rows.map(({ checked, ...row }) => {
    const cell = { ...row, facings: Number(row.facings), units: Number(row.units) };
    return { ...cell, status: distributionStatus({ ...cell, checked: Boolean(Number(checked)) }) };
  });
  return { from, to, skus: summariseDistribution(cells), cells };
}
