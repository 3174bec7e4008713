import type { Warehouse } from './warehouse.ts';

/** A re-recognition run over a fixed list of photos; `done` of them are recognised again so far. */
export interface RecognitionJob {
  job_id: string;
  sku: string;
  reason: string;
  created_by: string;
  created_at: string;
  photo_ids: string[];
  done: number;
  failed: string[];
  status: 'running' | 'finished';
  finished_at: string | null;
}

const COLUMNS = `job_id, sku, reason, created_by, formatDateTime(created_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS created_at, photo_ids, done, failed, status,
  if(isNull(finished_at), NULL, formatDateTime(finished_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC')) AS finished_at`;

const JOB_BY_ID = `SELECT ${COLUMNS} FROM recognition_jobs FINAL WHERE job_id = {job_id:String}`;
const RUNNING_JOBS = `SELECT ${COLUMNS} FROM recognition_jobs FINAL WHERE status = 'running' ORDER BY created_at`;

/** Analysed photos of the stores in scope taken from `from` (store-local day) on, newest first. */
const RECENT_PHOTOS = `
  SELECT photo_id FROM photos FINAL
  WHERE status = 'analyzed' AND local_day >= toDate({from:String})
    AND (empty({stores:Array(String)}) OR store_id IN {stores:Array(String)})
  ORDER BY taken_at DESC
  LIMIT {limit:UInt32}`;

/**
 * The packs nobody recognised on recent analysed photos (newest first), each with the words read off it: what
 * a category manager names when teaching.
 */
const UNKNOWN_PACKS = `
  SELECT photo_id, store_id, formatDateTime(taken_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS taken_at,
    arrayFilter(d -> d.2 = 'unknown', JSONExtract(analysis, 'detections', 'Array(Tuple(bbox Array(Int32), sku String, text String))')) AS packs
  FROM photos FINAL
  WHERE status = 'analyzed' AND unknown_facings > 0 AND local_day >= toDate({from:String})
    AND (empty({stores:Array(String)}) OR store_id IN {stores:Array(String)})
  ORDER BY taken_at DESC
  LIMIT {limit:UInt32}`;

export interface PhotoUnknownPacks {
  photo_id: string;
  store_id: string;
  taken_at: string;
  packs: { bbox: [number, number, number, number]; text: string }[];
}

export async function saveRecognitionJob(warehouse: Warehouse, job: RecognitionJob): Promise<void> {
  await warehouse.insert('recognition_jobs', [{ ...job, updated_at: new Date().toISOString() }]);
}

export async function recognitionJob(warehouse: Warehouse, jobId: string): Promise<RecognitionJob | undefined> {
  const [row] = await warehouse.query<RecognitionJob>(JOB_BY_ID, { job_id: jobId });
  return row && { ...row, done: Number(row.done) };
}

export async function runningRecognitionJobs(warehouse: Warehouse): Promise<RecognitionJob[]> {
  return (await warehouse.query<RecognitionJob>(RUNNING_JOBS)).map((row) => ({ ...row, done: Number(row.done) }));
}

export async function recentPhotoIds(warehouse: Warehouse, scope: { from: string; storeIds: readonly string[]; limit: number }): Promise<string[]> {
  const rows = await warehouse.query<{ photo_id: string }>(RECENT_PHOTOS, { from: scope.from, stores: scope.storeIds, limit: scope.limit });
  return rows.map((r) => r.photo_id);
}

export async function unknownPacks(warehouse: Warehouse, scope: { from: string; storeIds: readonly string[]; limit: number }): Promise<PhotoUnknownPacks[]> {
  const rows = await warehouse.query<{ photo_id: string; store_id: string; taken_at: string; packs: { bbox: number[]; text: string }[] }>(UNKNOWN_PACKS, {
    from: scope.from,
    stores: scope.storeIds,
    limit: scope.limit,
  });
  return rows.map((r) => ({ ...r, packs: r.packs.map(({ bbox, text }) => ({ bbox: bbox as [number, number, number, number], text })) }));
}
