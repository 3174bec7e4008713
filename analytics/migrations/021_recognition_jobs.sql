-- Teaching: when a category manager names unknown packs, the photos of the last days are recognised again with the
-- new reference images. A job is one such run over a fixed list of photos; its progress is kept here, so that a
-- restart resumes it where it stopped (recognising a photo again gives the same rows: the tables keep the newest).
CREATE TABLE IF NOT EXISTS recognition_jobs (
  job_id String,
  sku String,
  reason String DEFAULT '',
  created_by String DEFAULT '',
  created_at DateTime64(3, 'UTC'),
  photo_ids Array(String),
  done UInt32 DEFAULT 0,
  failed Array(String) DEFAULT [],
  status LowCardinality(String),
  finished_at Nullable(DateTime64(3, 'UTC')),
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY job_id;
