import type { Logger } from 'pino';
import { photoById, savePhoto } from '../../analytics/photos.ts';
import { planogramOf } from '../../analytics/planograms.ts';
import { saveShelfObservations, shelfObservationRows } from '../../analytics/shelf-observations.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { analyzeShelfPhoto, type VisionModels } from '../../vision/analyze.ts';
import { UnreadableImageError } from '../../vision/image.ts';
import { analyzeOffThread } from '../../vision/photo-threads.ts';
import type { ShelfAnalysis } from '../../contracts/shelf-analysis.ts';
import type { EventLog, Subscription } from '../log/event-log.ts';
import type { EventPublisher } from '../event-publisher.ts';
import { photoAnalysis } from '../metrics.ts';
import type { PhotoStore } from '../photo-store.ts';
import { PhotoRecord } from '../../contracts/records.ts';
import { recordCheck } from '../validate.ts';
import { deadLetterFor } from '../dead-letters.ts';
import { VISION_GROUP } from '../log/topics.ts';

const checkPhoto = recordCheck(PhotoRecord);

export interface PhotoResultDeps {
  warehouse: Warehouse;
  store: PhotoStore;
  /** Competitor prices read from tags are published as competitor-price events (source "photo"). */
  publisher?: EventPublisher | undefined;
}

/** A competitor's price read off a tag feeds the price-gap alerts like any other competitor price observation. */
async function publishCompetitorPrices(publisher: EventPublisher | undefined, photo: PhotoRecord, analysis: ShelfAnalysis) {
  const competitors = new Set(analysis.detections.filter((d) => d.is_competitor).map((d) => d.sku));
  const rows = analysis.prices
    .filter((p) => p.sku !== null && competitors.has(p.sku))
    // The event id names the photo and the SKU, so that re-uploading the same photo never counts twice.
    .map((p) => ({ event_id: `photo-${photo.photo_id.slice(0, 32)}-${p.sku}`, store_id: photo.store_id, sku: p.sku!, ts: photo.taken_at, price: p.price, source: 'photo' as const }));
  if (publisher && rows.length > 0) await publisher.publish('competitor-prices', rows);
}

/**
 * Stores what is known of a photo: its files when given (the original and the derivative, in the photo store), once
 * analysed its shelf observations and the competitor prices read off its tags, and then its row (status, reasons,
 * the analysis as JSON). The writes before the row go side by side; the row comes last so that a photo whose row
 * is stored has all of it: the vision worker and the demo skip such photos. The one path for the upload, the vision
 * worker and the demo; repeating it stores the same rows again (the tables keep the newest per key, event ids repeat).
 */
export async function recordPhotoAnalysis(
  deps: PhotoResultDeps,
  photo: PhotoRecord,
  analysis: ShelfAnalysis,
  files?: { original: Buffer; derivative: Buffer },
): Promise<void> {
  const { lat, lon, bay, ...identity } = photo;
  const analysed = analysis.status === 'analyzed';
  await Promise.all([
    files && deps.store.put(photo.photo_id, files.original, files.derivative),
    analysed && saveShelfObservations(deps.warehouse, shelfObservationRows(identity, analysis)),
    analysed && publishCompetitorPrices(deps.publisher, photo, analysis),
  ]);
  await savePhoto(deps.warehouse, {
    ...identity,
    bay: bay ?? '',
    status: analysis.status,
    retake: analysis.retake.map((r) => r.code),
    width: analysis.width,
    height: analysis.height,
    lat,
    lon,
    analysis: JSON.stringify(analysis),
  });
}

/** The planogram stored for the bay a photo names (none when it names no bay or the bay has none). */
export async function bayPlanogram(warehouse: Warehouse, photo: Pick<PhotoRecord, 'store_id' | 'bay'>): Promise<string[][] | undefined> {
  return photo.bay ? planogramOf(warehouse, photo.store_id, photo.bay) : undefined;
}

/**
 * Decodes and analyses one photo, timing it by outcome; unreadable photos throw UnreadableImageError. With the
 * configured models (the default) or the gate only (`null`) it runs on the analysis thread; models handed in
 * (tests, tools) run here. With its bay's planogram, the analysis includes the bay's compliance.
 */
export async function analyzePhotoTimed(bytes: Buffer, models?: VisionModels | null, planogram?: string[][]) {
  const timer = photoAnalysis.startTimer();
  try {
    const result = models
      ? await analyzeShelfPhoto(bytes, { models, planogram })
      : await analyzeOffThread(bytes, { gateOnly: models === null, planogram });
    timer({ outcome: result.analysis.status });
    return result;
  } catch (err) {
    timer({ outcome: 'refused' });
    throw err;
  }
}

/**
 * The vision worker (distributed shape): ingest stores the original and publishes a photo record to `photos`;
 * this worker reads the original back from the shared photo store, analyses it and records the result, so that
 * GET /v1/photos/:id goes from `pending` to `analyzed` (or `retake`). A record delivered again after its photo was
 * analysed is skipped; one that cannot be analysed goes to dead-letter with the reason.
 */
export async function startVisionWorker(
  log: EventLog,
  deps: PhotoResultDeps,
  logger: Logger,
  options: { models?: VisionModels | null } = {},
): Promise<Subscription> {
  return log.subscribe(
    VISION_GROUP,
    ['photos'],
    async (_topic, records) => {
      const deadLetters = [];
      for (const record of records) {
        const checked = checkPhoto(record.value);
        if (!checked.ok) {
          deadLetters.push(deadLetterFor(record, checked.error));
          continue;
        }
        const photo = checked.value;
        const stored = await photoById(deps.warehouse, photo.photo_id);
        if (stored && stored.status !== 'pending') continue;
        const original = await deps.store.original(photo.photo_id);
        if (!original) {
          deadLetters.push(deadLetterFor(record, `photo ${photo.photo_id} is not in the photo store`));
          continue;
        }
        try {
          const { analysis } = await analyzePhotoTimed(original, options.models, await bayPlanogram(deps.warehouse, photo));
          await recordPhotoAnalysis(deps, photo, analysis);
          logger.debug({ photo_id: photo.photo_id, status: analysis.status, ms: analysis.timings_ms.total }, 'photo analysed');
        } catch (err) {
          if (!(err instanceof UnreadableImageError)) throw err; // e.g. the warehouse is down: the batch comes again
          deadLetters.push(deadLetterFor(record, err.message));
        }
      }
      if (deadLetters.length > 0) {
        await log.publish('dead-letter', deadLetters.map((d) => ({ key: d.topic, value: d })));
        logger.warn({ count: deadLetters.length, first: deadLetters[0]!.reason }, 'photos sent to dead-letter');
      }
    },
    // A photo takes about a second: small batches keep the committed offset close behind the work.
    { maxBatch: 4 },
  );
}
