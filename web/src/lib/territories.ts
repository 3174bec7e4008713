import type { GeoPermissibleObjects } from 'd3-geo';

/** One uploaded territory outline, as GET /v1/territories/geojson serves it. */
export interface TerritoryOutline {
  type: 'Feature';
  properties: { territory: string };
  geometry: GeoPermissibleObjects & { type: 'Polygon' | 'MultiPolygon' };
}

export interface TerritoryOutlines {
  type: 'FeatureCollection';
  features: TerritoryOutline[];
  uploaded_at: string | null;
  uploaded_by: string | null;
}

/** What PUT /v1/territories/geojson answers: which outlines match the stores' territories, and what to fix. */
export interface OutlineUpload {
  territories: number;
  matched: string[];
  unmatched: string[];
  without_outline: string[];
  warnings: string[];
  uploaded_at: string;
}

export const OUTLINES_PATH = '/v1/territories/geojson';
/** The server's limit (api/routes/territories.ts), checked here too so a large file fails before it is sent. */
export const MAX_OUTLINE_BYTES = 10 * 1024 * 1024;
