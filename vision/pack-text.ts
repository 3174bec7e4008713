import { distance } from 'fastest-levenshtein';
import { pinyin } from 'pinyin-pro';
import { deu, eng, fra, ita, nld, por, spa } from 'stopword';
import type { RecognitionCatalogue } from './catalogue.ts';

/**
 * Matching what OCR read on a pack against the catalogue's brands, names and aliases. A read is partial and noisy
 * ("DAVIDOF", "nongfu", 伊利 inside 伊利纯牛奶, "Bio" of the dmBio badge without its small "dm"), so Latin words match
 * within an edit budget that grows with the word's length, Chinese words by containment, and Chinese brands also
 * through their pinyin. Short words must match exactly and whole (WEST is not WESTERN nor VEST), and digits never bend
 * (250ml is not 500ml). Each phrase of the catalogue (a brand, a name, an alias) is matched whole and word by word:
 * the words of it that were read score it by the share of the phrase they cover; a part read is only a hint (a SKU's
 * own word still names it once its brand is read).
 */

const HAN = /\p{Script=Han}/u;

/** Apostrophes join what they stand in (Tate's is read TATES as often as TATE'S; L'Oréal, LOREAL). */
const APOSTROPHES = /['’ʼ`´]/gu;

/**
 * NFKC (full-width Latin and digits to ASCII), accents dropped (Müsli is read Musli), apostrophes dropped, lower
 * case, anything but letters and digits as one space.
 */
export function foldText(text: string): string {
  return text
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/\p{Mn}+/gu, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(APOSTROPHES, '')
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
const lettersIn = (s: string) => s.replace(/[^\p{L}]/gu, '').length;

/** Edits a Latin word of this length may carry and still match: none up to 4 letters, one up to 7, then two. */
export const maxEdits = (length: number) => (length <= 4 ? 0 : length <= 7 ? 1 : 2);

/**
 * The words a brand or name is written in: split at spaces and punctuation, where lower case turns upper ("dmBio":
 * dm, Bio; "NongfuSpring"), and between Han and Latin ("伊利yili"). Letters and digits stay together (250ml).
 */
export function phraseWords(phrase: string): string[] {
  return phrase
    .normalize('NFKC')
    .replace(APOSTROPHES, '')
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Script=Han})(?=[^\p{Script=Han}\s])|([^\p{Script=Han}\s])(?=\p{Script=Han})/gu, '$1$2 ')
    .split(/[^\p{L}\p{N}]+/u)
    .map(foldText)
    .filter(Boolean);
}

/** One way a phrase or word may be read: its Han characters, their pinyin, or its Latin letters and digits. */
interface Form {
  form: string;
  han: boolean;
}

/** The forms of a folded phrase or word (each only when long enough to be matched by itself). */
function formsOf(folded: string): Form[] {
  const forms: Form[] = [];
  const han = hanOf(folded);
  if (han.length >= 2) {
    forms.push({ form: han, han: true });
    forms.push({ form: pinyin(han, { toneType: 'none', type: 'array' }).join(''), han: false });
  }
  const latin = latinWordsOf(folded).join('');
  if (lettersIn(latin) >= 3) forms.push({ form: latin, han: false });
  return forms;
}

/** A word of a phrase: its forms (none when too short to be read alone: dm, 1L) and its size, a Han character counting two. */
interface Word {
  forms: Form[];
  text: string;
  size: number;
}

/** A brand, name or alias as a pack may show it. */
interface Phrase {
  brand: string;
  /** The product whose name or alias it is; null for the brand itself (brand evidence only). */
  sku: string | null;
  forms: Form[];
  words: Word[];
  size: number;
}

export interface TextIndex {
  phrases: Phrase[];
  /** The SKUs whose names or aliases hold each form, and the brands whose phrases do: a form of one only can name it. */
  skusOf: Map<string, Set<string>>;
  brandsOf: Map<string, Set<string>>;
  /** The numbers each SKU's name and aliases print (250 of 250ml, 5 of GUOYUAN 5): another number read says another SKU. */
  numbersOf: Map<string, Set<string>>;
  /** How many brands' phrases hold a run of Chinese characters, as found when a pack showed it (matchPackText). */
  runBrands: Map<string, number>;
}

/** The numbers in a text, leading zeros dropped (OCR reads JIANGUO2 as JIANGU02). */
export const numbersIn = (text: string) => new Set((text.match(/\d+/g) ?? []).map((n) => n.replace(/^0+(?=\d)/, '')));

const sizeOf = (folded: string) => [...folded.replace(/ /g, '')].reduce((n, c) => n + (HAN.test(c) ? 2 : 1), 0);

/**
 * Short function words (a, in, the, de, und, y): a pack prints them small or not at all, so the words around them
 * read cover a phrase ("Chicken in a Biskit" is read whole as CHICKEN and BISKIT).
 */
const FUNCTION_WORDS = new Set([eng, deu, fra, spa, ita, por, nld].flat().filter((w) => w.length <= 3));

function phraseOf(text: string, brand: string, sku: string | null): Phrase | null {
  const folded = foldText(text);
  if (folded === '') return null;
  const words = phraseWords(text).map((w) => ({ forms: formsOf(w), text: w, size: FUNCTION_WORDS.has(w) ? 0 : sizeOf(w) }));
  const size = words.reduce((n, w) => n + w.size, 0);
  return { brand, sku, forms: formsOf(folded), words: words.length > 1 ? words : [], size: size > 0 ? size : sizeOf(folded) };
}

/** The catalogue's phrases: each brand (brand evidence only) and each product's name and aliases. */
export function buildTextIndex(catalogue: RecognitionCatalogue): TextIndex {
  const phrases: Phrase[] = [];
  const skusOf = new Map<string, Set<string>>();
  const brandsOf = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const numbersOf = new Map<string, Set<string>>();
  const add = (text: string, brand: string, sku: string | null) => {
    const key = `${sku ?? ''}\u0000${brand}\u0000${foldText(text)}`;
    const phrase = phraseOf(text, brand, sku);
    if (!phrase || seen.has(key)) return;
    seen.add(key);
    phrases.push(phrase);
    for (const f of [...phrase.forms, ...phrase.words.flatMap((w) => w.forms)]) {
      brandsOf.set(f.form, (brandsOf.get(f.form) ?? new Set()).add(brand));
      if (sku !== null) skusOf.set(f.form, (skusOf.get(f.form) ?? new Set()).add(sku));
    }
  };
  for (const p of catalogue.products) {
    add(p.brand, p.brand, null);
    for (const phrase of [p.name, ...p.aliases]) add(phrase, p.brand, p.sku);
    const numbers = numbersIn([p.name, ...p.aliases].join(' '));
    if (numbers.size > 0) numbersOf.set(p.sku, numbers);
  }
  return { phrases, skusOf, brandsOf, numbersOf, runBrands: new Map() };
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

/**
 * Characters OCR confuses in a word without digits (B1O and BlO for BIO, C0CA for COCA, WE5T for WEST, Charnp for
 * Champ), folded alike on both sides: digits to the letters they resemble, l to i, rn to m and vv to w. On the pet-food
 * development set (models/shelf-detector/real-shelves) the letter pairs named 5 more of 259 legible brands, none wrong.
 */
const CONFUSABLE: Record<string, string> = { '0': 'o', '1': 'i', l: 'i', '2': 'z', '5': 's', '6': 'g', '8': 'b', rn: 'm', vv: 'w' };
export const foldConfusables = (s: string) => s.replace(/rn|vv|[0125681]|l/g, (c) => CONFUSABLE[c]!);

/** A read line folded once for all the catalogue's words: its Han characters, its Latin words, and those with confusables folded. */
interface FoldedLine {
  han: string;
  words: string[];
  looseWords: string[];
}

/**
 * A read line's words apart where lower case turns upper, as a catalogue phrase's are (phraseWords): OCR runs the
 * words of a pack's line together ("BasisMuisli" for Basis Müsli); a word it split so ("THiNS") is joined again when
 * matched (latinScore joins adjacent words).
 */
function foldLine(line: string): FoldedLine {
  const folded = foldText(line.replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2'));
  return { han: hanOf(folded), words: latinWordsOf(folded), looseWords: latinWordsOf(foldConfusables(folded)) };
}

/**
 * Letters a partial read may have lost before it: a logo's stylised initial (the P of Pedigree, the W of Whiskas). Not
 * two: XIANG read on a pack would then be SUXIANG's, and pinyin syllables are words of many brands.
 */
const LOST_INITIAL = 1;

/**
 * How well one read line shows a Latin word: 1 exact, lower with edits or (with `partial`) a read of part of it: its
 * start, or from its second letter (a stylised initial the reader lost: "edigre" of Pedigree); 0 when not.
 */
export function latinScore(catalogueWord: string, line: string | FoldedLine, partial = true): number {
  const readLine = typeof line === 'string' ? foldLine(line) : line;
  const loose = digitsOf(catalogueWord) === '';
  const word = loose ? foldConfusables(catalogueWord) : catalogueWord;
  const words = loose ? readLine.looseWords : readLine.words;
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
      // A partial read ("nongfu" for nongfushanquan, "edigre" for pedigree): five letters at least, two fifths of the word.
      if (partial && read.length >= 5 && read.length < word.length && read.length >= word.length * 0.4) {
        for (let start = 0; start <= LOST_INITIAL && start + read.length <= word.length; start++) {
          const part = word.slice(start, start + read.length);
          const d = distance(part, read);
          if (d <= maxEdits(read.length) && digitsOf(read) === digitsOf(part))
            best = Math.max(best, 0.75 + (0.25 * read.length) / word.length - d / read.length);
        }
      }
    }
  }
  return best;
}

/**
 * How well one read line shows a Chinese word: 1 when it holds the word, less (with `partial`) for three or more of its
 * characters in a row, unless `shared` says other brands' words carry that run too (纯牛奶 of 伊利纯牛奶 is every
 * dairy's: read on a 光明 carton, it is no 伊利).
 */
export function hanScore(word: string, line: string | FoldedLine, partial = true, shared: (run: string) => boolean = () => false): number {
  const read = typeof line === 'string' ? hanOf(foldText(line)) : line.han;
  if (read.includes(word)) return 1;
  if (!partial) return 0;
  // A partial read: a run of at least 3 characters (two are too often a generic word: 山泉, 牛奶) and most of the word.
  for (let len = word.length - 1; len >= 3 && len >= word.length * 0.6; len--) {
    for (let start = 0; start + len <= word.length; start++) {
      const run = word.slice(start, start + len);
      if (read.includes(run) && !shared(run)) return 0.75 + (0.25 * len) / word.length;
    }
  }
  return 0;
}

export interface ReadLine {
  text: string;
  confidence: number;
  /** The height of its characters in photo pixels, where known: a pack's brand is printed tallest. */
  height?: number;
}

export interface TextEvidence {
  /** Best score per brand (0..1) from any word of it read on the pack. */
  brands: Map<string, number>;
  /** Best score per SKU from words that only its name or aliases carry. */
  skus: Map<string, number>;
  /**
   * SKUs the pack is not: their names print numbers, the pack shows numbers, none of them theirs (GUOYUAN2 read on a
   * pack is not GUOYUAN 5, whatever it looks like; digits never bend).
   */
  clashes: Set<string>;
  /** The lines that were read, joined: what the pack says. */
  text: string;
}

/** OCR lines below this confidence are noise (texture, a barcode, a reflection read as letters). */
export const MIN_LINE_CONFIDENCE = 0.5;

/**
 * What the words of a phrase read are worth: this plus the rest in proportion to the share of the phrase they cover,
 * all of its words read (on one line or several) as much as the phrase read whole.
 */
export const WORD_FLOOR = 0.5;

/**
 * A phrase read only in part is a hint, never sure enough to name a brand alone (recognize.ts THRESHOLDS.textSure):
 * the word read is as often what the pack holds as whose it is ("Bio" of the dmBio badge is also the organic seal on
 * other brands' packs; CHEESE of "Moon Cheese" is on a Doritos bag). On four real US shelves held out from the
 * matcher's work, the brands named went from 81 % to 94 % right; the dm packs, read only as "Bio", stay unknown.
 */
export const PART_OF_PHRASE = 0.75;

/**
 * A brand's first word printed as the pack's headline names the brand, worth this (textSure) times how well it was
 * read: brands lead with their own word and print it largest (TATE'S of Tate's Bake Shop, with "Bake Shop" small
 * below), while the words that follow describe (CHEESE of Moon Cheese is the flavour on a Doritos bag). The headline
 * is the pack's tallest lines, within a fifth of the tallest. On the four held-out US shelves it named no brand more
 * (the brands there are read whole or not at all); it names the eight Tate's packs of the crackers fixture.
 */
export const HEADLINE = 0.8;
const HEADLINE_SHARE = 0.8;

/** Every catalogue phrase the pack's read lines show, as brand and SKU scores. */
export function matchPackText(lines: readonly ReadLine[], index: TextIndex): TextEvidence {
  const kept = lines.filter((l) => l.confidence >= MIN_LINE_CONFIDENCE && l.text.trim() !== '');
  const folded = kept.map((l) => foldLine(l.text));
  const tallest = Math.max(0, ...kept.map((l) => l.height ?? 0));
  const headline = kept.flatMap((l, i) => (tallest > 0 && (l.height ?? 0) >= HEADLINE_SHARE * tallest ? [folded[i]!] : []));
  // Chinese is written without spaces: a run of characters read (纯牛奶) is evidence for a brand only where no other
  // brand's phrase holds it, whether as a word of its own or inside one (伊利纯牛奶, 光明 优加 纯牛奶).
  const shared = (run: string) => {
    let brands = index.runBrands.get(run);
    if (brands === undefined) {
      const holders = new Set<string>();
      for (const [form, of] of index.brandsOf) if (form.includes(run)) for (const b of of) holders.add(b);
      brands = holders.size;
      index.runBrands.set(run, brands);
    }
    return brands > 1;
  };
  /** A form that names its brand: only this brand's phrases carry it. */
  const brandOwn = (f: Form) => index.brandsOf.get(f.form)?.size === 1 && !(f.han && shared(f.form));
  /** The phrase's first word read whole on a headline line, when only this brand's phrases carry it. */
  const headlineScore = (p: Phrase) => {
    let best = 0;
    for (const f of p.words.find((w) => w.size > 0)?.forms ?? []) {
      if (!brandOwn(f)) continue;
      for (const line of headline) best = Math.max(best, HEADLINE * (f.han ? hanScore(f.form, line, false) : latinScore(f.form, line, false)));
    }
    return best;
  };
  const brands = new Map<string, number>();
  const skus = new Map<string, number>();
  // Phrases share words (a brand and its names): each form is matched against the lines once.
  const scores = new Map<string, number>();
  const formScore = (f: Form, partial: boolean) => {
    const key = `${partial ? 'p' : 'w'}${f.han ? 'h' : 'l'}${f.form}`;
    let score = scores.get(key);
    if (score === undefined) {
      score = 0;
      for (const line of folded) score = Math.max(score, f.han ? hanScore(f.form, line, partial, shared) : latinScore(f.form, line, partial));
      scores.set(key, score);
    }
    return score;
  };
  /** The phrase read whole, or by the share its read words cover; one of the forms read must be `decisive`. */
  const phraseScore = (p: Phrase, partial: boolean, decisive: (f: Form) => boolean, partCap = 1) => {
    let whole = 0;
    for (const f of p.forms) if (decisive(f)) whole = Math.max(whole, formScore(f, partial));
    // The share of the phrase its read words cover, times how well they were read (a partial or misread word less).
    let covered = 0;
    let quality = 0;
    let decided = false;
    for (const w of p.words) {
      let read = 0;
      for (const f of w.forms) {
        const score = formScore(f, partial);
        if (score > 0 && decisive(f)) decided = true;
        read = Math.max(read, score);
      }
      if (read === 0 || w.size === 0) continue;
      covered += w.size;
      quality += read * w.size;
    }
    const byWords = decided ? (WORD_FLOOR + (1 - WORD_FLOOR) * Math.min(1, covered / p.size)) * (quality / covered) : 0;
    return Math.max(whole, covered < p.size ? Math.min(byWords, partCap) : byWords);
  };
  if (kept.length > 0) {
    for (const p of index.phrases) {
      // Nothing of it read even in part, nothing read whole either: most phrases on most packs.
      if (!p.forms.some((f) => formScore(f, true) > 0) && !p.words.some((w) => w.forms.some((f) => formScore(f, true) > 0))) continue;
      // A brand needs a word no other brand's phrases carry ("Bio" of dmBio and of Alnatura Bio names neither).
      const brand = Math.max(phraseScore(p, true, brandOwn, PART_OF_PHRASE), headline.length > 0 ? headlineScore(p) : 0);
      if (brand > 0) brands.set(p.brand, Math.max(brands.get(p.brand) ?? 0, brand));
      if (p.sku === null) continue;
      // A SKU needs a word that only it carries, read whole: the start of "Davidoff Gold" is the start of every Davidoff.
      // Its name read in part picks it only among its brand's SKUs, when the brand itself was read more than in part.
      const brandRead = (brands.get(p.brand) ?? 0) > PART_OF_PHRASE;
      const sku = phraseScore(p, false, (f) => index.skusOf.get(f.form)?.size === 1, brandRead ? 1 : PART_OF_PHRASE);
      if (sku > 0) skus.set(p.sku, Math.max(skus.get(p.sku) ?? 0, sku));
    }
  }
  // A number run into a word of four letters or more is a claim ("100WHOLEGRAI" of "100% whole grain"), not a size
  // or a variant's number (250ml, 8.5oz, 3 of MIANMIAN 3, a junk "8O"): it gainsays no SKU.
  const read = numbersIn(kept.map((l) => l.text.replace(/\d+(?=\p{L}{4})/gu, ' ')).join(' '));
  const clashes = new Set<string>();
  if (read.size > 0) for (const [sku, numbers] of index.numbersOf) if (![...numbers].some((n) => read.has(n))) clashes.add(sku);
  for (const sku of clashes) skus.delete(sku);
  return { brands, skus, clashes, text: kept.map((l) => l.text.trim()).join(' ') };
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
