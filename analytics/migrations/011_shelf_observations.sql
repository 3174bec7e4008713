-- One row per (photo, SKU) seen on or expected in the bay: facings, linear width, the brand's share of the photo's
-- shelf, the price read from the tag under it, planogram status. The store page, the map and the vision alerts
-- (shelf_gap, low_share_of_shelf, planogram) read this table; the full analysis stays in photos.analysis.
CREATE TABLE IF NOT EXISTS shelf_observations (
  photo_id String,
  store_id String,
  visit_id String DEFAULT '',
  taken_at DateTime64(3, 'UTC'),
  uploaded_at DateTime64(3, 'UTC') DEFAULT now64(3),
  sku String,
  brand String,
  is_competitor Bool,
  facings UInt16,
  linear_px UInt32,
  brand_share_by_facings Float32,
  brand_share_by_width Float32,
  price Nullable(Float64),
  promo Bool DEFAULT false,
  photo_gaps UInt16,
  planogram_score Nullable(Float32),
  planogram_status LowCardinality(String) DEFAULT ''
) ENGINE = ReplacingMergeTree(uploaded_at)
ORDER BY (store_id, photo_id, sku);
