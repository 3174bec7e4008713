import { StoreZones } from '../analytics/master-data.ts';
import { photoById, savePhoto, storedAnalysis } from '../analytics/photos.ts';
import { planogramOf } from '../analytics/planograms.ts';
import { replaceShelfObservations, shelfObservationRows } from '../analytics/shelf-observations.ts';
import { NO_FACINGS, shelfFacingsOf } from '../analytics/shelf-share.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import type { PhotoRecord } from '../contracts/records.ts';
import type { ShelfAnalysis } from '../contracts/shelf-analysis.ts';
import { localDay } from '../lib/days.ts';
import { analyzeShelfPhoto, type VisionModels } from '../vision/analyze.ts';
import { UnreadableImageError } from '../vision/image.ts';
import { analyzeOffThread, setRecognitionCatalogue } from '../vision/photo-threads.ts';
import type { EventPublisher } from './event-publisher.ts';
import type { EventLog } from './log/event-log.ts';
import { photoAnalysis } from './metrics.ts';
import { PhotoStore } from './photo-store.ts';
import type { ProductCatalogue } from './product-catalogue.ts';

export interface PhotoIntakeDeps {
  warehouse: Warehouse;
  /** The originals and derivatives, content-addressed (shared with the vision workers). */
  photoFiles: PhotoStore;
  /** The platform zone: the local day of a photo whose store names no zone of its own. */
  timezone: string;
  /** Competitor prices read from tags are published as competitor-price events (source "photo"). */
  publisher?: EventPublisher | undefined;
  /**
   * Set when this process does not play the vision role (distributed shape): a photo that passes the quality gate
   * is stored, published to `photos` and comes back `pending`; a vision worker analyses it. Unset: analysed here.
   */
  visionQueue?: EventLog | undefined;
  /** Models handed in (tests, tools) run on this thread; by default the configured models run on the analysis thread. */
  models?: VisionModels | undefined;
  /** The chain's products as recognition knows them; without it every pack is `unknown`. */
  catalogue?: ProductCatalogue | undefined;
}

/** An uploaded file. */
export interface Upload {
  filename: string;
  bytes: Buffer;
}

/** What the merchandiser said about the photos of one upload. */
export type Visit = Omit<PhotoRecord, 'photo_id' | 'bay'> & { bay: string };

/** A photo as accepted: its record and its analysis (`pending` when queued for a vision worker). */
export interface AcceptedPhoto {
  photo: PhotoRecord & { bay: string };
  analysis: ShelfAnalysis;
}

/** One file of an upload cannot be decoded as a photo: the upload is refused and nothing of it is stored. */
export class UnreadableUploadError extends Error {
  constructor(
    readonly filename: string,
    readonly reason: UnreadableImageError['reason'],
    message: string,
  ) {
    super(`${filename}: ${message}`);
  }
}

/** A competitor's price read off a tag feeds the price-gap alerts like any other competitor price observation. */
async function publishCompetitorPrices(publisher: EventPublisher | undefined, photo: PhotoRecord, analysis: ShelfAnalysis) {
  const competitors = new Set(analysis.detections.filter((d) => d.is_competitor).map((d) => d.sku));
  const rows = analysis.prices
    .filter((p) => p.sku !== null && competitors.has(p.sku))
    // The event id names the photo and the SKU, so that re-uploading the same photo never counts twice.
    .map((p) => ({
      event_id: `photo-${photo.photo_id.slice(0, 32)}-${p.sku}`,
      store_id: photo.store_id,
      sku: p.sku!,
      ts: photo.taken_at,
      price: p.price,
      source: 'photo' as const,
    }));
  if (publisher && rows.length > 0) await publisher.publish('competitor-prices', rows);
}

/**
 * The one photo path, for the upload, the vision worker and the demo: analyse (with the bay's planogram), store
 * the files, the shelf observations, the competitor prices read off the tags and the photo row with its share of
 * shelf counted. It decides whether a photo is analysed here or queued for a vision worker, and leaves a photo
 * already analysed as it is.
 */
export class PhotoIntake {
  private readonly zones: StoreZones;
  /** The catalogue version recognition was last given. */
  private recognising: string | undefined;

  constructor(private readonly deps: PhotoIntakeDeps) {
    this.zones = new StoreZones(deps.warehouse);
  }

  /**
   * The photos of one upload. Every photo is decoded before anything is stored: one bad file refuses the upload
   * (UnreadableUploadError) and stores nothing. Queued for a vision worker, a photo gets the quality gate only (its
   * retake answer stays immediate) and is durable in the log before this returns; the same bytes analysed before
   * come back with their stored result. Throws PhotoQueueFullError when the analysis thread is full.
   */
  async accept(visit: Visit, uploads: readonly Upload[]): Promise<AcceptedPhoto[]> {
    const queue = this.deps.visionQueue;
    // A vision worker looks the planogram up itself when it analyses a queued photo.
    const planogram = queue ? undefined : await this.bayPlanogram(visit);
    const analysed = [];
    for (const upload of uploads) {
      try {
        const analysing = this.analyse(upload.bytes, queue ? null : this.deps.models, planogram);
        // Hashed while the analysis thread works.
        const photoId = PhotoStore.idOf(upload.bytes);
        analysed.push({ upload, photoId, result: await analysing });
      } catch (err) {
        if (err instanceof UnreadableImageError) throw new UnreadableUploadError(upload.filename, err.reason, err.message);
        throw err;
      }
    }
    const accepted: AcceptedPhoto[] = [];
    for (const { upload, photoId, result } of analysed) {
      const photo = { photo_id: photoId, ...visit };
      const files = { original: upload.bytes, derivative: result.derivative };
      if (queue && result.analysis.status === 'analyzed') {
        const stored = await photoById(this.deps.warehouse, photoId);
        if (stored && stored.status !== 'pending') {
          // The same bytes were analysed before: their result stands.
          accepted.push({ photo, analysis: storedAnalysis(stored) });
          continue;
        }
        const analysis: ShelfAnalysis = { ...result.analysis, status: 'pending' };
        await this.record(photo, analysis, files);
        // Durable in the log before the answer: an acknowledged photo is analysed even if this process dies now.
        await queue.publish('photos', [{ key: visit.store_id, value: photo }]);
        accepted.push({ photo, analysis });
      } else {
        await this.record(photo, result.analysis, files);
        accepted.push({ photo, analysis: result.analysis });
      }
    }
    return accepted;
  }

  /**
   * A photo queued by an ingest process (the vision worker): its original read back from the photo files, analysed
   * against its bay's planogram and recorded. Throws UnreadableImageError for a photo that cannot be analysed.
   */
  async analyseQueued(photo: PhotoRecord): Promise<ShelfAnalysis | 'already_analysed' | 'original_missing'> {
    const stored = await photoById(this.deps.warehouse, photo.photo_id);
    if (stored && stored.status !== 'pending') return 'already_analysed';
    const original = await this.deps.photoFiles.original(photo.photo_id);
    if (!original) return 'original_missing';
    const { analysis } = await this.analyse(original, this.deps.models, await this.bayPlanogram(photo));
    await this.record(photo, analysis);
    return analysis;
  }

  /**
   * Stores what is known of a photo: its files when given (the original and the derivative), once analysed its
   * shelf observations and the competitor prices read off its tags, and then its row (status, reasons, the shelf's
   * facings by owner, its store-local day, the analysis as JSON). The writes before the row go side by side; the row
   * comes last so that a photo whose row is stored has all of it: the vision worker and the demo skip such photos.
   * Repeating it stores the same rows again (the tables keep the newest per key, event ids repeat); a photo recorded
   * again with another analysis has its observations replaced as a whole (a SKU it no longer shows is retired).
   */
  async record(photo: PhotoRecord, analysis: ShelfAnalysis, files?: { original: Buffer; derivative: Buffer }): Promise<void> {
    const { warehouse, photoFiles, publisher } = this.deps;
    const { lat, lon, bay, ...identity } = photo;
    const analysed = analysis.status === 'analyzed';
    const [facings, zones] = await Promise.all([
      analysed ? shelfFacingsOf(warehouse, analysis.facings) : NO_FACINGS,
      this.zones.zonesFor([photo.store_id]),
      files && photoFiles.put(photo.photo_id, files.original, files.derivative),
      analysed && replaceShelfObservations(warehouse, identity, shelfObservationRows(identity, analysis)),
      analysed && publishCompetitorPrices(publisher, photo, analysis),
    ]);
    await savePhoto(warehouse, {
      ...identity,
      bay: bay ?? '',
      status: analysis.status,
      retake: analysis.retake.map((r) => r.code),
      width: analysis.width,
      height: analysis.height,
      lat,
      lon,
      analysis: JSON.stringify(analysis),
      ...facings,
      gaps: analysed ? analysis.gaps.length : 0,
      local_day: localDay(Date.parse(photo.taken_at), zones.get(photo.store_id) ?? this.deps.timezone),
    });
  }

  /**
   * A stored photo recognised again with today's catalogue (after someone named its unknown packs): analysed from its
   * original and recorded over its old rows. False when there is nothing to recognise (not analysed, original gone).
   */
  async recogniseAgain(photoId: string): Promise<boolean> {
    const stored = await photoById(this.deps.warehouse, photoId);
    const original = stored?.status === 'analyzed' ? await this.deps.photoFiles.original(photoId) : undefined;
    if (!stored || !original) return false;
    const { analysis: _analysis, status: _status, retake: _retake, width: _width, height: _height, ...photo } = stored;
    const { analysis } = await this.analyse(original, this.deps.models, await this.bayPlanogram(photo));
    await this.record(photo, analysis);
    return true;
  }

  /** The planogram stored for the bay a photo names (none when it names no bay or the bay has none). */
  private async bayPlanogram(photo: Pick<PhotoRecord, 'store_id' | 'bay'>): Promise<string[][] | undefined> {
    return photo.bay ? planogramOf(this.deps.warehouse, photo.store_id, photo.bay) : undefined;
  }

  /**
   * Decodes and analyses one photo, timing it by outcome; unreadable photos throw UnreadableImageError. With the
   * configured models (undefined) or the gate only (`null`) it runs on the analysis thread; models handed in run here.
   */
  private async analyse(bytes: Buffer, models: VisionModels | null | undefined, planogram: string[][] | undefined) {
    const timer = photoAnalysis.startTimer();
    try {
      if (models !== null) await this.syncRecognition(models);
      const result = models ? await analyzeShelfPhoto(bytes, { models, planogram }) : await analyzeOffThread(bytes, { gateOnly: models === null, planogram });
      timer({ outcome: result.analysis.status });
      return result;
    } catch (err) {
      timer({ outcome: 'refused' });
      throw err;
    }
  }

  /** Gives recognition the catalogue as it is now, when a product or a reference image changed since last time. */
  private async syncRecognition(models: VisionModels | undefined): Promise<void> {
    const update = await this.deps.catalogue?.recognitionCatalogue(this.recognising);
    if (!update) return;
    if (models) await models.recognizer.setCatalogue(update.catalogue);
    else setRecognitionCatalogue(update.catalogue);
    this.recognising = update.version;
  }
}
