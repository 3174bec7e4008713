-- One row per alert; every change (ack, resolve, update of an open alert) is a newer version of the row.
-- The id is derived from what the alert is about (type, store, sku, episode), so re-running a day changes nothing.
CREATE TABLE IF NOT EXISTS alerts (
  id String,
  type LowCardinality(String),
  status LowCardinality(String),
  store_id String,
  sku String DEFAULT '',
  territory LowCardinality(String),
  category LowCardinality(String) DEFAULT '',
  created_at DateTime64(3, 'UTC'),
  updated_at DateTime64(3, 'UTC'),
  as_of Date,
  severity LowCardinality(String),
  message_zh String,
  message_en String,
  suggestion_zh String,
  suggestion_en String,
  evidence String,
  assignee String DEFAULT '',
  resolved_at Nullable(DateTime64(3, 'UTC')),
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY id;
