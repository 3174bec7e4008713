import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance } from 'fastify';
import { storeRecord } from '../../analytics/kpi/stores.ts';
import { photoById, type StoredPhoto } from '../../analytics/photos.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import type { EventLog } from '../../pipelines/log/event-log.ts';
import type { EventPublisher } from '../../pipelines/event-publisher.ts';
import { PhotoStore } from '../../pipelines/photo-store.ts';
import { PhotoAnalysis, type PhotoRecord } from '../../contracts/records.ts';
import { analyzePhotoTimed, bayPlanogram, recordPhotoAnalysis } from '../../pipelines/workers/vision-worker.ts';
import { UnreadableImageError } from '../../vision/image.ts';
import { PhotoQueueFullError } from '../../vision/photo-threads.ts';
import { ShelfAnalysis } from '../../contracts/shelf-analysis.ts';
import { reaches, type Principal, type UserRole } from '../auth.ts';
import { ApiError, badRequest, forbidden, notFound, unavailable } from '../errors.ts';

export interface PhotoRoutesDeps {
  warehouse: Warehouse;
  store: PhotoStore;
  /** Competitor prices read from tags are published as competitor-price events (source "photo"). */
  publisher?: EventPublisher;
  /**
   * Set when this process does not play the vision role (distributed shape): a photo that passes the quality gate
   * is stored, published to `photos` and answered `pending`; a vision worker analyses it. Unset: analysed inline.
   */
  visionQueue?: EventLog;
}

const MAX_FILE_BYTES = 25 * 1024 * 1024;
const MAX_FILES = 10;
const MAX_FIELD_BYTES = 1024;
const UPLOAD_ROLES: readonly UserRole[] = ['admin', 'merchandiser', 'store_manager'];
const READ_ROLES: readonly UserRole[] = ['admin', 'merchandiser', 'store_manager', 'category_manager', 'sales_director'];

interface Upload {
  filename: string;
  bytes: Buffer;
}

function photoView(photo: PhotoRecord & { bay: string }, analysis: ShelfAnalysis): PhotoAnalysis {
  return { ...photo, image_url: `/v1/photos/${photo.photo_id}/image`, ...analysis };
}

/**
 * A stored analysis in today's shape: one written by an older version may lack fields added since; those come back
 * empty (a missing planogram or detector as null) instead of failing the answer's schema (a 500).
 */
const storedAnalysis = (photo: StoredPhoto): ShelfAnalysis =>
  Value.Cast(ShelfAnalysis, { status: photo.status, width: photo.width, height: photo.height, detector: null, planogram: null, ...(JSON.parse(photo.analysis) as object) });

// Written by the schema's serializer: 0.11 ms for a 12 MP bay's answer (115 packs, 55 tags), as JSON.stringify.
const PhotosAnswer = Type.Object({ photos: Type.Array(PhotoAnalysis) });

const UNREADABLE_STATUS: Partial<Record<UnreadableImageError['reason'], number>> = { too_many_pixels: 413, heic_unsupported: 415 };
const unreadable = (filename: string, err: UnreadableImageError) =>
  new ApiError(UNREADABLE_STATUS[err.reason] ?? 422, `photo_${err.reason}`, `${filename}: ${err.message}`);

/** The capture path: shelf photos in, the quality gate's verdict and the shelf analysis out, in seconds. */
export async function photoRoutes(app: FastifyInstance, deps: PhotoRoutesDeps): Promise<void> {
  await app.register(multipart, { limits: { fileSize: MAX_FILE_BYTES, files: MAX_FILES, fields: 10, parts: MAX_FILES + 10, fieldSize: MAX_FIELD_BYTES } });

  app.post(
    '/v1/photos',
    {
      schema: {
        summary: 'Upload shelf photos of a store visit (multipart)',
        description:
          'Parts: one or more image files (JPEG, PNG, WebP; HEIC only if sharp on the server decodes HEVC, else 415 photo_heic_unsupported; at most 10 of 25 MB) and fields store_id, optional visit_id, bay, taken_at (ISO-8601), lat, lon. ' +
          'A photo naming a bay that has a planogram (POST /v1/planograms) comes back with the bay\'s compliance: score, missing, misplaced and extra SKUs. ' +
          'A photo failing the quality gate comes back with status "retake" and the reasons in Chinese and English. ' +
          'Where a separate vision worker analyses photos, the answer is 202 with status "pending" and GET /v1/photos/:id shows the analysis when it is done.',
        tags: ['photos'],
        security: [{ bearer: [] }],
        consumes: ['multipart/form-data'],
        response: { 201: PhotosAnswer, 202: PhotosAnswer },
      },
      config: { roles: UPLOAD_ROLES },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw badRequest('send the photos as multipart/form-data');
      const fields: Record<string, string> = {};
      const uploads: Upload[] = [];
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') uploads.push({ filename: part.filename || 'photo', bytes: await part.toBuffer() });
          // The parser cuts a long field short; a cut store id would be looked up as another store.
          else if (part.valueTruncated) throw badRequest(`field ${part.fieldname} is longer than ${MAX_FIELD_BYTES} bytes`);
          else fields[part.fieldname] = String(part.value);
        }
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (code === 'FST_REQ_FILE_TOO_LARGE') throw new ApiError(413, 'photo_too_large', `a photo is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
        if (code.startsWith('FST_')) throw badRequest(`the upload could not be read: ${(err as Error).message}`);
        throw err;
      }
      const storeId = fields.store_id?.trim();
      if (!storeId) throw badRequest('field store_id is required');
      const bay = fields.bay?.trim() ?? '';
      // Scopes: a merchandiser or store manager uploads only to the stores and territories assigned to it. The bay's
      // planogram is looked up meanwhile (the vision worker looks it up itself when it analyses a queued photo).
      const [store, planogram] = await Promise.all([
        storeRecord(deps.warehouse, storeId),
        deps.visionQueue ? undefined : bayPlanogram(deps.warehouse, { store_id: storeId, bay }),
      ]);
      if (!store) throw notFound(`no store ${storeId}`);
      if (!reaches(request.principal!, store)) throw forbidden(`you are not assigned to store ${storeId}`);
      if (uploads.length === 0) throw badRequest('attach at least one photo');
      const takenAt = fields.taken_at ?? new Date().toISOString();
      if (Number.isNaN(Date.parse(takenAt))) throw badRequest(`taken_at "${takenAt}" is not an ISO-8601 time`);
      const coordinate = (name: 'lat' | 'lon', limit: number) => {
        if (fields[name] === undefined || fields[name] === '') return null;
        const value = Number(fields[name]);
        if (!Number.isFinite(value) || Math.abs(value) > limit) throw badRequest(`${name} "${fields[name]}" is not a coordinate`);
        return value;
      };
      const lat = coordinate('lat', 90);
      const lon = coordinate('lon', 180);
      if (bay.length > 128) throw badRequest('bay is longer than 128 characters');

      // Every photo is decoded before anything is stored: one bad file refuses the upload and stores nothing.
      // Queued for a vision worker, an upload gets the quality gate only (its retake answer stays immediate).
      const models = deps.visionQueue ? null : undefined;
      const analysed = [];
      for (const upload of uploads) {
        try {
          const analysing = analyzePhotoTimed(upload.bytes, models, planogram);
          // Hashed while the analysis thread works.
          const photoId = PhotoStore.idOf(upload.bytes);
          analysed.push({ upload, photoId, result: await analysing });
        } catch (err) {
          if (err instanceof UnreadableImageError) throw unreadable(upload.filename, err);
          if (err instanceof PhotoQueueFullError) throw unavailable(`too many photos are being analysed (${err.message}); retry shortly`, 10);
          throw err;
        }
      }
      const photos = [];
      for (const { upload, photoId, result } of analysed) {
        const photo = { photo_id: photoId, store_id: storeId, visit_id: fields.visit_id ?? '', bay, taken_at: new Date(takenAt).toISOString(), lat, lon };
        const files = { original: upload.bytes, derivative: result.derivative };
        let analysis = result.analysis;
        if (deps.visionQueue && analysis.status === 'analyzed') {
          const stored = await photoById(deps.warehouse, photoId);
          if (stored && stored.status !== 'pending') {
            // The same bytes were analysed before: their result stands.
            photos.push(photoView(photo, storedAnalysis(stored)));
            continue;
          }
          analysis = { ...analysis, status: 'pending' };
          await recordPhotoAnalysis(deps, photo, analysis, files);
          // Durable in the log before the answer: an acknowledged photo is analysed even if this process dies now.
          await deps.visionQueue.publish('photos', [{ key: storeId, value: photo }]);
        } else {
          await recordPhotoAnalysis(deps, photo, analysis, files);
        }
        photos.push(photoView(photo, analysis));
      }
      const queued = photos.some((p) => p.status === 'pending');
      return reply.code(queued ? 202 : 201).send({ photos });
    },
  );

  const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the photo' }) });

  /** A photo is visible to whoever's scopes reach its store. */
  const storeInScope = async (principal: Principal, storeId: string) => {
    if (principal.storeIds.length === 0 && principal.territories.length === 0) return true;
    const store = await storeRecord(deps.warehouse, storeId);
    return store !== undefined && reaches(principal, store);
  };

  app.get<{ Params: { id: string } }>(
    '/v1/photos/:id',
    {
      schema: { summary: 'The stored analysis of one photo', tags: ['photos'], security: [{ bearer: [] }], params: IdParams, response: { 200: PhotoAnalysis } },
      config: { roles: READ_ROLES },
    },
    async (request) => {
      const photo = await photoById(deps.warehouse, request.params.id);
      if (!photo || !(await storeInScope(request.principal!, photo.store_id))) throw notFound(`no photo ${request.params.id}`);
      const { analysis: _analysis, status: _status, retake: _retake, width: _w, height: _h, ...meta } = photo;
      return photoView({ ...meta, taken_at: new Date(meta.taken_at).toISOString() }, storedAnalysis(photo));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/photos/:id/image',
    { schema: { summary: 'The photo, upright and without metadata (JPEG)', tags: ['photos'], security: [{ bearer: [] }], params: IdParams }, config: { roles: READ_ROLES } },
    async (request, reply) => {
      const photo = await photoById(deps.warehouse, request.params.id);
      if (!photo || !(await storeInScope(request.principal!, photo.store_id))) throw notFound(`no photo ${request.params.id}`);
      const image = await deps.store.derivative(request.params.id);
      if (!image) throw notFound(`no image for photo ${request.params.id}`);
      return reply.type('image/jpeg').header('cache-control', 'private, max-age=86400, immutable').send(image);
    },
  );
}
