-- Notification channels an admin adds: WeCom and DingTalk group robots and signed webhooks, each with the alerts it
-- takes (types, territories, categories, lowest severity, escalation levels) and its language. A change or a
-- removal is a newer version of the row (the secret is kept to sign, never shown back).
CREATE TABLE IF NOT EXISTS notification_channels (
  channel_id String,
  name String,
  kind LowCardinality(String),
  url String,
  secret String DEFAULT '',
  language LowCardinality(String) DEFAULT 'zh',
  alert_types Array(String) DEFAULT [],
  territories Array(String) DEFAULT [],
  categories Array(String) DEFAULT [],
  min_severity LowCardinality(String) DEFAULT 'low',
  levels Array(UInt8) DEFAULT [0],
  deleted Bool DEFAULT false,
  created_by String DEFAULT '',
  created_at DateTime64(3, 'UTC'),
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY channel_id;

-- Who owns which alerts: a store, a territory or a category (or a territory's lead) named to users by an admin.
-- Where no rule names a store or territory, the users scoped to it take its alerts (see analytics/alerts/routing.ts).
CREATE TABLE IF NOT EXISTS routing_rules (
  kind LowCardinality(String),
  key String,
  usernames Array(String),
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (kind, key);

-- The audit trail of alerts: every step a person or the platform took (assign, ack, resolve, reopen, comment,
-- escalate), with who and when. Append-only; an action id makes a re-delivered step count once.
CREATE TABLE IF NOT EXISTS alert_actions (
  action_id String,
  alert_id String,
  action LowCardinality(String),
  actor String,
  at DateTime64(3, 'UTC'),
  territory LowCardinality(String) DEFAULT '',
  assignee String DEFAULT '',
  level UInt8 DEFAULT 0,
  note String DEFAULT ''
) ENGINE = ReplacingMergeTree
ORDER BY (alert_id, action_id);
