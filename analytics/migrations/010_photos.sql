-- One row per analysed shelf photo (the photo id is the SHA-256 of its bytes); the full analysis is kept as JSON
-- for the photo page, and the store page and map read the summary columns.
CREATE TABLE IF NOT EXISTS photos (
  photo_id String,
  store_id String,
  visit_id String DEFAULT '',
  taken_at DateTime64(3, 'UTC'),
  uploaded_at DateTime64(3, 'UTC') DEFAULT now64(3),
  status LowCardinality(String),
  retake Array(LowCardinality(String)),
  width UInt32,
  height UInt32,
  lat Nullable(Float64),
  lon Nullable(Float64),
  analysis String
) ENGINE = ReplacingMergeTree(uploaded_at)
ORDER BY photo_id;
