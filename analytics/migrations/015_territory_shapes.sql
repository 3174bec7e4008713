-- The chain's own territory outlines (a GeoJSON FeatureCollection uploaded by an admin), drawn on the heat map.
-- One collection per chain: an upload replaces the previous one (the latest version of the row wins); removing
-- the outlines stores an empty collection.
CREATE TABLE IF NOT EXISTS territory_shapes (
  collection LowCardinality(String),
  geojson String,
  territories Array(String),
  uploaded_by String,
  uploaded_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(uploaded_at)
ORDER BY collection;
