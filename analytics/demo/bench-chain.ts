import type { Warehouse } from '../warehouse.ts';

export interface BenchShape {
  stores: number;
  skus: number;
  days: number;
  /** The last day of history. */
  to: string;
}

const STORES = `
  INSERT INTO stores (store_id, name, territory, region, city, lat, lon, format, manager)
  SELECT concat('B', leftPad(toString(number), 5, '0')), concat('Bench store ', toString(number)), concat('T', toString(number % 40)),
    '华东', 'Hangzhou', 28 + (number % 97) / 10, 116 + (number % 89) / 10, 'supermarket', ''
  FROM numbers({stores:UInt32})`;

const PRODUCTS = `
  INSERT INTO products (sku, name, brand, category, regular_price, is_competitor, matches_sku)
  SELECT concat('K', leftPad(toString(number), 5, '0')), concat('SKU ', toString(number)), concat('Brand ', toString(number % 50)),
    concat('Cat ', toString(number % 6)), 3 + number % 20, false, ''
  FROM numbers({skus:UInt32})`;

const ASSORTMENT = `
  INSERT INTO assortment (store_id, sku)
  SELECT concat('B', leftPad(toString(intDiv(number, {skus:UInt32})), 5, '0')), concat('K', leftPad(toString(number % {skus:UInt32}), 5, '0'))
  FROM numbers({stores:UInt32} * {skus:UInt32})`;

/** Daily sales straight into the aggregate (what the scan views would produce); one pair in 500 stops 3 days before the end. */
const DAILY_SALES = `
  INSERT INTO daily_sales (day, store_id, sku, units, revenue, lines)
  SELECT day, store_id, sku, units, units * 5, 1 FROM (
    SELECT toDate({to:String}) - (number % {days:UInt32}) AS day,
      intDiv(number, {days:UInt32}) AS pair,
      concat('B', leftPad(toString(intDiv(pair, {skus:UInt32})), 5, '0')) AS store_id,
      concat('K', leftPad(toString(pair % {skus:UInt32}), 5, '0')) AS sku,
      if(pair % 500 = 7 AND number % {days:UInt32} < 3, 0, 1 + (cityHash64(pair) % 6) + (number % 3)) AS units
    FROM numbers({stores:UInt32} * {skus:UInt32} * {days:UInt32})
  ) WHERE units > 0`;

const STORE_DAILY = `
  INSERT INTO store_daily (store_id, day, units, revenue, lines)
  SELECT store_id, day, sum(units), sum(revenue), sum(lines) FROM daily_sales GROUP BY store_id, day`;

/** A large synthetic chain for the performance figures (alert_eval_s, map_query_ms). */
export async function buildBenchChain(warehouse: Warehouse, shape: BenchShape): Promise<void> {
  const params = { ...shape };
  for (const statement of [STORES, PRODUCTS, ASSORTMENT, DAILY_SALES, STORE_DAILY]) await warehouse.command(statement, params);
}
