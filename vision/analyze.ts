import fs from 'node:fs';
import path from 'node:path';
import { EMPTY_CATALOGUE, type RecognitionCatalogue } from './catalogue.ts';
import { Detector, type Corners, type RgbImage } from './detector.ts';
import { decodePhoto } from './image.ts';
import { PackTextReader } from './pack-reader.ts';
import { PriceReader, parsePrice } from './prices.ts';
import { DEFAULT_MIN_SCORE, DEFAULT_MODEL_DIR, type PackTextPolicy, type VisionSettings } from './settings.ts';
import { assessQuality, photoRollDeg, tiltReason } from './quality.ts';
import type { ReadLine } from './pack-text.ts';
import { PackRecognizer } from './recognize.ts';
import type { Bbox, ShelfAnalysis } from '../contracts/shelf-analysis.ts';
import { packBoxes } from './pack-boxes.ts';
import { assignRows, detectedGaps, facingsBySku, findGaps, planogramCompliance, shareOfShelf, type PlacedProduct } from './shelf.ts';
import { priceTagsToRead, showsCents } from './shelf-tags.ts';
import { textureMap } from './texture.ts';

export interface AnalyzedPhoto {
  analysis: ShelfAnalysis;
  /** The upright JPEG without metadata, to store and show. */
  derivative: Buffer;
}

export interface VisionModels {
  detector: Detector;
  /** The chain's products as recognition knows them; `recognizer.setCatalogue()` replaces them at run time. */
  recognizer: PackRecognizer;
  prices: PriceReader;
  packText: PackTextReader;
}

/** The models, recognising the products of `catalogue` (none by default: every pack `unknown`). */
export async function loadVisionModels(
  options: { modelDir?: string; intraOpNumThreads?: number; catalogue?: RecognitionCatalogue } = {},
): Promise<VisionModels> {
  const threads = { intraOpNumThreads: options.intraOpNumThreads };
  const [detector, recognizer, prices] = await Promise.all([
    Detector.load(options.modelDir ?? DEFAULT_MODEL_DIR, threads),
    PackRecognizer.create(options.catalogue ?? EMPTY_CATALOGUE),
    PriceReader.load(threads),
  ]);
  // Said once in the log at load, and in every answer's `warnings`.
  for (const warning of detector.warnings)
    process.emitWarning(`${detector.manifest.name}: ${warning.message}`, { code: `SHELFPULSE_${warning.code.toUpperCase()}` });
  return { detector, recognizer, prices, packText: await PackTextReader.load(prices, threads) };
}

let defaultModels: Promise<VisionModels | null> | undefined;
let defaultCatalogue: RecognitionCatalogue = EMPTY_CATALOGUE;

/** The catalogue the configured models (bundledModels) recognise, in this thread; applied at once if they are loaded. */
export async function setBundledCatalogue(catalogue: RecognitionCatalogue): Promise<void> {
  defaultCatalogue = catalogue;
  await (await defaultModels)?.recognizer.setCatalogue(catalogue);
}

/**
 * The configured models (a customer's export or the bundled models/shelf-detector), loaded once per thread with the
 * settings of the first call; null when the folder holds no model.onnx (photos then get the quality gate only).
 */
export function bundledModels({ modelDir, threads }: Pick<VisionSettings, 'modelDir' | 'threads'>): Promise<VisionModels | null> {
  defaultModels ??= fs.existsSync(path.join(modelDir, 'model.onnx'))
    ? loadVisionModels({ modelDir, intraOpNumThreads: threads, catalogue: defaultCatalogue })
    : Promise.resolve(null);
  return defaultModels;
}

export interface AnalyzeOptions {
  /** The models (bundledModels for the configured ones), or null for the quality gate only. */
  models: VisionModels | null;
  /** The bay's expected SKUs per row (one entry per facing, top row first); enables planogram compliance. */
  planogram?: string[][];
  /** Tiles per side for very dense high-resolution bays (see Detector.detect). */
  tiles?: number;
  /** Detector score below which a box is dropped (default 0.6). */
  minScore?: number;
  /** Which packs' text is read (default `unsure`: those whose look alone does not decide). */
  packText?: PackTextPolicy;
}

const toBbox = (c: Corners): Bbox => [Math.round(c[0]), Math.round(c[1]), Math.round(c[2] - c[0]), Math.round(c[3] - c[1])];

/** The pack a price tag belongs to: in the row just above the tag, the pack over the tag's left part. */
function facingAbove(tag: Corners, products: PlacedProduct[]): PlacedProduct | undefined {
  const tagHeight = tag[3] - tag[1];
  const above = products.filter((p) => p.box[3] <= tag[1] + tagHeight && p.box[3] >= tag[1] - tagHeight * 4);
  const probe = tag[0] + Math.min(tag[2] - tag[0], (tag[2] - tag[0]) * 0.25 + 4);
  let best: PlacedProduct | undefined;
  let bestDistance = Infinity;
  for (const p of above) {
    const distance = probe < p.box[0] ? p.box[0] - probe : probe > p.box[2] ? probe - p.box[2] : 0;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = p;
    }
  }
  return best && bestDistance < (best.box[2] - best.box[0]) * 0.5 ? best : undefined;
}

/** The analysed image (boxes are in its pixels) and the same photo up close (DecodedPhoto.closeUp). */
export interface PhotoPixels {
  image: RgbImage;
  closeUp: RgbImage;
}

/**
 * The text of the packs `toRead` (indices into boxes; the others get no lines): read, then those worth it
 * (PackRecognizer.closerReads) read again up close, from `closeUp` (the photo at up to twice `image`'s size, as
 * decoded: a logo on a small pack has pixels there that `image` lost), their lines added where they name the brand.
 */
export async function readPackText(
  models: Pick<VisionModels, 'packText' | 'recognizer'>,
  { image, closeUp }: PhotoPixels,
  boxes: readonly Corners[],
  looks: readonly Float32Array[],
  toRead: readonly number[],
): Promise<{ lines: ReadLine[][]; runMs: number }> {
  const lines = boxes.map((): ReadLine[] => []);
  if (toRead.length === 0) return { lines, runMs: 0 };
  const first = await models.packText.read(
    image,
    toRead.map((k) => boxes[k]!),
  );
  toRead.forEach((k, n) => (lines[k] = first[n]!));
  let runMs = models.packText.lastRunMs;
  const closer = models.recognizer.closerReads(toRead, lines, looks, boxes);
  if (closer.length > 0) {
    const zoom = closeUp.width / image.width;
    const again = await models.packText.read(
      closeUp,
      closer.map((k) => boxes[k]!.map((v) => v * zoom) as Corners),
      { close: true },
    );
    // Kept only where they name the brand: small print read up close is otherwise noise (a number in it would gainsay the look).
    closer.forEach((k, n) => {
      // Heights in `image` pixels, as the first read's: a pack's headline is its tallest lines.
      const close = again[n]!.map((line) => ({ ...line, height: line.height && line.height / zoom }));
      const both = [...lines[k]!, ...close];
      if (!models.recognizer.textUnsure(both)) lines[k] = both;
    });
    runMs += models.packText.lastRunMs;
  }
  return { lines, runMs };
}

/**
 * Detection and SKU matching: the packs placed in rows, and every detection (the price tags among them).
 * `afterDetection` is called once the detector has run.
 */
async function locateShelf(
  { image, closeUp }: PhotoPixels,
  models: VisionModels,
  options: AnalyzeOptions,
  timings: Record<string, number>,
  afterDetection: () => void,
) {
  const t0 = performance.now();
  // The texture map (sharp, on its own thread) is made while the detector runs.
  const texturing = textureMap(image);
  texturing.catch(() => {});
  const found = await models.detector.detect(image, { tiles: options.tiles, minScore: options.minScore ?? DEFAULT_MIN_SCORE });
  const t1 = performance.now();
  timings.detector_run = Math.round(models.detector.lastRunMs);
  timings.detect = Math.round(t1 - t0);
  afterDetection();
  const { roles } = models.detector;
  const texture = await texturing;
  const packs = packBoxes(
    found.filter((d) => roles.product.includes(d.cls)),
    texture,
  );
  const t2 = performance.now();
  timings.pack_boxes = Math.round(t2 - t1);
  const { looks, matches } = await models.recognizer.matchPacks(
    image,
    packs.map((d) => d.box),
  );
  const t3 = performance.now();
  timings.recognize = Math.round(t3 - t2);
  const policy = options.packText ?? 'unsure';
  const toRead =
    models.recognizer.hasWords && policy !== 'off'
      ? packs.flatMap((_, k) => (policy === 'all' || !models.recognizer.sureByAppearance(matches[k]!) ? [k] : []))
      : [];
  const { lines, runMs } = await readPackText(
    models,
    { image, closeUp },
    packs.map((d) => d.box),
    looks,
    toRead,
  );
  if (toRead.length > 0) timings.pack_text_run = Math.round(runMs);
  timings.pack_text = Math.round(performance.now() - t3);
  const recognised = models.recognizer.decidePhoto(looks, matches, lines).map((r, k) => ({ box: packs[k]!.box, score: packs[k]!.score, ...r }));
  return { found, placed: assignRows(recognised), texture };
}

/** Decodes a shelf photo, runs the quality gate and, when it passes, the shelf analysis. */
export async function analyzeShelfPhoto(input: Buffer, options: AnalyzeOptions): Promise<AnalyzedPhoto> {
  const t0 = performance.now();
  const photo = await decodePhoto(input);
  const t1 = performance.now();
  const timings: Record<string, number> = { decode: Math.round(t1 - t0) };
  const { models } = options;
  const image: RgbImage = photo.rgb;
  // sharp's jobs that nothing waits for yet (the quality gate's grey image, the stored JPEG: ~30 ms of CPU) start
  // once the detector has run: begun with the decode, on two cores they slowed the detector's letterbox and the
  // texture map beside it, while the one-box-per-pack and look steps after the detector run JS on one core and leave
  // the other free for them. A photo the gate sends back waits for the detection and drops its results.
  const besideThePacks = () => {
    photo.grey();
    photo.derivative();
  };
  const locating = models ? locateShelf({ image, closeUp: photo.closeUp }, models, options, timings, besideThePacks) : undefined;
  locating?.catch(() => {});
  if (!locating) besideThePacks();
  const grey = await photo.grey();
  const { retake, width, height, ...quality } = assessQuality(grey, photo);
  // Read here, while the detector runs, and only for a photo that goes on to be analysed (tiltReason below).
  const roll = retake.length === 0 && locating ? photoRollDeg(grey) : null;
  timings.quality = Math.round(performance.now() - t1);
  const analysis: ShelfAnalysis = {
    status: retake.length > 0 ? 'retake' : 'analyzed',
    retake,
    width,
    height,
    format: photo.format,
    quality,
    detector: null,
    image_width: photo.rgb.width,
    image_height: photo.rgb.height,
    detections: [],
    facings: [],
    share_of_shelf: [],
    gaps: [],
    prices: [],
    planogram: null,
    timings_ms: timings,
    warnings: [],
  };
  if (retake.length > 0 || !models || !locating) {
    await locating?.catch(() => {});
    return { derivative: await photo.derivative(), analysis };
  }

  const { found, placed, texture } = await locating;
  const t4 = performance.now();
  const { roles } = models.detector;
  const tags = found.filter((d) => roles.price_tag.includes(d.cls));
  analysis.warnings = models.detector.warnings;

  const tilt = tiltReason(placed, roll);
  if (tilt) {
    analysis.status = 'retake';
    analysis.retake = [...analysis.retake, tilt];
  }
  analysis.detector = models.detector.manifest.name;
  analysis.detections = placed
    .map((p) => ({
      bbox: toBbox(p.box),
      score: Number(p.score.toFixed(3)),
      sku: p.sku,
      brand: p.brand,
      is_competitor: p.is_competitor,
      row: p.row,
      confidence: p.confidence,
      recognized_by: p.recognized_by,
      text: p.text,
    }))
    .sort((a, b) => a.row - b.row || a.bbox[0] - b.bbox[0]);
  analysis.facings = facingsBySku(placed);
  analysis.share_of_shelf = shareOfShelf(placed);
  analysis.gaps = detectedGaps(
    placed,
    found.filter((d) => roles.gap.includes(d.cls)).map((d) => d.box),
    findGaps(
      placed,
      texture,
      tags.map((t) => t.box),
    ),
  );
  analysis.planogram = options.planogram ? planogramCompliance(placed, options.planogram) : null;

  if (roles.price_tag.length > 0) {
    // The detector's tags, and the real stores' labels it misses, found on the shelf-edge strips.
    const t5 = performance.now();
    const { detected, labels } = priceTagsToRead(
      grey,
      image,
      tags.map((t) => t.box),
    );
    const tagBoxes = [...detected, ...labels];
    timings.shelf_edge_tags = Math.round(performance.now() - t5);
    const texts = await models.prices.readTexts(image, tagBoxes);
    tagBoxes.forEach((box, i) => {
      const read = texts[i]!;
      const parsed = parsePrice(read.text, read);
      if (!parsed || (i >= detected.length && !showsCents(read))) return;
      analysis.prices.push({
        text: read.text,
        price: parsed.price,
        ...(parsed.member === undefined ? {} : { member_price: parsed.member }),
        promo: parsed.promo || read.yellow,
        bbox: toBbox(box),
        sku: facingAbove(box, placed)?.sku ?? null,
      });
    });
    analysis.prices.sort((a, b) => a.bbox[1] - b.bbox[1] || a.bbox[0] - b.bbox[0]);
    timings.prices_run = Math.round(models.prices.lastRunMs);
  }
  timings.prices = Math.round(performance.now() - t4);
  const derivative = await photo.derivative();
  timings.total = Math.round(performance.now() - t0);
  return { derivative, analysis };
}
