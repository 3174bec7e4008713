-- Master data: the expected layout of each store bay (a planogram), upserted by (store, bay) like the rest of the
-- chain's master data; the latest version wins. `shelf_rows` holds the SKUs of each shelf row, top row first, left
-- to right, one entry per facing. A photo uploaded with the bay's name is compared with it.
CREATE TABLE IF NOT EXISTS planograms (
  store_id String,
  bay String,
  shelf_rows Array(Array(String)),
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (store_id, bay);

-- The bay a photo shows, as the merchandiser named it on the upload ('' when not named).
ALTER TABLE photos ADD COLUMN IF NOT EXISTS bay String DEFAULT '' AFTER visit_id;
