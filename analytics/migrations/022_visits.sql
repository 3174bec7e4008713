-- Store visits: a merchandiser's round of one store, bay by bay. Started and closed by the merchandiser; where it
-- was started (the phone's GPS) and how far that is from the store's coordinates. Its bays and photos are the
-- photos rows that carry its visit_id. The id is made on the phone, so that a visit started without signal is
-- recorded once when the phone is back online; the latest write (the close) wins.
CREATE TABLE IF NOT EXISTS visits (
  visit_id String,
  store_id String,
  started_by String,
  started_at DateTime64(3, 'UTC'),
  closed_at Nullable(DateTime64(3, 'UTC')),
  lat Nullable(Float64),
  lon Nullable(Float64),
  distance_m Nullable(Float64),
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY visit_id;

-- What the merchandiser noted by hand during a visit: a competitor's shelf price (also stored as a competitor-price
-- event, source "manual") or an activity (a display, a tasting, a competitor's promotion). Keyed by a phone-made id.
CREATE TABLE IF NOT EXISTS visit_notes (
  note_id String,
  visit_id String,
  store_id String,
  kind LowCardinality(String),
  bay String DEFAULT '',
  sku String DEFAULT '',
  price Nullable(Float64),
  text String DEFAULT '',
  noted_by String,
  noted_at DateTime64(3, 'UTC'),
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (visit_id, note_id);

-- An upload's idempotency key (made on the phone) and the photos it gave: the same key sent again, after an answer
-- lost to a dropped connection, gets the first answer back instead of a second analysis.
CREATE TABLE IF NOT EXISTS photo_uploads (
  upload_key String,
  uploaded_by String,
  store_id String,
  photo_ids Array(String),
  created_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(created_at)
ORDER BY (uploaded_by, upload_key);
