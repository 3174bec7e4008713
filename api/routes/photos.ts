import { Type } from '@sinclair/typebox';
import { storeRecord } from '../../analytics/master-data.ts';
import { photoById, storedAnalysis } from '../../analytics/photos.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import type { PhotoStore } from '../../pipelines/photo-store.ts';
import { UnreadableUploadError, type PhotoIntake } from '../../pipelines/photo-intake.ts';
import { PhotoAnalysis, type PhotoRecord } from '../../contracts/records.ts';
import type { UnreadableImageError } from '../../vision/image.ts';
import { PhotoQueueFullError } from '../../vision/photo-threads.ts';
import type { ShelfAnalysis } from '../../contracts/shelf-analysis.ts';
import { reaches } from '../auth.ts';
import { ApiError, badRequest, forbidden, notFound, unavailable } from '../errors.ts';
import { storeInScope } from '../scopes.ts';
import { visitById } from '../../analytics/visits.ts';
import { UploadKeys, VisitRefusal } from '../../pipelines/visits.ts';
import { readUploads } from '../uploads.ts';
import type { UserRole } from '../../contracts/enums.ts';
import type { Api } from '../instance.ts';

export interface PhotoRoutesDeps {
  warehouse: Warehouse;
  photoFiles: PhotoStore;
  intake: PhotoIntake;
}

const UPLOAD_ROLES: readonly UserRole[] = ['admin', 'merchandiser', 'store_manager'];
const READ_ROLES: readonly UserRole[] = ['admin', 'merchandiser', 'store_manager', 'category_manager', 'sales_director'];

function photoView(photo: PhotoRecord & { bay: string }, analysis: ShelfAnalysis): PhotoAnalysis {
  return { ...photo, image_url: `/v1/photos/${photo.photo_id}/image`, ...analysis };
}

// Written by the schema's serializer: for a photo's answer it is as fast as JSON.stringify (unlike the map's).
const PhotosAnswer = Type.Object({ photos: Type.Array(PhotoAnalysis) });

const UNREADABLE_STATUS: Partial<Record<UnreadableImageError['reason'], number>> = { too_many_pixels: 413, heic_unsupported: 415 };

/** The photo intake's refusals as answers; anything else goes on to the central handler. */
function refusal(err: unknown): unknown {
  if (err instanceof UnreadableUploadError) return new ApiError(UNREADABLE_STATUS[err.reason] ?? 422, `photo_${err.reason}`, err.message);
  if (err instanceof PhotoQueueFullError) return unavailable(`too many photos are being analysed (${err.message}); retry shortly`, 10);
  if (err instanceof VisitRefusal) return new ApiError(409, 'upload_key_conflict', err.message);
  return err;
}

/** The optional fields of an upload, checked. */
function visitFields(fields: Record<string, string>) {
  const takenAt = fields.taken_at ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(takenAt))) throw badRequest(`taken_at "${takenAt}" is not an ISO-8601 time`);
  const coordinate = (name: 'lat' | 'lon', limit: number) => {
    if (fields[name] === undefined || fields[name] === '') return null;
    const value = Number(fields[name]);
    if (!Number.isFinite(value) || Math.abs(value) > limit) throw badRequest(`${name} "${fields[name]}" is not a coordinate`);
    return value;
  };
  const bay = fields.bay?.trim() ?? '';
  if (bay.length > 128) throw badRequest('bay is longer than 128 characters');
  return { visit_id: fields.visit_id ?? '', bay, taken_at: new Date(takenAt).toISOString(), lat: coordinate('lat', 90), lon: coordinate('lon', 180) };
}

/** The capture path: shelf photos in, the quality gate's verdict and the shelf analysis out, in seconds. */
const UPLOAD_KEY = /^[A-Za-z0-9_-]{8,128}$/;

export async function photoRoutes(app: Api, deps: PhotoRoutesDeps): Promise<void> {
  const uploadKeys = new UploadKeys(deps.warehouse);
  app.post(
    '/v1/photos',
    {
      schema: {
        summary: 'Upload shelf photos of a store visit (multipart)',
        description:
          'Parts: one or more image files (JPEG, PNG, WebP; HEIC only if sharp on the server decodes HEVC, else 415 photo_heic_unsupported; at most 10 of 25 MB) and fields store_id, optional visit_id, bay, taken_at (ISO-8601), lat, lon. ' +
          "A photo naming a bay that has a planogram (POST /v1/planograms) comes back with the bay's compliance: score, missing, misplaced and extra SKUs. " +
          'A photo failing the quality gate comes back with status "retake" and the reasons in Chinese and English. ' +
          'Where a separate vision worker analyses photos, the answer is 202 with status "pending" and GET /v1/photos/:id shows the analysis when it is done. ' +
          'A visit_id of a visit started with POST /v1/visits must be of the same store. ' +
          'Header Idempotency-Key (8–128 of A–Z a–z 0–9 _ -, made on the phone): the same key sent again by the same user, after an answer lost to a dropped connection, answers the photos of the first upload, analysed once.',
        tags: ['photos'],
        security: [{ bearer: [] }],
        consumes: ['multipart/form-data'],
        response: { 201: PhotosAnswer, 202: PhotosAnswer },
      },
      config: { roles: UPLOAD_ROLES },
    },
    async (request, reply) => {
      const { fields, uploads } = await readUploads(request, 'photos');
      const storeId = fields.store_id?.trim();
      if (!storeId) throw badRequest('field store_id is required');
      // Scopes: a merchandiser or store manager uploads only to the stores and territories assigned to it.
      const store = await storeRecord(deps.warehouse, storeId);
      if (!store) throw notFound(`no store ${storeId}`);
      if (!reaches(request.principal!, store)) throw forbidden(`you are not assigned to store ${storeId}`);
      if (uploads.length === 0) throw badRequest('attach at least one photo');
      const visit = visitFields(fields);
      // A free visit label (an integration's own) stays accepted; a visit started here must be of this store.
      const started = visit.visit_id ? await visitById(deps.warehouse, visit.visit_id) : undefined;
      if (started && started.store_id !== storeId) throw badRequest(`visit ${visit.visit_id} is a visit of store ${started.store_id}, not ${storeId}`);
      const key = request.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !UPLOAD_KEY.test(key))) {
        throw badRequest('header Idempotency-Key must be 8 to 128 of A-Z, a-z, 0-9, _ and -');
      }
      const accept = () => deps.intake.accept({ store_id: storeId, ...visit }, uploads);
      const accepted = await (key ? uploadKeys.once(request.principal!.name, key, storeId, accept) : accept()).catch((err: unknown) => {
        throw refusal(err);
      });
      const queued = accepted.some((p) => p.analysis.status === 'pending');
      return reply.code(queued ? 202 : 201).send({ photos: accepted.map(({ photo, analysis }) => photoView(photo, analysis)) });
    },
  );

  const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the photo' }) });

  app.get(
    '/v1/photos/:id',
    {
      schema: { summary: 'The stored analysis of one photo', tags: ['photos'], security: [{ bearer: [] }], params: IdParams, response: { 200: PhotoAnalysis } },
      config: { roles: READ_ROLES },
    },
    async (request) => {
      const photo = await photoById(deps.warehouse, request.params.id);
      if (!photo || !(await storeInScope(deps.warehouse, request.principal!, photo.store_id))) throw notFound(`no photo ${request.params.id}`);
      const { analysis: _analysis, status: _status, retake: _retake, width: _w, height: _h, ...meta } = photo;
      return photoView({ ...meta, taken_at: new Date(meta.taken_at).toISOString() }, storedAnalysis(photo));
    },
  );

  app.get(
    '/v1/photos/:id/image',
    {
      schema: { summary: 'The photo, upright and without metadata (JPEG)', tags: ['photos'], security: [{ bearer: [] }], params: IdParams },
      config: { roles: READ_ROLES },
    },
    async (request, reply) => {
      const photo = await photoById(deps.warehouse, request.params.id);
      if (!photo || !(await storeInScope(deps.warehouse, request.principal!, photo.store_id))) throw notFound(`no photo ${request.params.id}`);
      const image = await deps.photoFiles.derivative(request.params.id);
      if (!image) throw notFound(`no image for photo ${request.params.id}`);
      return reply.type('image/jpeg').header('cache-control', 'private, max-age=86400, immutable').send(image);
    },
  );
}
