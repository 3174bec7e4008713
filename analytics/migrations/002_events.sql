-- Append-only event tables. The warehouse sink inserts each event_id once (it checks before inserting and is
-- the single writer of its partition); the bloom filter makes that check cheap. Sorting keys follow the
-- queries: per store and SKU over time.
CREATE TABLE IF NOT EXISTS scans (
  event_id String,
  store_id String,
  sku String,
  ts DateTime64(3, 'UTC'),
  qty Float64,
  unit_price Float64,
  ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
  INDEX event_id_bloom event_id TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (store_id, sku, ts);

CREATE TABLE IF NOT EXISTS orders (
  event_id String,
  order_id String,
  store_id String,
  sku String,
  ts DateTime64(3, 'UTC'),
  qty Float64,
  unit_price Float64,
  ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
  INDEX event_id_bloom event_id TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (store_id, ts, sku);

CREATE TABLE IF NOT EXISTS inventory (
  event_id String,
  store_id String,
  sku String,
  ts DateTime64(3, 'UTC'),
  on_hand Float64,
  ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
  INDEX event_id_bloom event_id TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (store_id, sku, ts);

CREATE TABLE IF NOT EXISTS competitor_prices (
  event_id String,
  store_id String,
  sku String,
  ts DateTime64(3, 'UTC'),
  price Float64,
  source LowCardinality(String),
  ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
  INDEX event_id_bloom event_id TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (store_id, sku, ts);

-- Records the pipelines could not store, with the reason; kept for inspection and replay.
CREATE TABLE IF NOT EXISTS dead_letters (
  dead_letter_id String,
  topic LowCardinality(String),
  reason String,
  record String,
  failed_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree
ORDER BY (topic, failed_at, dead_letter_id);
