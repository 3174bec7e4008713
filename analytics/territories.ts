import type { Warehouse } from './warehouse.ts';

/** The chain's territory outlines as uploaded: one GeoJSON FeatureCollection, the names it outlines, who and when. */
export interface StoredTerritoryShapes {
  /** A FeatureCollection whose features carry `properties.territory`; `{"type":"FeatureCollection","features":[]}` once removed. */
  geojson: string;
  territories: string[];
  uploaded_by: string;
  /** ISO-8601 (UTC). */
  uploaded_at: string;
}

// One collection per chain today; the key leaves room for more (e.g. one per region) without a migration.
const COLLECTION = 'territories';

const LATEST_SHAPES = `
  SELECT geojson, territories, uploaded_by, formatDateTime(uploaded_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS uploaded_at
  FROM territory_shapes FINAL WHERE collection = {collection:String} LIMIT 1`;

const STORE_TERRITORIES = `
  SELECT DISTINCT territory FROM stores FINAL
  WHERE empty({store_ids:Array(String)}) OR has({store_ids:Array(String)}, store_id)
  ORDER BY territory`;

/** The latest upload; undefined when none was ever made. */
export async function territoryShapes(warehouse: Warehouse): Promise<StoredTerritoryShapes | undefined> {
  const [row] = await warehouse.query<StoredTerritoryShapes>(LATEST_SHAPES, { collection: COLLECTION });
  return row;
}

/** Replaces the outlines (a newer version of the one row: ReplacingMergeTree on uploaded_at). */
export async function saveTerritoryShapes(warehouse: Warehouse, shapes: Omit<StoredTerritoryShapes, 'uploaded_at'>): Promise<string> {
  const uploadedAt = new Date().toISOString();
  await warehouse.insert('territory_shapes', [{ collection: COLLECTION, ...shapes, uploaded_at: uploadedAt }]);
  return uploadedAt;
}

/**
 * The territories the stores name (of the given stores; all when none are given): which outlines match no store,
 * which stores lack one, and which outlines a store-scoped reader may see.
 */
export async function storeTerritories(warehouse: Warehouse, storeIds: string[] = []): Promise<string[]> {
  return (await warehouse.query<{ territory: string }>(STORE_TERRITORIES, { store_ids: storeIds })).map((row) => row.territory);
}
