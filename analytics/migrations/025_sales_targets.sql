-- Master data: each store's sales target per calendar month (YYYY-MM), upserted by (store, month) like the rest of
-- the chain's master data; the latest version wins. The store ranking measures attainment against it.
CREATE TABLE IF NOT EXISTS sales_targets (
  store_id String,
  month String,
  sales_target Float64,
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (store_id, month);
