-- People who sign in with a password. The password is kept only as a scrypt hash; an update (role, scopes,
-- password, disabling) is a newer version of the same row.
CREATE TABLE IF NOT EXISTS users (
  username String,
  name String,
  role LowCardinality(String),
  store_ids Array(String),
  territories Array(String),
  password_hash String,
  disabled Bool DEFAULT false,
  created_at DateTime64(3, 'UTC') DEFAULT now64(3),
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY username;

-- Signed-in browser sessions, by the SHA-256 of the cookie value (the cookie itself is never stored).
-- Signing out is a newer, revoked version of the row; expired rows are dropped a day after they expire.
CREATE TABLE IF NOT EXISTS user_sessions (
  session_hash String,
  username String,
  expires_at DateTime64(3, 'UTC'),
  revoked Bool DEFAULT false,
  created_at DateTime64(3, 'UTC') DEFAULT now64(3),
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY session_hash
TTL toDateTime(expires_at) + INTERVAL 1 DAY;
