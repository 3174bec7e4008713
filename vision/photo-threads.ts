import { Piscina } from 'piscina';
import { analyzeShelfPhoto, bundledModels, setBundledCatalogue, type AnalyzedPhoto } from './analyze.ts';
import type { RecognitionCatalogue } from './catalogue.ts';
import { UnreadableImageError } from './image.ts';
import { defaultVisionSettings, type VisionSettings } from './settings.ts';

/**
 * Photo analysis off the event loop. onnxruntime-node runs a model on the calling thread (the price-tag OCR holds
 * it for most of a second), so in the one-process shape every photo would stall ingest and the dashboards.
 * One worker thread keeps its own copy of the models; photos queue behind it up to a bound.
 */
interface Task {
  bytes: Uint8Array;
  /** The quality gate only (a vision worker elsewhere analyses the photo). */
  gateOnly: boolean;
  /** The bay's planogram (SKUs per row, top row first), when one is stored for it. */
  planogram?: string[][] | undefined;
  /** A new recognition catalogue, applied before this photo (sent once after each setRecognitionCatalogue). */
  catalogue?: RecognitionCatalogue | undefined;
}

type TaskResult =
  | { ok: true; analysis: AnalyzedPhoto['analysis']; derivative: Uint8Array }
  | { ok: false; reason: UnreadableImageError['reason']; message: string };

/**
 * Runs in the worker thread, with the settings the pool was started with (its workerData). An unreadable photo is an
 * answer, not a failure: its reason crosses back as data.
 */
export async function analyzeTask({ bytes, gateOnly, planogram, catalogue }: Task, settings: VisionSettings): Promise<TaskResult> {
  // Buffers cross the thread boundary as plain Uint8Arrays.
  if (catalogue)
    await setBundledCatalogue({
      products: catalogue.products.map((p) => ({ ...p, references: p.references.map((r) => ({ ...r, image: Buffer.from(r.image) })) })),
    });
  try {
    const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const models = gateOnly ? null : await bundledModels(settings);
    const { analysis, derivative } = await analyzeShelfPhoto(input, { models, planogram, minScore: settings.minScore, packText: settings.packText });
    return { ok: true, analysis, derivative };
  } catch (err) {
    if (err instanceof UnreadableImageError) return { ok: false, reason: err.reason, message: err.message };
    throw err;
  }
}

/** Photos waiting for the thread beyond this are refused (the route answers 503 with Retry-After). */
export const MAX_QUEUED_PHOTOS = 32;

export class PhotoQueueFullError extends Error {
  override name = 'PhotoQueueFullError';
}

let pool: Piscina | undefined;
/** Config.vision, handed in by configurePhotoThreads; the unconfigured defaults until then (tests, tools). */
let settings = defaultVisionSettings();
let catalogue: { version: number; value: RecognitionCatalogue } | undefined;
/** The catalogue version the analysis thread has been sent. */
let sentVersion = 0;

/**
 * The products the analysis thread recognises (the product master with its reference images); none until set. It
 * travels with the next photo, and the thread keeps it for the photos after.
 */
export function setRecognitionCatalogue(value: RecognitionCatalogue): void {
  catalogue = { version: (catalogue?.version ?? 0) + 1, value };
}

/** The configured vision settings (Config.vision) for the analysis thread; a running thread keeps its own until closePhotoThreads. */
export function configurePhotoThreads(value: VisionSettings): void {
  settings = value;
}

/** Decodes, gates and (unless `gateOnly`) analyses a photo on the analysis thread, against its bay's planogram if given. */
export async function analyzeOffThread(bytes: Buffer, options: { gateOnly?: boolean; planogram?: string[][] | undefined } = {}): Promise<AnalyzedPhoto> {
  pool ??= new Piscina({
    filename: new URL('./photo-thread.mjs', import.meta.url).href,
    minThreads: 1,
    maxThreads: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    workerData: settings,
  });
  if (pool.queueSize >= MAX_QUEUED_PHOTOS) throw new PhotoQueueFullError(`${pool.queueSize} photos are waiting for analysis`);
  const update = catalogue && catalogue.version !== sentVersion ? catalogue : undefined;
  if (update) sentVersion = update.version;
  const result = (await pool.run({
    bytes,
    gateOnly: options.gateOnly ?? false,
    planogram: options.planogram,
    catalogue: update?.value,
  } satisfies Task)) as TaskResult;
  if (!result.ok) throw new UnreadableImageError(result.reason, result.message);
  return { analysis: result.analysis, derivative: Buffer.from(result.derivative.buffer, result.derivative.byteOffset, result.derivative.byteLength) };
}

/** Stops the analysis thread (at shutdown, after the in-flight photos). */
export async function closePhotoThreads(): Promise<void> {
  const closing = pool;
  pool = undefined;
  sentVersion = 0;
  await closing?.close();
}
