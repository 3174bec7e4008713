import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { storeRecord } from '../../analytics/kpi/stores.ts';
import { photoById, savePhoto } from '../../analytics/photos.ts';
import { saveShelfObservations, shelfObservationRows } from '../../analytics/shelf-observations.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import type { EventPublisher } from '../../pipelines/event-publisher.ts';
import { PhotoStore } from '../../pipelines/photo-store.ts';
import { photoAnalysis } from '../../pipelines/metrics.ts';
import { analyzeShelfPhoto, type ShelfAnalysis } from '../../vision/analyze.ts';
import { UnreadableImageError } from '../../vision/image.ts';
import { reaches, type Principal, type UserRole } from '../auth.ts';
import { ApiError, badRequest, forbidden, notFound } from '../errors.ts';

export interface PhotoRoutesDeps {
  warehouse: Warehouse;
  store: PhotoStore;
  /** Competitor prices read from tags are published as competitor-price events (source "photo"). */
  publisher?: EventPublisher;
}

const MAX_FILE_BYTES = 25 * 1024 * 1024;
const MAX_FILES = 10;
const UPLOAD_ROLES: readonly UserRole[] = ['admin', 'merchandiser', 'store_manager'];
const READ_ROLES: readonly UserRole[] = ['admin', 'merchandiser', 'store_manager', 'category_manager', 'sales_director'];

interface Upload {
  filename: string;
  bytes: Buffer;
}

function photoView(photo: { photo_id: string; store_id: string; visit_id: string; taken_at: string }, analysis: ShelfAnalysis) {
  return { ...photo, image_url: `/v1/photos/${photo.photo_id}/image`, ...analysis };
}

const unreadable = (filename: string, err: UnreadableImageError) =>
  new ApiError(err.reason === 'too_many_pixels' ? 413 : 422, `photo_${err.reason}`, `${filename}: ${err.message}`);

/** A competitor's price read off a tag feeds the price-gap alerts like any other competitor price observation. */
async function publishCompetitorPrices(publisher: EventPublisher | undefined, photo: { photo_id: string; store_id: string; taken_at: string }, analysis: ShelfAnalysis) {
  const competitors = new Set(analysis.detections.filter((d) => d.is_competitor).map((d) => d.sku));
  const rows = analysis.prices
    .filter((p) => p.sku !== null && competitors.has(p.sku))
    // The event id names the photo and the SKU, so that re-uploading the same photo never counts twice.
    .map((p) => ({ event_id: `photo-${photo.photo_id.slice(0, 32)}-${p.sku}`, store_id: photo.store_id, sku: p.sku!, ts: photo.taken_at, price: p.price, source: 'photo' as const }));
  if (publisher && rows.length > 0) await publisher.publish('competitor-prices', rows);
}

/** The capture path: shelf photos in, the quality gate's verdict and the shelf analysis out, in seconds. */
export async function photoRoutes(app: FastifyInstance, deps: PhotoRoutesDeps): Promise<void> {
  await app.register(multipart, { limits: { fileSize: MAX_FILE_BYTES, files: MAX_FILES, fields: 10, parts: MAX_FILES + 10, fieldSize: 1024 } });

  app.post(
    '/v1/photos',
    {
      schema: {
        summary: 'Upload shelf photos of a store visit (multipart)',
        description:
          'Parts: one or more image files (JPEG, PNG, WebP; at most 10 of 25 MB) and fields store_id, optional visit_id, taken_at (ISO-8601), lat, lon. ' +
          'A photo failing the quality gate comes back with status "retake" and the reasons in Chinese and English.',
        tags: ['photos'],
        security: [{ bearer: [] }],
        consumes: ['multipart/form-data'],
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
      // Scopes: a merchandiser or store manager uploads only to the stores and territories assigned to it.
      const store = await storeRecord(deps.warehouse, storeId);
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

      // Every photo is decoded before anything is stored: one bad file refuses the upload and stores nothing.
      const analysed = [];
      for (const upload of uploads) {
        const timer = photoAnalysis.startTimer();
        try {
          const result = await analyzeShelfPhoto(upload.bytes);
          timer({ outcome: result.analysis.status });
          analysed.push({ upload, result });
        } catch (err) {
          timer({ outcome: 'refused' });
          if (err instanceof UnreadableImageError) throw unreadable(upload.filename, err);
          throw err;
        }
      }
      const photos = [];
      for (const { upload, result } of analysed) {
        const photoId = PhotoStore.idOf(upload.bytes);
        const photo = { photo_id: photoId, store_id: storeId, visit_id: fields.visit_id ?? '', taken_at: new Date(takenAt).toISOString() };
        await deps.store.put(photoId, upload.bytes, result.derivative);
        await savePhoto(deps.warehouse, {
          ...photo,
          status: result.analysis.status,
          retake: result.analysis.retake.map((r) => r.code),
          width: result.analysis.width,
          height: result.analysis.height,
          lat,
          lon,
          analysis: JSON.stringify(result.analysis),
        });
        if (result.analysis.status === 'analyzed') {
          await saveShelfObservations(deps.warehouse, shelfObservationRows(photo, result.analysis));
          await publishCompetitorPrices(deps.publisher, photo, result.analysis);
        }
        photos.push(photoView(photo, result.analysis));
      }
      return reply.code(201).send({ photos });
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
    { schema: { summary: 'The stored analysis of one photo', tags: ['photos'], security: [{ bearer: [] }], params: IdParams }, config: { roles: READ_ROLES } },
    async (request) => {
      const photo = await photoById(deps.warehouse, request.params.id);
      if (!photo || !(await storeInScope(request.principal!, photo.store_id))) throw notFound(`no photo ${request.params.id}`);
      const { analysis, status: _status, retake: _retake, width: _w, height: _h, lat, lon, ...meta } = photo;
      return { ...photoView({ ...meta, taken_at: new Date(meta.taken_at).toISOString() }, JSON.parse(analysis) as ShelfAnalysis), lat, lon };
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
