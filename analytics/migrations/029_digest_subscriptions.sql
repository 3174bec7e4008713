-- The morning digest a channel carries: for whom (director, territory lead, category manager with their categories),
-- at which hour of the platform zone, in which language. One per channel; a change or a removal is a newer version.
CREATE TABLE IF NOT EXISTS digest_subscriptions (
  channel_id String,
  role LowCardinality(String),
  territories Array(String) DEFAULT [],
  categories Array(String) DEFAULT [],
  hour UInt8,
  language LowCardinality(String) DEFAULT 'zh',
  deleted Bool DEFAULT false,
  updated_by String DEFAULT '',
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY channel_id;

-- The digests sent (or given up on after their retries), one per channel and local day: a restart reads it so that
-- a day's digest goes once, and a process that was down at the hour sends it when it is back the same day.
CREATE TABLE IF NOT EXISTS digest_sends (
  channel_id String,
  day Date,
  status LowCardinality(String),
  attempts UInt8 DEFAULT 0,
  error String DEFAULT '',
  sent_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(sent_at)
ORDER BY (channel_id, day);
