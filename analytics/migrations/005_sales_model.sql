-- The sales model the KPIs and alert rules read. Days are store-local calendar days in the platform time zone
-- ({{timezone}}, fixed when the warehouse is created: SHELFPULSE_TIMEZONE). The sink stores each event_id once,
-- so summing materialized views stay exact under re-delivery.

-- Units, revenue and POS lines per store × SKU × day. Sorted by day first: the daily close reads a 31-day slice.
CREATE TABLE IF NOT EXISTS daily_sales (
  day Date,
  store_id LowCardinality(String),
  sku LowCardinality(String),
  units Float64,
  revenue Float64,
  lines UInt32
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, store_id, sku);

CREATE MATERIALIZED VIEW IF NOT EXISTS daily_sales_from_scans TO daily_sales AS
SELECT toDate(ts, '{{timezone}}') AS day, store_id, sku, sum(qty) AS units, sum(qty * unit_price) AS revenue, toUInt32(count()) AS lines
FROM scans
GROUP BY day, store_id, sku;

-- Store-level daily totals, for the map and the no-data rule without touching per-SKU rows.
CREATE TABLE IF NOT EXISTS store_daily (
  store_id LowCardinality(String),
  day Date,
  units Float64,
  revenue Float64,
  lines UInt64
) ENGINE = SummingMergeTree
ORDER BY (store_id, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS store_daily_from_scans TO store_daily AS
SELECT store_id, toDate(ts, '{{timezone}}') AS day, sum(qty) AS units, sum(qty * unit_price) AS revenue, count() AS lines
FROM scans
GROUP BY store_id, day;

-- The latest stock count per store × SKU (the newest ts wins).
CREATE TABLE IF NOT EXISTS latest_on_hand (
  store_id LowCardinality(String),
  sku LowCardinality(String),
  ts DateTime64(3, 'UTC'),
  on_hand Float64
) ENGINE = ReplacingMergeTree(ts)
ORDER BY (store_id, sku);

CREATE MATERIALIZED VIEW IF NOT EXISTS latest_on_hand_from_inventory TO latest_on_hand AS
SELECT store_id, sku, ts, on_hand FROM inventory;
