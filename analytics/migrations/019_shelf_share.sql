-- Share of shelf, one definition stored once: each photo row carries its own facings, recognised facings and
-- unrecognised facings (the intake counts them, "own" from the product master), its empty facings and the
-- store-local day it was taken. The map, the store page and the low_share_of_shelf alert read these through
-- shelf_share_days. Every statement can run again after a crash.

-- The intake writes the day in the store's own zone; a row stored before gets its day in the platform zone.
ALTER TABLE photos ADD COLUMN IF NOT EXISTS local_day Date DEFAULT toDate(taken_at, '{{timezone}}');
ALTER TABLE photos ADD COLUMN IF NOT EXISTS own_facings UInt32 DEFAULT 0;
ALTER TABLE photos ADD COLUMN IF NOT EXISTS recognised_facings UInt32 DEFAULT 0;
ALTER TABLE photos ADD COLUMN IF NOT EXISTS unknown_facings UInt32 DEFAULT 0;
ALTER TABLE photos ADD COLUMN IF NOT EXISTS gaps UInt32 DEFAULT 0;

-- Photos analysed before: their counts from the analysis kept as JSON, by the intake's rule (analytics/shelf-share.ts):
-- a registered SKU is own unless a competitor's, an unregistered one when its brand is an own brand. The new
-- version of each row is one millisecond newer, so it replaces the old one (run again after a crash, the same
-- counts once more: nothing else writes photos while migrations run).
INSERT INTO photos
WITH
  (SELECT groupUniqArray(sku) FROM products FINAL) AS registered,
  (SELECT groupUniqArray(sku) FROM products FINAL WHERE NOT is_competitor) AS own_skus,
  (SELECT groupUniqArray(brand) FROM products FINAL WHERE NOT is_competitor) AS own_brands,
  JSONExtract(analysis, 'facings', 'Array(Tuple(sku String, brand String, facings UInt32))') AS packs
SELECT * REPLACE (
  uploaded_at + toIntervalMillisecond(1) AS uploaded_at,
  arraySum(p -> if(p.1 != 'unknown' AND (has(own_skus, p.1) OR (NOT has(registered, p.1) AND has(own_brands, p.2))), p.3, 0), packs) AS own_facings,
  arraySum(p -> if(p.1 != 'unknown', p.3, 0), packs) AS recognised_facings,
  arraySum(p -> if(p.1 = 'unknown', p.3, 0), packs) AS unknown_facings,
  JSONLength(analysis, 'gaps') AS gaps
)
FROM photos FINAL
WHERE status = 'analyzed';

-- A store's shelf on one local day, facing-weighted over the day's analysed photos: what every share-of-shelf
-- reader sums (a period: its days; the alert: the latest day).
CREATE OR REPLACE VIEW shelf_share_days AS
SELECT store_id, local_day AS day, count() AS photos, sum(own_facings) AS own_facings, sum(recognised_facings) AS recognised_facings,
  sum(unknown_facings) AS unknown_facings, sum(gaps) AS gaps, groupArray(photo_id) AS photo_ids
FROM photos FINAL
WHERE status = 'analyzed'
GROUP BY store_id, local_day;

-- Each brand's share of one photo's shelf (counting unrecognised packs) was written and never read: the store
-- page's brand trend divides the brands' facings by the day's recognised facings instead.
ALTER TABLE shelf_observations DROP COLUMN IF EXISTS brand_share_by_facings;
ALTER TABLE shelf_observations DROP COLUMN IF EXISTS brand_share_by_width;
