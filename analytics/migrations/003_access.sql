-- API tokens, stored as SHA-256 hashes only. A revocation is a newer version of the same row.
CREATE TABLE IF NOT EXISTS api_tokens (
  token_hash String,
  name String,
  role LowCardinality(String),
  store_ids Array(String),
  territories Array(String),
  revoked Bool DEFAULT false,
  created_at DateTime64(3, 'UTC') DEFAULT now64(3),
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY token_hash;
