-- Three parts of the warehouse model: each store's own calendar, order history per store, and the own effective
-- price. Every statement can run again after a crash; like every migration it runs before the sink starts.

-- Store-local day of each sale and order line. ClickHouse takes a time zone only as a constant, so a per-store
-- zone cannot be applied inside a view: the sink writes the day of a row whose store names a zone of its own
-- (stores.timezone), and every other row gets its day in the platform zone here. The views below bucket by this
-- column, so a store's zone applies to what is stored from then on; days already stored stay where they are.
ALTER TABLE scans ADD COLUMN IF NOT EXISTS local_day Date DEFAULT toDate(ts, '{{timezone}}');
ALTER TABLE orders ADD COLUMN IF NOT EXISTS local_day Date DEFAULT toDate(ts, '{{timezone}}');

-- The sales views read that day instead of computing it (rows stored before have it by default: the same day).
DROP VIEW IF EXISTS daily_sales_from_scans;
CREATE MATERIALIZED VIEW daily_sales_from_scans TO daily_sales AS
SELECT local_day AS day, store_id, sku, sum(qty) AS units, sum(qty * unit_price) AS revenue, toUInt32(count()) AS lines
FROM scans
GROUP BY day, store_id, sku;

DROP VIEW IF EXISTS store_daily_from_scans;
CREATE MATERIALIZED VIEW store_daily_from_scans TO store_daily AS
SELECT store_id, local_day AS day, sum(qty) AS units, sum(qty * unit_price) AS revenue, count() AS lines
FROM scans
GROUP BY store_id, day;

-- Order history per store × day × SKU: units, value (Σ qty × unit_price), lines and the distinct orders. The
-- margin (regular_price − unit_price) × qty is regular_price × units − value, with the product's current regular
-- price joined when read, so it is what the order lines give whenever a price changes. The sink stores each
-- event_id once, so the sums stay exact under re-delivery; an order spread over days or SKUs counts once
-- (uniqExact states merge).
DROP VIEW IF EXISTS order_days_from_orders;
DROP TABLE IF EXISTS order_days;
CREATE TABLE order_days (
  store_id LowCardinality(String),
  day Date,
  sku LowCardinality(String),
  units SimpleAggregateFunction(sum, Float64),
  value SimpleAggregateFunction(sum, Float64),
  lines SimpleAggregateFunction(sum, UInt64),
  orders AggregateFunction(uniqExact, String)
) ENGINE = AggregatingMergeTree
ORDER BY (store_id, day, sku);

INSERT INTO order_days
SELECT store_id, local_day AS day, sku, sum(qty), sum(qty * unit_price), count(), uniqExactState(order_id)
FROM orders
GROUP BY store_id, day, sku;

CREATE MATERIALIZED VIEW order_days_from_orders TO order_days AS
SELECT store_id, local_day AS day, sku, sum(qty) AS units, sum(qty * unit_price) AS value, count() AS lines, uniqExactState(order_id) AS orders
FROM orders
GROUP BY store_id, day, sku;

-- The own effective price of store × SKU × day, the one definition the price-gap rule and the store page read:
-- the lowest active store promotion, else the lowest active promotion of the store's region, else the regular
-- price. Asked for a list of (store, SKU, day) given as three parallel arrays.
CREATE OR REPLACE VIEW effective_prices AS
SELECT q.store_id AS store_id, q.sku AS sku, toString(q.day) AS day,
  countIf(pr.store_id != '' AND pr.store_id = q.store_id AND pr.start_date <= q.day AND q.day <= pr.end_date) AS store_promotions,
  countIf(pr.store_id = '' AND pr.region != '' AND pr.region = s.region AND pr.start_date <= q.day AND q.day <= pr.end_date) AS region_promotions,
  multiIf(
    store_promotions > 0, minIf(pr.promo_price, pr.store_id != '' AND pr.store_id = q.store_id AND pr.start_date <= q.day AND q.day <= pr.end_date),
    region_promotions > 0, minIf(pr.promo_price, pr.store_id = '' AND pr.region != '' AND pr.region = s.region AND pr.start_date <= q.day AND q.day <= pr.end_date),
    any(p.regular_price)) AS price,
  multiIf(store_promotions > 0, 'store_promotion', region_promotions > 0, 'region_promotion', 'regular') AS source,
  any(p.regular_price) AS regular_price
FROM (
  SELECT DISTINCT at.1 AS store_id, at.2 AS sku, toDate(at.3) AS day
  FROM (SELECT arrayJoin(arrayZip({stores:Array(String)}, {skus:Array(String)}, {days:Array(String)})) AS at)
) AS q
LEFT JOIN (SELECT store_id, region FROM stores FINAL WHERE store_id IN {stores:Array(String)}) AS s ON s.store_id = q.store_id
LEFT JOIN (SELECT sku, regular_price FROM products FINAL WHERE sku IN {skus:Array(String)}) AS p ON p.sku = q.sku
LEFT JOIN (
  SELECT sku, store_id, region, start_date, end_date, promo_price FROM promotions FINAL WHERE sku IN {skus:Array(String)}
) AS pr ON pr.sku = q.sku
GROUP BY q.store_id, q.sku, q.day
SETTINGS join_use_nulls = 0;
