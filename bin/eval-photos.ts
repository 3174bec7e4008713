/**
 * `shelfpulse eval-photos DIR`: the shelf analysis, as the product runs it, on a folder of labelled photos, scored
 * into a model card. Reads the folder; the scoring is vision/evaluation.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { analyzeShelfPhoto, loadVisionModels, type VisionModels } from '../vision/analyze.ts';
import type { RecognitionCatalogue } from '../vision/catalogue.ts';
import type { Corners } from '../vision/detector.ts';
import { modelCard, toCorners, type ModelCard, type PhotoOutcome } from '../vision/evaluation.ts';
import { decodePhoto } from '../vision/image.ts';
import { embedCrop } from '../vision/recognize.ts';
import { parsePrice } from '../vision/prices.ts';
import { LabelFormatError, parseCocoLabels, parseYoloClassNames, parseYoloLabels, type LabelledPhoto } from '../vision/labels.ts';
import { DEFAULT_MIN_SCORE, DEFAULT_MODEL_DIR, type PackTextPolicy } from '../vision/settings.ts';

const IMAGE = /\.(jpe?g|png|webp)$/i;

/** The labels in DIR: a COCO JSON file (or the one given), else YOLO txt files with classes.txt or data.yaml. */
export async function readLabelledPhotos(dir: string, labelsFile?: string): Promise<{ photos: LabelledPhoto[]; imageDir: string }> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new LabelFormatError(`${dir} is not a folder of photos`);
  const coco =
    labelsFile ??
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => path.join(dir, f))
      .find((f) => /"annotations"/.test(fs.readFileSync(f, 'utf8')));
  if (coco) return { photos: parseCocoLabels(fs.readFileSync(coco, 'utf8')), imageDir: dir };

  // YOLO: images in DIR or DIR/images, one txt a photo beside it or in DIR/labels.
  const imageDir = fs.existsSync(path.join(dir, 'images')) ? path.join(dir, 'images') : dir;
  const labelDir = fs.existsSync(path.join(dir, 'labels')) ? path.join(dir, 'labels') : imageDir;
  const namesFile = ['classes.txt', 'data.yaml', 'dataset.yaml'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!namesFile) throw new LabelFormatError(`${dir} has no labels: put a COCO JSON file in it, or YOLO txt files with classes.txt or data.yaml`);
  const classNames = parseYoloClassNames(fs.readFileSync(namesFile, 'utf8'), namesFile.endsWith('.txt') ? 'txt' : 'yaml');
  const photos: LabelledPhoto[] = [];
  for (const fileName of fs
    .readdirSync(imageDir)
    .filter((f) => IMAGE.test(f))
    .sort()) {
    const txt = path.join(labelDir, fileName.replace(IMAGE, '.txt'));
    if (!fs.existsSync(txt)) continue;
    // The labels are fractions of the upright photo, as labelling tools show it.
    const meta = await sharp(path.join(imageDir, fileName)).metadata();
    const turned = (meta.orientation ?? 1) >= 5;
    const width = turned ? meta.height! : meta.width!;
    const height = turned ? meta.width! : meta.height!;
    photos.push(parseYoloLabels(fs.readFileSync(txt, 'utf8'), classNames, { fileName, width, height }));
  }
  return { photos, imageDir };
}

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
async function recognisedOnLabelledBoxes(models: VisionModels, photo: Buffer, truth: LabelledPhoto): Promise<{ brand: string; sku: string }[]> {
  const { rgb } = await decodePhoto(photo);
  const k = rgb.width / truth.width;
  const boxes = truth.boxes.filter((b) => b.label === 'product').map((b): Corners => toCorners(b.bbox).map((v) => v * k) as Corners);
  const lines = models.recognizer.hasWords ? await models.packText.read(rgb, boxes) : boxes.map(() => []);
  const looks = boxes.map((box) => embedCrop(rgb, box));
  return models.recognizer
    .decidePhoto(
      looks,
      looks.map((look) => models.recognizer.appearance(look)),
      lines,
    )
    .map(({ brand, sku }) => ({ brand, sku }));
}

/** The price read on each labelled price tag box, as the analysis reads a detected tag: reading measured apart from detection. */
async function pricesOnLabelledBoxes(models: VisionModels, photo: Buffer, truth: LabelledPhoto): Promise<(number | null)[]> {
  const { rgb } = await decodePhoto(photo);
  const k = rgb.width / truth.width;
  const boxes = truth.boxes.filter((b) => b.label === 'price_tag').map((b): Corners => toCorners(b.bbox).map((v) => v * k) as Corners);
  const texts = await models.prices.readTexts(rgb, boxes);
  return texts.map((t) => parsePrice(t.text, t)?.price ?? null);
}

/** Runs the analysis on every labelled photo and scores it. */
export async function evaluatePhotoDir(dir: string, options: EvalPhotosOptions = {}): Promise<{ card: ModelCard; detector: string; minScore: number }> {
  const { photos, imageDir } = await readLabelledPhotos(dir, options.labels);
  if (photos.length === 0) throw new LabelFormatError(`${dir} has no photo with labels`);
  const models = await loadVisionModels({ modelDir: options.modelDir ?? DEFAULT_MODEL_DIR, intraOpNumThreads: 2, catalogue: options.catalogue });
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE;
  const outcomes: PhotoOutcome[] = [];
  for (const photo of photos) {
    const file = [path.join(imageDir, photo.fileName), path.join(imageDir, path.basename(photo.fileName))].find((f) => fs.existsSync(f));
    if (!file) throw new LabelFormatError(`the labels name ${photo.fileName}, which is not in ${imageDir}`);
    const t0 = performance.now();
    const bytes = fs.readFileSync(file);
    const { analysis } = await analyzeShelfPhoto(bytes, { models, minScore, packText: options.packText });
    const latencyMs = performance.now() - t0;
    // The analysis answers in the stored image's pixels (large photos are downscaled); the labels are the photo's.
    const k = photo.width / analysis.image_width;
    const scaled = (b: [number, number, number, number]) => toCorners([b[0] * k, b[1] * k, b[2] * k, b[3] * k]);
    outcomes.push({
      fileName: photo.fileName,
      truth: photo.boxes,
      packs: analysis.detections.map((d) => ({ box: scaled(d.bbox), score: d.score, brand: d.brand, sku: d.sku })),
      // The answer holds the tags it could read, without a score: they rank equal.
      priceTags: analysis.prices.map((p) => ({ box: scaled(p.bbox), score: 1, price: p.price })),
      gaps: analysis.gaps.map((g) => scaled(g.bbox)),
      latencyMs,
      ...(models.recognizer.hasWords || models.recognizer.hasReferences
        ? { recognisedOnLabelledBoxes: await recognisedOnLabelledBoxes(models, bytes, photo) }
        : {}),
      pricesOnLabelledBoxes: await pricesOnLabelledBoxes(models, bytes, photo),
    });
  }
  return { card: modelCard(outcomes), detector: models.detector.manifest.name, minScore };
}
