import type { Warehouse } from '../../analytics/warehouse.ts';

export interface BenchChainSize {
  stores: number;
  /** Own SKUs, every one ranged in every store. */
  skus: number;
  /** Days of daily sales history up to and including `asOf`. */
  days: number;
  asOf?: string;
}

export interface BenchChain {
  asOf: string;
  firstDay: string;
  rangedPairs: number;
  dailySalesRows: number;
  /** Regular sellers that stop for the last 3 days (a display problem or, with on-hand 0, a stock-out). */
  injectedStreaks: number;
}

const CATEGORIES = ['饮料', '乳品', '零食', '方便食品', '个人护理', '家庭清洁'];

/**
 * Each statement generates one table inside the warehouse from numbers(), so a chain of millions of rows builds at
 * engine speed instead of going through JSON. Sales go straight into the daily model (daily_sales, and through
 * its view pair_sales; store_daily): what is measured is the daily close, not the scan pipeline.
 */
const MASTER_DATA = [
  `INSERT INTO stores (store_id, name, territory, region, city, lat, lon, format, manager)
   SELECT concat('B', leftPad(toString(number), 5, '0')), concat('Bench store ', toString(number)),
     concat('T', toString(number % 40)), concat('R', toString(number % 5)), concat('City ', toString(number % 40)),
     24 + (number % 40) * 0.3 + (cityHash64(number, 1) % 1000) / 10000, 116 + (number % 7) + (cityHash64(number, 2) % 1000) / 10000,
     ['hypermarket', 'supermarket', 'convenience'][number % 3 + 1], concat('mgr-', toString(number))
   FROM numbers({stores:UInt32})`,
  `INSERT INTO products (sku, name, brand, category, regular_price, is_competitor, matches_sku)
   SELECT concat('K', leftPad(toString(number), 5, '0')), concat('Bench SKU ', toString(number)), concat('Brand ', toString(number % 20)),
     {categories:Array(String)}[number % 6 + 1], round(3 + (cityHash64(number, 3) % 5000) / 100, 1), false, ''
   FROM numbers({skus:UInt32})`,
  `INSERT INTO products (sku, name, brand, category, regular_price, is_competitor, matches_sku)
   SELECT concat('KC', leftPad(toString(number * 10), 5, '0')), concat('Rival SKU ', toString(number)), 'Rival',
     {categories:Array(String)}[(number * 10) % 6 + 1], 0, true, concat('K', leftPad(toString(number * 10), 5, '0'))
   FROM numbers(intDiv({skus:UInt32}, 10))`,
  // The pair plan: a daily rate (70% regular sellers at 1–8 a day, 30% slow movers at 0.05–0.3) and whether the
  // pair goes silent for the last 3 days (1 in 2,000).
  `CREATE TABLE bench_pairs (store_id String, sku String, rate Float64, price Float64, silent Bool) ENGINE = Memory`,
  `INSERT INTO bench_pairs
   SELECT concat('B', leftPad(toString(intDiv(number, {skus:UInt32})), 5, '0')) AS store_id,
     concat('K', leftPad(toString(number % {skus:UInt32}), 5, '0')) AS sku,
     if(cityHash64(number, 4) % 10 < 7, 1 + (cityHash64(number, 5) % 700) / 100, 0.05 + (cityHash64(number, 5) % 25) / 100),
     round(3 + (cityHash64(number % {skus:UInt32}, 3) % 5000) / 100, 1),
     cityHash64(number, 6) % 2000 = 1
   FROM numbers({stores:UInt32} * {skus:UInt32})`,
  `INSERT INTO assortment (store_id, sku) SELECT store_id, sku FROM bench_pairs`,
];

/** After the daily sales (DAILY_SALES_MONTH, once per month): what derives from them, stock, prices and orders. */
const AFTER_SALES = [
  // A running warehouse has its per-pair summary merged by background merges; a bulk load leaves unmerged parts
  // that every FINAL read would merge again, so merge them once, as those merges would have by the close.
  `OPTIMIZE TABLE pair_sales FINAL`,
  `INSERT INTO store_daily (store_id, day, units, revenue, lines)
   SELECT store_id, day, sum(units), sum(revenue), sum(lines) FROM daily_sales GROUP BY store_id, day
   SETTINGS optimize_on_insert = 0`,
  // Stock counts at the close: half the silent pairs are empty (stock-outs), and 1% of the rest were counted.
  `INSERT INTO inventory (event_id, store_id, sku, ts, on_hand)
   SELECT concat('bench-inv-', store_id, '-', sku), store_id, sku, toDateTime64(toDate({as_of:String}), 3, 'UTC') + 36000,
     if(silent AND cityHash64(store_id, sku, 7) % 2 = 0, 0, 1 + cityHash64(store_id, sku, 8) % 40)
   FROM bench_pairs WHERE silent OR cityHash64(store_id, sku, 9) % 100 = 0`,
  // One competitor observation for every tenth SKU in one store of ten, from 7% under to 6% over the regular price.
  `INSERT INTO competitor_prices (event_id, store_id, sku, ts, price, source)
   SELECT concat('bench-cp-', p.store_id, '-', p.sku), p.store_id, concat('KC', substring(p.sku, 2)),
     toDateTime64(toDate({as_of:String}), 3, 'UTC') + 7200, round(p.price * (0.93 + (cityHash64(p.store_id, p.sku, 10) % 1300) / 10000), 2), 'feed'
   FROM bench_pairs AS p WHERE toUInt32(substring(p.sku, 2)) % 10 = 0 AND cityHash64(p.store_id) % 10 = 0`,
  // Weekly orders of two SKUs per store; one store in 20 stopped ordering 100 days ago.
  `INSERT INTO orders (event_id, order_id, store_id, sku, ts, qty, unit_price)
   SELECT concat('bench-o-', s.store_id, '-', toString(w.n), '-', toString(k)), concat('BO-', s.store_id, '-', toString(w.n)), s.store_id,
     concat('K', leftPad(toString((cityHash64(s.store_id, k) % {skus:UInt32})), 5, '0')),
     toDateTime64(toDate({first_day:String}) + w.n * 7, 3, 'UTC') + 36000, 24, 3
   FROM (SELECT store_id FROM stores) AS s
   CROSS JOIN (SELECT number AS n FROM numbers(intDiv({days:UInt32}, 7))) AS w
   CROSS JOIN (SELECT number AS k FROM numbers(2)) AS ks
   WHERE NOT (cityHash64(s.store_id) % 20 = 0 AND toDate({first_day:String}) + w.n * 7 > toDate({as_of:String}) - 100)`,
];

/**
 * One row per pair and day with a sale, for the {month_days} days from {from} (one month partition of daily_sales);
 * units = ⌊rate × weekday lift + u⌋ with u uniform from a hash of (pair, day). One thread reads numbers() in order, so
 * the rows arrive in the table's (store, sku, day) order, and the whole month goes in as one block: one sorted part
 * per partition, nothing left to sort or merge. (Blocks of a few million rows left ~28 parts per month whose
 * background merges, slower than the insert itself, ran on through the build and the timed close; a month of the
 * full chain is ~90M rows, ~9.5 GB at its peak.) The view on daily_sales keeps pair_sales up to date as it goes.
 */
const DAILY_SALES_MONTH = `
  INSERT INTO daily_sales (day, store_id, sku, units, revenue, lines)
  SELECT day, toLowCardinality(concat('B', leftPad(toString(intDiv(pair, {skus:UInt32})), 5, '0'))), toLowCardinality(concat('K', leftPad(toString(pair % {skus:UInt32}), 5, '0'))),
    units, units * price, toUInt32(ceil(units / 2))
  FROM (
    SELECT toDate({from:String}) + number % {month_days:UInt32} AS day, intDiv(number, {month_days:UInt32}) AS pair,
      if(cityHash64(pair, 4) % 10 < 7, 1 + (cityHash64(pair, 5) % 700) / 100, 0.05 + (cityHash64(pair, 5) % 25) / 100) AS rate,
      round(3 + (cityHash64(pair % {skus:UInt32}, 3) % 5000) / 100, 1) AS price,
      floor(rate * if(toDayOfWeek(day) >= 6, 1.3, 1.0) + cityHash64(pair, day) / 18446744073709551616.0) AS units
    FROM numbers({stores:UInt32} * {skus:UInt32} * {month_days:UInt32})
    WHERE NOT (cityHash64(pair, 6) % 2000 = 1 AND day > toDate({as_of:String}) - 3)
  )
  WHERE units > 0
  SETTINGS max_threads = 1, max_insert_threads = 1, optimize_on_insert = 0,
    max_insert_block_size = 4294967295, min_insert_block_size_rows = 4294967295, min_insert_block_size_bytes = 1099511627776`;

/** The calendar months from the first day to the last, each clipped to that span: [from, to] pairs. */
function monthsBetween(firstDay: string, lastDay: string): [string, string][] {
  const months: [string, string][] = [];
  for (let from = firstDay; from <= lastDay; ) {
    const d = new Date(`${from}T00:00:00Z`);
    const monthEnd = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    const to = monthEnd < lastDay ? monthEnd : lastDay;
    months.push([from, to]);
    from = addDays(to, 1);
  }
  return months;
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A large synthetic chain for the alert and map benchmarks: `stores` × `skus` ranged pairs with `days` of daily
 * sales up to `asOf`, stock counts, competitor prices and orders. Deterministic (hash-based), into an empty warehouse.
 */
export async function buildBenchChain(warehouse: Warehouse, size: BenchChainSize): Promise<BenchChain> {
  const asOf = size.asOf ?? '2026-10-31';
  const firstDay = addDays(asOf, 1 - size.days);
  const params = { stores: size.stores, skus: size.skus, days: size.days, as_of: asOf, first_day: firstDay, categories: CATEGORIES };
  for (const statement of MASTER_DATA) await warehouse.command(statement, params);
  for (const [from, to] of monthsBetween(firstDay, asOf)) {
    await warehouse.command(DAILY_SALES_MONTH, { ...params, from, month_days: Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1 });
  }
  for (const statement of AFTER_SALES) await warehouse.command(statement, params);
  const [{ rows }] = (await warehouse.query<{ rows: number }>('SELECT count() AS rows FROM daily_sales')) as [{ rows: number }];
  const [{ silent }] = (await warehouse.query<{ silent: number }>('SELECT countIf(silent AND rate >= 1) AS silent FROM bench_pairs')) as [{ silent: number }];
  await warehouse.command('DROP TABLE bench_pairs');
  return { asOf, firstDay, rangedPairs: size.stores * size.skus, dailySalesRows: rows, injectedStreaks: silent };
}
