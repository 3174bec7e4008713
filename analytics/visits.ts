import type { VisitNote, VisitPhoto } from '../contracts/visits.ts';
import type { Warehouse } from './warehouse.ts';

/** A visit's own row: who started it, when, where (and how far from the store), when it was closed. */
export interface VisitRow {
  visit_id: string;
  store_id: string;
  started_by: string;
  started_at: string;
  closed_at: string | null;
  lat: number | null;
  lon: number | null;
  distance_m: number | null;
}

export type VisitNoteRow = VisitNote & { visit_id: string; store_id: string };

/** Times leave the warehouse as epoch milliseconds and become ISO-8601 here (formatDateTime's %f prints 6 digits). */
const MS = (column: string) => `toUnixTimestamp64Milli(${column})`;
const iso = (ms: unknown) => new Date(Number(ms)).toISOString();

const VISIT_COLUMNS = `visit_id, store_id, started_by, ${MS('started_at')} AS started_at,
  if(closed_at IS NULL, NULL, ${MS('assumeNotNull(closed_at)')}) AS closed_at, lat, lon, distance_m`;

const VISIT_BY_ID = `SELECT ${VISIT_COLUMNS} FROM visits FINAL WHERE visit_id = {visit_id:String}`;

const VISITS_OF_STORE = `
  SELECT ${VISIT_COLUMNS} FROM visits FINAL
  WHERE store_id = {store_id:String} AND (empty({started_by:String}) OR started_by = {started_by:String})
  ORDER BY started_at DESC, visit_id
  LIMIT {limit:UInt32}`;

const PHOTOS_OF_VISITS = `
  SELECT visit_id, photo_id, bay, status, ${MS('taken_at')} AS taken_at FROM photos FINAL
  WHERE visit_id IN {visit_ids:Array(String)}
  ORDER BY taken_at, photo_id`;

const NOTES_OF_VISITS = `
  SELECT visit_id, store_id, note_id, kind, bay, sku, price, text, noted_by, ${MS('noted_at')} AS noted_at FROM visit_notes FINAL
  WHERE visit_id IN {visit_ids:Array(String)}
  ORDER BY noted_at, note_id`;

const PLANOGRAMS_OF_STORE = `SELECT bay, shelf_rows FROM planograms FINAL WHERE store_id = {store_id:String} ORDER BY bay`;

const UPLOAD_BY_KEY = `
  SELECT store_id, photo_ids FROM photo_uploads FINAL WHERE uploaded_by = {uploaded_by:String} AND upload_key = {upload_key:String}`;

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const visitOf = (row: VisitRow): VisitRow => ({
  ...row,
  started_at: iso(row.started_at),
  closed_at: row.closed_at === null ? null : iso(row.closed_at),
  lat: numberOrNull(row.lat),
  lon: numberOrNull(row.lon),
  distance_m: numberOrNull(row.distance_m),
});

export async function visitById(warehouse: Warehouse, visitId: string): Promise<VisitRow | undefined> {
  const [row] = await warehouse.query<VisitRow>(VISIT_BY_ID, { visit_id: visitId });
  return row && visitOf(row);
}

/** A store's visits, newest first; with `startedBy`, only that person's. */
export async function visitsOfStore(warehouse: Warehouse, storeId: string, options: { startedBy?: string; limit: number }): Promise<VisitRow[]> {
  const rows = await warehouse.query<VisitRow>(VISITS_OF_STORE, { store_id: storeId, started_by: options.startedBy ?? '', limit: options.limit });
  return rows.map(visitOf);
}

/** Stores the visit's row as it stands now (started, or closed): the newest row wins. */
export async function saveVisit(warehouse: Warehouse, visit: VisitRow): Promise<void> {
  await warehouse.insert('visits', [{ ...visit }]);
}

/** The photos that carry these visits' ids (their bays among them), oldest first. */
export async function photosOfVisits(warehouse: Warehouse, visitIds: readonly string[]): Promise<(VisitPhoto & { visit_id: string })[]> {
  if (visitIds.length === 0) return [];
  const rows = await warehouse.query<VisitPhoto & { visit_id: string }>(PHOTOS_OF_VISITS, { visit_ids: visitIds });
  return rows.map((r) => ({ ...r, taken_at: iso(r.taken_at) }));
}

export async function notesOfVisits(warehouse: Warehouse, visitIds: readonly string[]): Promise<VisitNoteRow[]> {
  if (visitIds.length === 0) return [];
  const rows = await warehouse.query<VisitNoteRow>(NOTES_OF_VISITS, { visit_ids: visitIds });
  return rows.map((r) => ({ ...r, price: numberOrNull(r.price), noted_at: iso(r.noted_at) }));
}

export async function saveVisitNote(warehouse: Warehouse, note: VisitNoteRow): Promise<void> {
  await warehouse.insert('visit_notes', [{ ...note }]);
}

/** The store's bays that have a planogram, with their layouts. */
export async function planogramsOfStore(warehouse: Warehouse, storeId: string): Promise<{ bay: string; shelf_rows: string[][] }[]> {
  return warehouse.query(PLANOGRAMS_OF_STORE, { store_id: storeId });
}

/** The photos an earlier upload with this key gave, or undefined when the key is new. */
export async function uploadByKey(warehouse: Warehouse, uploadedBy: string, uploadKey: string): Promise<{ store_id: string; photo_ids: string[] } | undefined> {
  const [row] = await warehouse.query<{ store_id: string; photo_ids: string[] }>(UPLOAD_BY_KEY, { uploaded_by: uploadedBy, upload_key: uploadKey });
  return row;
}

export async function saveUploadKey(warehouse: Warehouse, upload: { upload_key: string; uploaded_by: string; store_id: string; photo_ids: string[] }) {
  await warehouse.insert('photo_uploads', [{ ...upload }]);
}
