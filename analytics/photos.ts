import type { Warehouse } from './warehouse.ts';

export interface StoredPhoto {
  photo_id: string;
  store_id: string;
  visit_id: string;
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
  SELECT photo_id, store_id, visit_id, formatDateTime(taken_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS taken_at, status, retake,
    width, height, lat, lon, analysis
  FROM photos FINAL WHERE photo_id = {photo_id:String}`;

export async function photoById(warehouse: Warehouse, photoId: string): Promise<StoredPhoto | undefined> {
  const [row] = await warehouse.query<StoredPhoto>(PHOTO_BY_ID, { photo_id: photoId });
  return row;
}

export async function savePhoto(warehouse: Warehouse, photo: StoredPhoto): Promise<void> {
  await warehouse.insert('photos', [{ ...photo }]);
}
