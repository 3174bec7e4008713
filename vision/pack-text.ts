import { distance } from 'fastest-levenshtein';
import { pinyin } from 'pinyin-pro';
import type { RecognitionCatalogue } from './catalogue.ts';

/**
 * Matching what OCR read on a pack against the catalogue's brands, names and aliases. A read is partial and noisy
 * ("DAVIDOF", "nongfu", 伊利 inside 伊利纯牛奶), so Latin words match within an edit budget that grows with the
 * word's length, Chinese words by containment, and Chinese brands also through their pinyin. Short words must match
 * exactly and whole (WEST is not WESTERN nor VEST), and digits never bend (250ml is not 500ml).
 */

const HAN = /\p{Script=Han}/u;

/** NFKC (full-width Latin and digits to ASCII), lower case, anything but letters and digits as one space. */
export function foldText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const hanOf = (folded: string) => [...folded].filter((c) => HAN.test(c)).join('');
/** The non-Han words of a folded text, in order. */
const latinWordsOf = (folded: string) =>
  folded
    .replace(/\p{Script=Han}+/gu, ' ')
    .split(' ')
    .filter(Boolean);
const digitsOf = (s: string) => s.replace(/\D+/g, '');
const lettersIn = (s: string) => s.replace(/[^a-z]/g, '').length;

/** Edits a Latin word of this length may carry and still match: none up to 4 letters, one up to 7, then two. */
export const maxEdits = (length: number) => (length <= 4 ? 0 : length <= 7 ? 1 : 2);

/** One word a pack may carry, and what reading it says. */
interface TextKey {
  form: string;
  han: boolean;
  /** Read on a pack, this word names the brand ... */
  brands: Set<string>;
  /** ... and, when it came from one product's name or aliases only, that SKU. */
  skus: Set<string>;
  brandOnly: boolean;
}

export interface TextIndex {
  keys: TextKey[];
}

/** The words a phrase gives: its Han characters, their pinyin, its Latin letters and digits (each only when long enough). */
function phraseForms(phrase: string): { form: string; han: boolean }[] {
  const folded = foldText(phrase);
  const forms: { form: string; han: boolean }[] = [];
  const han = hanOf(folded);
  if (han.length >= 2) {
    forms.push({ form: han, han: true });
    forms.push({ form: pinyin(han, { toneType: 'none', type: 'array' }).join(''), han: false });
  }
  const latin = latinWordsOf(folded).join('');
  if (lettersIn(latin) >= 3) forms.push({ form: latin, han: false });
  return forms;
}

/** The catalogue's words: from each brand (brand evidence only) and each product's name and aliases. */
export function buildTextIndex(catalogue: RecognitionCatalogue): TextIndex {
  const byForm = new Map<string, TextKey>();
  const add = (form: string, han: boolean, brand: string, sku: string | null) => {
    const key = byForm.get(form) ?? { form, han, brands: new Set(), skus: new Set(), brandOnly: false };
    key.brands.add(brand);
    if (sku === null) key.brandOnly = true;
    else key.skus.add(sku);
    byForm.set(form, key);
  };
  for (const p of catalogue.products) {
    for (const f of phraseForms(p.brand)) add(f.form, f.han, p.brand, null);
    // A name's words one by one too ("伊利 纯牛奶 250ml"): packs print them on separate lines.
    const phrases = new Set([p.name, ...p.name.split(/\s+/).filter((w) => w.length > 1), ...p.aliases]);
    for (const phrase of phrases) for (const f of phraseForms(phrase)) add(f.form, f.han, p.brand, p.sku);
  }
  return { keys: [...byForm.values()] };
}

/** The best substring of `text` matching `word` within the edit budget: its edit count, or null. */
function bestWindow(word: string, text: string, budget: number): number | null {
  let best: number | null = null;
  for (let len = Math.max(1, word.length - budget); len <= word.length + budget; len++) {
    for (let start = 0; start + len <= text.length; start++) {
      const window = text.slice(start, start + len);
      if (digitsOf(window) !== digitsOf(word)) continue;
      const d = distance(word, window);
      if (d <= budget && (best === null || d < best)) best = d;
    }
  }
  return best;
}

/** Digits OCR reads for letters (B1O for BIO, C0CA for COCA): undone where the word itself has no digits. */
const LETTER_FOR_DIGIT: Record<string, string> = { '0': 'o', '1': 'i', '2': 'z', '5': 's', '6': 'g', '8': 'b' };
const lettersForDigits = (s: string) => s.replace(/[012568]/g, (d) => LETTER_FOR_DIGIT[d]!);

/**
 * How well one read line shows a Latin word: 1 exact, lower with edits or (with `partial`) a read of its start only;
 * 0 when not.
 */
export function latinScore(word: string, line: string, partial = true): number {
  const folded = foldText(line);
  const words = latinWordsOf(digitsOf(word) === '' ? lettersForDigits(folded) : folded);
  const budget = maxEdits(word.length);
  let best = 0;
  // A word may be read split ("NONG FU") or run into its neighbours ("DAVIDOFFCLASSIC"): adjacent words joined.
  for (let i = 0; i < words.length; i++) {
    for (let j = i + 1; j <= Math.min(words.length, i + 3); j++) {
      const read = words.slice(i, j).join('');
      if (digitsOf(read) === digitsOf(word)) {
        const d = distance(word, read);
        if (d <= budget) best = Math.max(best, 1 - d / word.length);
      }
      // The word inside a longer run: only for long words, which do not hide in other words by chance.
      if (word.length >= 6 && read.length > word.length) {
        const d = bestWindow(word, read, budget);
        if (d !== null) best = Math.max(best, 0.95 - d / word.length);
      }
      // A partial read of the word's start ("nongfu" for nongfushanquan): five letters at least, two fifths of the word.
      if (partial && read.length >= 5 && read.length < word.length && read.length >= word.length * 0.4) {
        const prefix = word.slice(0, read.length);
        const d = distance(prefix, read);
        if (d <= maxEdits(read.length) && digitsOf(read) === digitsOf(prefix))
          best = Math.max(best, 0.75 + (0.25 * read.length) / word.length - d / read.length);
      }
    }
  }
  return best;
}

/** How well one read line shows a Chinese word: 1 when it holds the word, less (with `partial`) for three or more of its characters in a row. */
export function hanScore(word: string, line: string, partial = true): number {
  const read = hanOf(foldText(line));
  if (read.includes(word)) return 1;
  if (!partial) return 0;
  // A partial read: a run of at least 3 characters (two are too often a generic word: 山泉, 牛奶) and most of the word.
  for (let len = word.length - 1; len >= 3 && len >= word.length * 0.6; len--) {
    for (let start = 0; start + len <= word.length; start++) if (read.includes(word.slice(start, start + len))) return 0.75 + (0.25 * len) / word.length;
  }
  return 0;
}

export interface ReadLine {
  text: string;
  confidence: number;
}

export interface TextEvidence {
  /** Best score per brand (0..1) from any word of it read on the pack. */
  brands: Map<string, number>;
  /** Best score per SKU from words that only its name or aliases carry. */
  skus: Map<string, number>;
  /** The lines that were read, joined: what the pack says. */
  text: string;
}

/** OCR lines below this confidence are noise (texture, a barcode, a reflection read as letters). */
export const MIN_LINE_CONFIDENCE = 0.5;

/** Every catalogue word the pack's read lines show, as brand and SKU scores. */
export function matchPackText(lines: readonly ReadLine[], index: TextIndex): TextEvidence {
  const kept = lines.filter((l) => l.confidence >= MIN_LINE_CONFIDENCE && l.text.trim() !== '');
  const brands = new Map<string, number>();
  const skus = new Map<string, number>();
  const scoreOf = (key: TextKey, partial: boolean) => {
    let score = 0;
    for (const line of kept) score = Math.max(score, key.han ? hanScore(key.form, line.text, partial) : latinScore(key.form, line.text, partial));
    return score;
  };
  for (const key of index.keys) {
    const score = scoreOf(key, true);
    if (score === 0) continue;
    for (const brand of key.brands) brands.set(brand, Math.max(brands.get(brand) ?? 0, score));
    // A partial read names the brand at most: the start of "Davidoff Gold" is the start of every Davidoff.
    if (!key.brandOnly && key.skus.size === 1) {
      const whole = scoreOf(key, false);
      const [sku] = key.skus;
      if (whole > 0) skus.set(sku!, Math.max(skus.get(sku!) ?? 0, whole));
    }
  }
  return { brands, skus, text: kept.map((l) => l.text.trim()).join(' ') };
}

/** The best entry of a score map and how far it stands above the runner-up (1 when alone). */
export function leader(scores: ReadonlyMap<string, number>): { name: string; score: number; lead: number } | null {
  let best: [string, number] | null = null;
  let second = 0;
  for (const entry of scores) {
    if (!best || entry[1] > best[1]) {
      second = best?.[1] ?? 0;
      best = entry;
    } else second = Math.max(second, entry[1]);
  }
  return best && { name: best[0], score: best[1], lead: best[1] - second };
}
