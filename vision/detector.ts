import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

/** x1, y1, x2, y2 in pixels. */
export type Corners = [number, number, number, number];

export interface Detection {
  box: Corners;
  score: number;
  /** Index into the model's labels. */
  cls: number;
}

/**
 * models/<name>/manifest.json: what a customer's own Ultralytics export needs to declare to be dropped in. Only
 * `labels` is always required; the rest has the defaults of `yolo export model=best.pt format=onnx`.
 */
export interface ModelManifest {
  /** Shown as the analysis' `detector`; defaults to the folder's name. */
  name: string;
  /** yolov8 (default): output [1, 4 + nc, N] (YOLOv8/YOLO11); yolov5: [1, N, 5 + nc]. Boxes cx, cy, w, h in input pixels. */
  layout: 'yolov8' | 'yolov5';
  /** The model's input size; read from model.onnx when the export has a fixed size (required for dynamic=True). */
  input?: { width: number; height: number };
  /** Class names in the model's class order. */
  labels: string[];
  /**
   * What a label other than product / price_tag / gap means in a model of several classes: `product` (e.g. bottle,
   * can, pack are all packs) or `ignore`. Required when such labels exist; a one-class model is products anyway.
   */
  other_labels?: 'product' | 'ignore';
  licence?: string;
  training?: unknown;
  metrics?: unknown;
}

/** Which of the model's classes are packs, price tags and empty facings. */
export interface ClassRoles {
  product: number[];
  price_tag: number[];
  gap: number[];
}

/** Something the analysis cannot do with this model, said in every answer rather than left out silently. */
export interface ModelWarning {
  code: 'price_reading_off';
  message: string;
}

export class ModelError extends Error {
  override name = 'ModelError';
}

const ROLE_LABELS = ['product', 'price_tag', 'gap'] as const;

/** Reads and checks a manifest (its folder's name is the default model name). */
export function readManifest(modelDir: string): ModelManifest {
  const file = path.join(modelDir, 'manifest.json');
  if (!fs.existsSync(file))
    throw new ModelError(`${file} is missing: a model folder needs model.onnx and manifest.json (at least {"labels": [...]} in the model's class order)`);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ModelManifest>;
  const manifest: ModelManifest = { ...raw, name: raw.name ?? path.basename(path.resolve(modelDir)), layout: raw.layout ?? 'yolov8', labels: raw.labels! };
  if (manifest.layout !== 'yolov8' && manifest.layout !== 'yolov5')
    throw new ModelError(`${file}: layout must be "yolov8" (YOLOv8/YOLO11 export, the default) or "yolov5"`);
  if (!Array.isArray(manifest.labels) || manifest.labels.length === 0 || !manifest.labels.every((l) => typeof l === 'string'))
    throw new ModelError(`${file}: labels must list the class names in the model's class order, e.g. ["object"] for a SKU-110K model`);
  if (manifest.input && !(manifest.input.width > 0 && manifest.input.height > 0))
    throw new ModelError(`${file}: input must be {"width": W, "height": H} in pixels, as exported (imgsz)`);
  if (manifest.other_labels !== undefined && manifest.other_labels !== 'product' && manifest.other_labels !== 'ignore')
    throw new ModelError(`${file}: other_labels must be "product" or "ignore"`);
  classRoles(manifest, file);
  return manifest;
}

/**
 * A one-class model finds packs whatever its label (SKU-110K models call it `object`). A model of several classes
 * maps product, price_tag and gap by name; its other labels are packs or ignored as the manifest says, and a
 * manifest that does not say is refused rather than read as "no packs".
 */
export function classRoles(manifest: Pick<ModelManifest, 'labels' | 'other_labels'>, source = 'manifest.json'): ClassRoles {
  const roles: ClassRoles = { product: [], price_tag: [], gap: [] };
  if (manifest.labels.length === 1 && manifest.labels[0] !== 'price_tag' && manifest.labels[0] !== 'gap') return { ...roles, product: [0] };
  const others = manifest.labels.filter((l) => !(ROLE_LABELS as readonly string[]).includes(l));
  if (others.length > 0 && manifest.other_labels === undefined)
    throw new ModelError(
      `${source}: labels ${others.join(', ')} are not product, price_tag or gap: add "other_labels": "product" (they are packs) or "other_labels": "ignore"`,
    );
  manifest.labels.forEach((label, c) => {
    if ((ROLE_LABELS as readonly string[]).includes(label)) roles[label as keyof ClassRoles].push(c);
    else if (manifest.other_labels === 'product') roles.product.push(c);
  });
  if (roles.product.length === 0) throw new ModelError(`${source}: no label finds packs: name one "product" or set "other_labels": "product"`);
  return roles;
}

/** What the analysis will say it cannot do with these classes. */
export function modelWarnings(roles: ClassRoles): ModelWarning[] {
  return roles.price_tag.length === 0
    ? [
        {
          code: 'price_reading_off',
          message: 'The detector has no price_tag class, so price tags are not read: prices stay empty and gaps rely on the shelf alone.',
        },
      ]
    : [];
}

/** YOLOv8/YOLO11 head: [1, 4 + nc, N], channel-major. */
export function decodeYolov8(data: Float32Array, dims: readonly number[], minScore: number): Detection[] {
  const [, channels, n] = dims as [number, number, number];
  const nc = channels - 4;
  const out: Detection[] = [];
  for (let i = 0; i < n; i++) {
    let best = -1;
    let score = minScore;
    for (let c = 0; c < nc; c++) {
      const s = data[(4 + c) * n + i]!;
      if (s >= score) {
        score = s;
        best = c;
      }
    }
    if (best < 0) continue;
    const cx = data[i]!;
    const cy = data[n + i]!;
    const w = data[2 * n + i]!;
    const h = data[3 * n + i]!;
    out.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, cls: best });
  }
  return out;
}

/** YOLOv5 head: [1, N, 5 + nc], row-major, objectness × class score. */
export function decodeYolov5(data: Float32Array, dims: readonly number[], minScore: number): Detection[] {
  const [, n, width] = dims as [number, number, number];
  const nc = width - 5;
  const out: Detection[] = [];
  for (let i = 0; i < n; i++) {
    const row = i * width;
    const objectness = data[row + 4]!;
    if (objectness < minScore) continue;
    let best = -1;
    let score = minScore;
    for (let c = 0; c < nc; c++) {
      const s = objectness * data[row + 5 + c]!;
      if (s >= score) {
        score = s;
        best = c;
      }
    }
    if (best < 0) continue;
    const [cx, cy, w, h] = [data[row]!, data[row + 1]!, data[row + 2]!, data[row + 3]!];
    out.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, cls: best });
  }
  return out;
}

export function iou(a: Corners, b: Corners): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

/** Greedy per-class non-maximum suppression, highest score first. */
export function nms(detections: Detection[], iouThreshold: number): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.every((k) => k.cls !== d.cls || iou(k.box, d.box) < iouThreshold)) kept.push(d);
  }
  return kept;
}

/** An RGB image in memory (HWC, 3 channels). */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

export interface Letterbox {
  tensor: Float32Array;
  scale: number;
  padX: number;
  padY: number;
}

/** Resizes keeping the aspect ratio and pads with grey to the model input (as Ultralytics does), NCHW 0..1. */
export async function letterbox(image: RgbImage, inputW: number, inputH: number): Promise<Letterbox> {
  const scale = Math.min(inputW / image.width, inputH / image.height);
  const w = Math.max(1, Math.round(image.width * scale));
  const h = Math.max(1, Math.round(image.height * scale));
  const padX = Math.floor((inputW - w) / 2);
  const padY = Math.floor((inputH - h) / 2);
  const resized = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(w, h, { fit: 'fill' })
    .extend({ top: padY, bottom: inputH - h - padY, left: padX, right: inputW - w - padX, background: { r: 114, g: 114, b: 114 } })
    .raw()
    .toBuffer();
  const plane = inputW * inputH;
  const tensor = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    tensor[i] = resized[i * 3]! / 255;
    tensor[plane + i] = resized[i * 3 + 1]! / 255;
    tensor[2 * plane + i] = resized[i * 3 + 2]! / 255;
  }
  return { tensor, scale, padX, padY };
}

/**
 * The input size (from model.onnx when fixed, else the manifest) after checking that the output's class count is the
 * manifest's: a wrong labels list would otherwise read every class as another.
 */
function checkModelShape(session: ort.InferenceSession, manifest: ModelManifest, modelDir: string): { width: number; height: number } {
  const where = path.join(modelDir, 'manifest.json');
  const inputShape = tensorShape(session.inputMetadata[0]);
  const [modelH, modelW] = [inputShape?.[2], inputShape?.[3]];
  const input = typeof modelW === 'number' && typeof modelH === 'number' && modelW > 0 && modelH > 0 ? { width: modelW, height: modelH } : manifest.input;
  if (!input) throw new ModelError(`${where}: the model's input size is dynamic; add "input": {"width": W, "height": H} (the imgsz it was exported with)`);
  const outputShape = tensorShape(session.outputMetadata[0]);
  const channels = manifest.layout === 'yolov8' ? outputShape?.[1] : outputShape?.[2];
  const extra = manifest.layout === 'yolov8' ? 4 : 5;
  if (typeof channels === 'number' && channels > 0 && channels !== extra + manifest.labels.length)
    throw new ModelError(
      `${where}: the model's output is [${outputShape!.join(', ')}], which in the ${manifest.layout} layout is ${channels - extra} classes, but labels lists ${manifest.labels.length}` +
        (manifest.layout === 'yolov8' && outputShape?.[2] === extra + manifest.labels.length ? ' (the output looks like "layout": "yolov5")' : ''),
    );
  return input;
}

const tensorShape = (meta: ort.InferenceSession.ValueMetadata | undefined): readonly (number | string)[] | undefined =>
  meta?.isTensor ? meta.shape : undefined;

export interface DetectOptions {
  minScore?: number;
  iouThreshold?: number;
  /**
   * Tiles per side for high-resolution dense shelves (1 = whole image only). With n > 1 the image is also cut into
   * n × n overlapping tiles, each run at the model's input size, and the detections are merged by NMS.
   */
  tiles?: number;
}

/**
 * The CPU session options of every vision model (the detector and the price OCR). Spinning is off: onnxruntime's
 * intra-op threads spin while they wait for work, which on two cores shared with ingest and the photo's own sharp
 * jobs cost the price OCR 47% more CPU and 1.7x the time (2 threads, load 6).
 */
export const cpuSessionOptions = (intraOpNumThreads = 1): ort.InferenceSession.SessionOptions => ({
  intraOpNumThreads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  extra: { session: { intra_op: { allow_spinning: '0' } } },
});

export interface DetectorOptions {
  /** Threads for one inference (onnxruntime intra-op); default 1, so that concurrent photos share the cores. */
  intraOpNumThreads?: number;
}

export class Detector {
  /** Milliseconds spent in session.run for the last detect() call. */
  lastRunMs = 0;

  readonly roles: ClassRoles;
  readonly warnings: ModelWarning[];

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly manifest: ModelManifest,
    readonly input: { width: number; height: number },
  ) {
    this.roles = classRoles(manifest);
    this.warnings = modelWarnings(this.roles);
  }

  static async load(modelDir: string, options: DetectorOptions = {}): Promise<Detector> {
    const manifest = readManifest(modelDir);
    const file = path.join(modelDir, 'model.onnx');
    if (!fs.existsSync(file)) throw new ModelError(`${file} is missing`);
    const session = await ort.InferenceSession.create(file, cpuSessionOptions(options.intraOpNumThreads));
    return new Detector(session, manifest, checkModelShape(session, manifest, modelDir));
  }

  /** Runs the model on one letterboxed view and maps boxes back to the image's pixels. */
  private async runView(image: RgbImage, minScore: number, offsetX = 0, offsetY = 0): Promise<Detection[]> {
    const { width, height } = this.input;
    const lb = await letterbox(image, width, height);
    const feeds = { [this.session.inputNames[0]!]: new ort.Tensor('float32', lb.tensor, [1, 3, height, width]) };
    const started = performance.now();
    const result = await this.session.run(feeds);
    this.lastRunMs += performance.now() - started;
    const output = result[this.session.outputNames[0]!]!;
    const raw =
      this.manifest.layout === 'yolov8'
        ? decodeYolov8(output.data as Float32Array, output.dims, minScore)
        : decodeYolov5(output.data as Float32Array, output.dims, minScore);
    return raw.map((d) => ({
      ...d,
      box: [
        Math.max(0, (d.box[0] - lb.padX) / lb.scale) + offsetX,
        Math.max(0, (d.box[1] - lb.padY) / lb.scale) + offsetY,
        Math.min(image.width, (d.box[2] - lb.padX) / lb.scale) + offsetX,
        Math.min(image.height, (d.box[3] - lb.padY) / lb.scale) + offsetY,
      ],
    }));
  }

  async detect(image: RgbImage, options: DetectOptions = {}): Promise<Detection[]> {
    const minScore = options.minScore ?? 0.25;
    const iouThreshold = options.iouThreshold ?? 0.5;
    const tiles = options.tiles ?? 1;
    this.lastRunMs = 0;
    const found = await this.runView(image, minScore);
    if (tiles > 1) {
      const tileW = Math.ceil((image.width / tiles) * 1.25);
      const tileH = Math.ceil((image.height / tiles) * 1.25);
      for (let ty = 0; ty < tiles; ty++)
        for (let tx = 0; tx < tiles; tx++) {
          const left = Math.min(image.width - tileW, Math.round((tx * (image.width - tileW)) / (tiles - 1)));
          const top = Math.min(image.height - tileH, Math.round((ty * (image.height - tileH)) / (tiles - 1)));
          const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
            .extract({ left, top, width: tileW, height: tileH })
            .raw()
            .toBuffer();
          // Boxes cut by a tile edge are partial: keep only those clear of the inner edges.
          const inner = (await this.runView({ data, width: tileW, height: tileH }, minScore, left, top)).filter(
            (d) =>
              (left === 0 || d.box[0] > left + 2) &&
              (top === 0 || d.box[1] > top + 2) &&
              (left + tileW === image.width || d.box[2] < left + tileW - 2) &&
              (top + tileH === image.height || d.box[3] < top + tileH - 2),
          );
          found.push(...inner);
        }
    }
    return nms(found, iouThreshold);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
