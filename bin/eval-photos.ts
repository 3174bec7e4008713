/**
 * `shelfpulse eval-photos DIR`: the shelf analysis, as the product runs it, on a folder of labelled photos, scored
 * into a model card. Reads the folder; the scoring is vision/evaluation.ts.
 */
import fs from 'node:fs';
import { analyzeShelfPhoto, loadVisionModels, readPackText, type VisionModels } from '../vision/analyze.ts';
import type { RecognitionCatalogue } from '../vision/catalogue.ts';
import type { Corners } from '../vision/detector.ts';
import { modelCard, toCorners, type ModelCard, type PhotoOutcome } from '../vision/evaluation.ts';
import { decodePhoto, type DecodedPhoto } from '../vision/image.ts';
import { parsePrice } from '../vision/prices.ts';
import { checkLabelledShape, LabelFormatError, type LabelledPhoto } from '../vision/labels.ts';
import { photoFile, readLabelledPhotos } from '../vision/labelled-photos.ts';
import { DEFAULT_MIN_SCORE, DEFAULT_MODEL_DIR, type PackTextPolicy } from '../vision/settings.ts';

export interface EvalPhotosOptions {
  labels?: string;
  /** Config.vision's, or a --min-score given; 0.6 by default. */
  minScore?: number;
  /** Config.vision's; the bundled detector by default. */
  modelDir?: string;
  /** The products to recognise (none: every pack unknown, brand figures empty). */
  catalogue?: RecognitionCatalogue;
  /** Which packs' text is read (Config.vision's; `unsure` by default). */
  packText?: PackTextPolicy;
}

/**
 * The brand and SKU recognition gives each labelled pack box, read on that box (text batched as the analysis reads
 * it, look where there are references): how recognition does with detection taken out.
 */
async function recognisedOnLabelledBoxes(
  models: VisionModels,
  { rgb, closeUp }: DecodedPhoto,
  truth: LabelledPhoto,
): Promise<{ brand: string; sku: string }[]> {
  const k = rgb.width / truth.width;
  const boxes = truth.boxes.filter((b) => b.label === 'product').map((b): Corners => toCorners(b.bbox).map((v) => v * k) as Corners);
  const { looks, matches } = await models.recognizer.matchPacks(rgb, boxes);
  const { lines } = await readPackText(models, { image: rgb, closeUp }, boxes, looks, models.recognizer.hasWords ? boxes.map((_, k) => k) : []);
  return models.recognizer.decidePhoto(looks, matches, lines).map(({ brand, sku }) => ({ brand, sku }));
}

/** The price read on each labelled price tag box, as the analysis reads a detected tag: reading measured apart from detection. */
async function pricesOnLabelledBoxes(models: VisionModels, { rgb }: DecodedPhoto, truth: LabelledPhoto): Promise<(number | null)[]> {
  const k = rgb.width / truth.width;
  const boxes = truth.boxes.filter((b) => b.label === 'price_tag').map((b): Corners => toCorners(b.bbox).map((v) => v * k) as Corners);
  const texts = await models.prices.readTexts(rgb, boxes);
  return texts.map((t) => parsePrice(t.text, t)?.price ?? null);
}

/** Runs the analysis on every labelled photo of DIR and scores it. */
export async function evaluatePhotoDir(dir: string, options: EvalPhotosOptions = {}): Promise<{ card: ModelCard; detector: string; minScore: number }> {
  const { photos, imageDir } = await readLabelledPhotos(dir, options.labels);
  return evaluatePhotos(photos, imageDir, options);
}

/** Runs the analysis on each of these labelled photos (in imageDir) and scores it. */
export async function evaluatePhotos(
  photos: readonly LabelledPhoto[],
  imageDir: string,
  options: Omit<EvalPhotosOptions, 'labels'> = {},
): Promise<{ card: ModelCard; detector: string; minScore: number }> {
  if (photos.length === 0) throw new LabelFormatError(`${imageDir} has no photo with labels`);
  const models = await loadVisionModels({ modelDir: options.modelDir ?? DEFAULT_MODEL_DIR, intraOpNumThreads: 2, catalogue: options.catalogue });
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE;
  const outcomes: PhotoOutcome[] = [];
  for (const photo of photos) {
    const t0 = performance.now();
    const bytes = fs.readFileSync(photoFile(imageDir, photo));
    const { analysis } = await analyzeShelfPhoto(bytes, { models, minScore, packText: options.packText });
    const latencyMs = performance.now() - t0;
    checkLabelledShape(photo, analysis.image_width, analysis.image_height);
    // The analysis answers in the stored image's pixels (large photos are downscaled); the labels are the photo's.
    const k = photo.width / analysis.image_width;
    const scaled = (b: [number, number, number, number]) => toCorners([b[0] * k, b[1] * k, b[2] * k, b[3] * k]);
    // Decoded once for both passes on the labelled boxes.
    const decoded = await decodePhoto(bytes);
    outcomes.push({
      fileName: photo.fileName,
      truth: photo.boxes,
      packs: analysis.detections.map((d) => ({ box: scaled(d.bbox), score: d.score, brand: d.brand, sku: d.sku })),
      // The answer holds the tags it could read, without a score: they rank equal.
      priceTags: analysis.prices.map((p) => ({ box: scaled(p.bbox), score: 1, price: p.price })),
      gaps: analysis.gaps.map((g) => scaled(g.bbox)),
      latencyMs,
      ...(models.recognizer.hasWords || models.recognizer.hasReferences
        ? { recognisedOnLabelledBoxes: await recognisedOnLabelledBoxes(models, decoded, photo) }
        : {}),
      pricesOnLabelledBoxes: await pricesOnLabelledBoxes(models, decoded, photo),
    });
  }
  const shotSkus = new Set(options.catalogue?.products.filter((p) => p.references.length > 0).map((p) => p.sku));
  return { card: modelCard(outcomes, shotSkus), detector: models.detector.manifest.name, minScore };
}
