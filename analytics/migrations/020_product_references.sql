-- What recognition needs of the product master: the words printed on each pack, and reference images of its front
-- face (the image files live in the photo store, content-addressed, like shelf photos; a row here names one).
ALTER TABLE products ADD COLUMN IF NOT EXISTS aliases Array(String) DEFAULT [] AFTER matches_sku;

CREATE TABLE IF NOT EXISTS product_references (
  sku String,
  reference_id String,
  source LowCardinality(String),
  photo_id String DEFAULT '',
  bbox Array(Int32) DEFAULT [],
  width UInt32,
  height UInt32,
  created_at DateTime64(3, 'UTC'),
  created_by String DEFAULT '',
  deleted Bool DEFAULT false,
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (sku, reference_id);
