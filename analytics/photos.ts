import { Value } from '@sinclair/typebox/value';
import { ShelfAnalysis } from '../contracts/shelf-analysis.ts';
import type { ShelfFacings } from './shelf-share.ts';
import type { Warehouse } from './warehouse.ts';

export interface StoredPhoto {
  photo_id: string;
  store_id: string;
  visit_id: string;
  /** The bay the photo shows, '' when the upload named none. */
  bay: string;
  taken_at: string;
  status: string;
  retake: string[];
  width: number;
  height: number;
  lat: number | null;
  lon: number | null;
  analysis: string;
}

/** What the intake stores beside the analysis: the shelf's facings by owner, its empty facings, the store-local day. */
export type PhotoFigures = ShelfFacings & { gaps: number; local_day: string };

const PHOTO_BY_ID = `
  SELECT photo_id, store_id, visit_id, bay, formatDateTime(taken_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS taken_at, status, retake,
    width, height, lat, lon, analysis
  FROM photos FINAL WHERE photo_id = {photo_id:String}`;

export async function photoById(warehouse: Warehouse, photoId: string): Promise<StoredPhoto | undefined> {
  const [row] = await warehouse.query<StoredPhoto>(PHOTO_BY_ID, { photo_id: photoId });
  return row;
}

/**
 * Stores a photo's row; a photo of no named bay may leave `bay` out. Without figures the row counts as a shelf
 * where nothing was recognised, on its day in the platform zone (the table's defaults).
 */
export async function savePhoto(warehouse: Warehouse, photo: Omit<StoredPhoto, 'bay'> & { bay?: string } & Partial<PhotoFigures>): Promise<void> {
  await warehouse.insert('photos', [{ ...photo }]);
}

/**
 * A stored analysis in today's shape: one written by an older version may lack fields added since; those come back
 * empty (a missing planogram or detector as null) instead of failing the answer's schema (a 500).
 */
export const storedAnalysis = (photo: StoredPhoto): ShelfAnalysis =>
  Value.Cast(ShelfAnalysis, {
    status: photo.status,
    width: photo.width,
    height: photo.height,
    detector: null,
    planogram: null,
    ...(JSON.parse(photo.analysis) as object),
  });
