-- Master data is small and upserted by key: ReplacingMergeTree keeps the latest version of each row,
-- and readers use FINAL (cheap at this size).
CREATE TABLE IF NOT EXISTS stores (
  store_id String,
  name String,
  territory LowCardinality(String),
  region LowCardinality(String),
  city LowCardinality(String),
  lat Float64,
  lon Float64,
  format LowCardinality(String) DEFAULT '',
  manager String DEFAULT '',
  timezone LowCardinality(String) DEFAULT '',
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY store_id;

CREATE TABLE IF NOT EXISTS products (
  sku String,
  name String,
  brand LowCardinality(String),
  category LowCardinality(String),
  regular_price Float64,
  is_competitor Bool,
  matches_sku String DEFAULT '',
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY sku;

CREATE TABLE IF NOT EXISTS assortment (
  store_id String,
  sku String,
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (store_id, sku);

CREATE TABLE IF NOT EXISTS promotions (
  promo_id String,
  sku String,
  start_date Date,
  end_date Date,
  promo_price Float64,
  region String DEFAULT '',
  store_id String DEFAULT '',
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY promo_id;
