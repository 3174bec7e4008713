-- What the people an alert reaches say of it: confirmed or a false alarm, with a reason. One row per alert, the latest
-- word wins (a person may change their mind); the alert quality page counts precision from it.
CREATE TABLE IF NOT EXISTS alert_feedback (
  alert_id String,
  verdict LowCardinality(String),
  reason String,
  given_by String,
  given_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(given_at)
ORDER BY alert_id;
