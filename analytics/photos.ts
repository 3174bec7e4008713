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

const PHOTO_BY_ID = `
  SELECT photo_id, store_id, visit_id, bay, formatDateTime(taken_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS taken_at, status, retake,
    width, height, lat, lon, analysis
  FROM photos FINAL WHERE photo_id = {photo_id:String}`;

export async function photoById(warehouse: Warehouse, photoId: string): Promise<StoredPhoto | undefined> {
  const [row] = await warehouse.query<StoredPhoto>(PHOTO_BY_ID, { photo_id: photoId });
  return row;
}

/** Stores a photo's row; a photo of no named bay may leave `bay` out. */
export async function savePhoto(warehouse: Warehouse, photo: Omit<StoredPhoto, 'bay'> & { bay?: string }): Promise<void> {
  await warehouse.insert('photos', [{ ...photo }]);
}
