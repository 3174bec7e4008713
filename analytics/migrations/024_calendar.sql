-- The chain's calendar as master data: days a store, a region or the whole chain is closed (春节, a refit, a
-- typhoon). A closed day leaves the zero-sale window and the baseline; the latest write of a (date, region, store)
-- wins. And why an alert was resolved: 'late_data' for one a re-close over late rows withdrew (kept in the history).
CREATE TABLE IF NOT EXISTS closures (
  date Date,
  store_id String DEFAULT '',
  region String DEFAULT '',
  reason String DEFAULT '',
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (date, region, store_id);

ALTER TABLE alerts ADD COLUMN IF NOT EXISTS resolved_reason LowCardinality(String) DEFAULT '';
