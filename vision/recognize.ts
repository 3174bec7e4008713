import sharp from 'sharp';
import { type RecognizedBy, UNRECOGNISED } from '../contracts/enums.ts';
import type { CatalogueProduct, RecognitionCatalogue } from './catalogue.ts';
import type { Corners, RgbImage } from './detector.ts';
import { boxArea } from './pack-boxes.ts';
import { comparePrints, type Print, printOfImage, printsOf } from './print-check.ts';
import { buildTextIndex, leader, matchPackText, type ReadLine, type TextEvidence, type TextIndex } from './pack-text.ts';

/**
 * SKU recognition by appearance: each detected pack becomes a small embedding — a 4 × 8 grid of chromaticity and
 * relative lightness (overall exposure cancels out) plus the pack's aspect ratio — matched to the nearest
 * reference image of the catalogue (a crop of the pack's front). Adding a SKU means adding reference images, not
 * retraining the detector.
 */
const GRID_W = 4;
const GRID_H = 8;

/** The embedding of the region (left, top, width × height) of an RGB image; `aspect` is the pack's width / height. */
export function embedRegion(image: RgbImage, left: number, top: number, width: number, height: number, aspect: number): Float32Array {
  const cells = GRID_W * GRID_H;
  const sums = new Float32Array(cells * 3);
  const counts = new Float32Array(cells);
  // About 48 × 96 samples whatever the pack's size in pixels: the grid cells are means, more pixels add nothing.
  const step = Math.max(1, Math.floor(Math.min(width / 48, height / 96)));
  // Each sampled column's grid column, found once for the region rather than once per sample (this runs for every pack).
  const columns = new Int32Array(Math.ceil(width / step));
  for (let k = 0; k < columns.length; k++) columns[k] = Math.min(GRID_W - 1, Math.floor((k * step * GRID_W) / width));
  const rgb = image.data;
  for (let y = 0; y < height; y += step) {
    const rowCell = Math.min(GRID_H - 1, Math.floor((y * GRID_H) / height)) * GRID_W;
    let i = ((top + y) * image.width + left) * 3;
    for (let k = 0; k < columns.length; k++, i += step * 3) {
      const cell = rowCell + columns[k]!;
      sums[cell * 3]! += rgb[i]!;
      sums[cell * 3 + 1]! += rgb[i + 1]!;
      sums[cell * 3 + 2]! += rgb[i + 2]!;
      counts[cell]! += 1;
    }
  }
  let meanLight = 0;
  for (let c = 0; c < cells; c++) meanLight += (sums[c * 3]! + sums[c * 3 + 1]! + sums[c * 3 + 2]!) / Math.max(1, counts[c]!) / cells;
  const out = new Float32Array(cells * 3 + 1);
  for (let c = 0; c < cells; c++) {
    const [r, g, b] = [sums[c * 3]!, sums[c * 3 + 1]!, sums[c * 3 + 2]!];
    const total = r + g + b + 1;
    out[c * 3] = (r / total) * 4;
    out[c * 3 + 1] = (g / total) * 4;
    out[c * 3 + 2] = Math.log((total / Math.max(1, counts[c]!) + 1) / (meanLight + 1));
  }
  out[cells * 3] = Math.log(aspect) * 3;
  return out;
}

export function embedCrop(image: RgbImage, box: Corners): Float32Array {
  // A small inset drops the shelf background that a box around a rolled pack includes.
  const insetX = (box[2] - box[0]) * 0.08;
  const insetY = (box[3] - box[1]) * 0.05;
  const left = Math.max(0, Math.floor(box[0] + insetX));
  const top = Math.max(0, Math.floor(box[1] + insetY));
  const width = Math.max(1, Math.min(image.width - left, Math.round(box[2] - box[0] - 2 * insetX)));
  const height = Math.max(1, Math.min(image.height - top, Math.round(box[3] - box[1] - 2 * insetY)));
  return embedRegion(image, left, top, width, height, (box[2] - box[0]) / Math.max(1, box[3] - box[1]));
}

/** 1 for identical embeddings, falling towards 0 with the Euclidean distance. */
export function similarity(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i]! - b[i]!) ** 2;
  return 1 / (1 + Math.sqrt(d));
}

/** The embeddings of one reference image, under a few exposures (a shelf photo is rarely exposed like a pack shot). */
export async function embedReference(image: Buffer): Promise<Float32Array[]> {
  // One decode, at most 192 px tall (the embedding samples about 96 rows): a catalogue of pack shots loads quickly.
  const { data, info } = await sharp(image).resize({ height: 192, withoutEnlargement: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return [0.8, 1, 1.15].map((gain) => {
    const exposed = Buffer.alloc(data.length);
    for (let i = 0; i < data.length; i++) exposed[i] = Math.min(255, Math.round(data[i]! * gain));
    // Cropped as a detected pack is, so that both embeddings cover the same part of the pack.
    return embedCrop({ data: exposed, width: info.width, height: info.height }, [0, 0, info.width, info.height]);
  });
}

/** The nearest reference SKU of a pack, with how far it stands above the nearest other SKU. */
export interface AppearanceMatch {
  sku: string;
  similarity: number;
  margin: number;
  /** The best similarity per SKU (for the best SKU of a brand the text names). */
  bySku: ReadonlyMap<string, number>;
  /**
   * What the print check (print-check.ts) said where the look could not tell: the SKU whose print this pack's is
   * (`sku` then leads this match), or `null` when the pack's print differs from every candidate's. Absent when the
   * print was not checked or could not be aligned.
   */
  print?: { sku: string | null };
}

export interface Recognition {
  sku: string;
  brand: string;
  is_competitor: boolean;
  /** 0..1: how sure the decision is (0 for an unknown pack). */
  confidence: number;
  recognized_by: RecognizedBy;
  /** What was read on the pack ('' when its text was not read). */
  text: string;
}

/**
 * When a signal is sure enough to decide alone. Appearance similarities are 1 / (1 + distance) of the embeddings;
 * text scores 1 for a word read whole (see pack-text.ts). Calibrated on rendered bays of the training seeds.
 */
export const THRESHOLDS = {
  /** Below this, the nearest reference is no evidence at all. */
  appearanceMin: 0.3,
  // A pack of a product the catalogue lacks must stay unknown, not take a look-alike's SKU. With four SKUs of each
  // held-out bay left out of the catalogue in turn (4 bays, 902 packs), the nearest other SKU scores below 0.42 on
  // almost every such pack: at 0.42 named SKUs are 95.5% right (0.35: 91.8%), the packs of known SKUs 94.3% (99.6%;
  // those under 0.42 go to their text). 0.46 gains nothing more (95.5%) and loses known packs (91.7%).
  // `npm run eval:vision -- --leave-out 4 12` (each bay's 4 most faced SKUs left out, names and all; detector v4):
  // 62 of 324 packs of left-out SKUs were named, most a sibling's SKU through the brand's text (named SKUs 88.4%
  // right); with a number the SKU does not print gainsaying it (fusePack), 9 (98.0%), known packs 94.5% either way.
  appearanceSure: 0.42,
  /** ... and it must stand this far above the nearest other SKU. */
  appearanceMargin: 0.01,
  // A manufacturer's pack shot, lit flat and sometimes of another pack version, scores its facings on a real shelf
  // 0.33–0.42 where they stand far ahead of every other SKU (the US crackers' studio pack shots: 14 such facings, all
  // right; cut facings: 6, all right). Such a look is checked by its print (matchPacks) and named only when the print
  // is its pack shot's: with four SKUs of each bay left out (`eval:vision -- --leave-out 4 12`) no more left-out packs
  // are named (9 of 324), where naming these looks unchecked named 24 (named SKUs 95.1 % right, not 98.0 %).
  /** A look at least this similar ... */
  appearanceClear: 0.33,
  /** ... and this far ahead of every other SKU is checked by its print. */
  marginClear: 0.1,
  /** Within a brand the text names, the nearest of its SKUs is taken when this close and this far ahead. */
  appearanceWithinBrand: 0.3,
  marginWithinBrand: 0.01,
  textSure: 0.8,
  /**
   * The print check (print-check.ts) runs where the look cannot tell: on the best SKU's referenced siblings (same
   * brand) within this similarity of it, and on a sure look of a brand with SKUs the catalogue holds no pack shot of
   * (a pack of one of them looks like its sibling). Each check costs ~5–10 ms; 0.08 checks a third to a half of the
   * packs of the real photos, and 0.15 found no more right SKUs.
   */
  printTie: 0.08,
  // Cell colour distances (print-check.ts) chosen on the real fixtures' facings, so their SKU figures are not a
  // held-out measure: a facing against its own SKU's pack shot 7–60, a few up to 117 (a tag over the pack); against
  // a sibling's 40–146.
  /** The candidate whose print differs least leads when the next differs this much more. */
  printLead: 10,
  /** A pack whose print differs this much from every candidate's is none of them (a sibling's band or picture). */
  printDiffers: 100,
  /** A word of another brand or SKU read as well as this one makes the text ambiguous. */
  textLead: 0.15,
};

/** Whether a look alone is sure by its similarity and margin. */
const isSure = (m: Pick<AppearanceMatch, 'similarity' | 'margin'>, t = THRESHOLDS) => m.similarity >= t.appearanceSure && m.margin >= t.appearanceMargin;
/** A look far ahead of every other SKU, though not similar enough to be sure: its print decides. */
const isClear = (m: Pick<AppearanceMatch, 'similarity' | 'margin'>, t = THRESHOLDS) => m.similarity >= t.appearanceClear && m.margin >= t.marginClear;

const clamp01 = (v: number) => Math.max(0, Math.min(1, v));
const round3 = (v: number) => Number(v.toFixed(3));

/** How sure an appearance match is, 0..1: 0.5 at the sure thresholds, 1 at a similarity of 0.6 and a margin of 0.1. */
export function appearanceConfidence(match: Pick<AppearanceMatch, 'similarity' | 'margin'>, t = THRESHOLDS): number {
  const bySimilarity = clamp01(0.5 + (match.similarity - t.appearanceSure) / (2 * (0.6 - t.appearanceSure)));
  const byMargin = clamp01(0.5 + (match.margin - t.appearanceMargin) / (2 * (0.1 - t.appearanceMargin)));
  return Math.min(bySimilarity, byMargin);
}

/** The text's leading brand or SKU when it is sure: scored high enough and far enough ahead of the runner-up. */
const sureLeader = (scores: ReadonlyMap<string, number>, t = THRESHOLDS) => {
  const l = leader(scores);
  return l && l.score >= t.textSure && l.lead >= t.textLead ? l : null;
};

/** A brand named without its SKU is a competitor's when all its products in the catalogue are. */
const competitorBrand = (brand: string, products: ReadonlyMap<string, Pick<CatalogueProduct, 'brand' | 'own'>>) =>
  [...products.values()].every((p) => p.brand !== brand || !p.own);

/**
 * One pack's SKU from its two signals. Either decides alone when sure; a sure text brand with an unsure look picks
 * the nearest of that brand's SKUs when it is close, else the pack is that brand with an unknown SKU; when the two
 * signals name different products, or neither is sure, the pack is `unknown`.
 */
export function fusePack(
  appearance: AppearanceMatch | null,
  text: TextEvidence,
  products: ReadonlyMap<string, Pick<CatalogueProduct, 'sku' | 'brand' | 'own'>>,
  t = THRESHOLDS,
): Recognition {
  const named = (sku: string, recognized_by: RecognizedBy, confidence: number): Recognition => {
    const p = products.get(sku)!;
    return { sku, brand: p.brand, is_competitor: !p.own, confidence: round3(confidence), recognized_by, text: text.text };
  };
  const unknown = (brand: string | null, confidence = 0): Recognition => ({
    sku: UNRECOGNISED,
    brand: brand ?? UNRECOGNISED,
    is_competitor: brand !== null && competitorBrand(brand, products),
    confidence: round3(confidence),
    recognized_by: brand ? 'text' : 'none',
    text: text.text,
  });
  const textBrand = sureLeader(text.brands, t);
  const textSkuLead = sureLeader(text.skus, t);
  // A SKU's own word read on a pack whose brand reads as another's is no evidence.
  const textSku = textSkuLead && (!textBrand || products.get(textSkuLead.name)?.brand === textBrand.name) ? textSkuLead : null;
  const look = appearance && appearance.similarity >= t.appearanceMin ? appearance : null;
  const lookSure = look && (isSure(look, t) || look.print?.sku === look.sku) ? look : null;
  const lookConfidence = look ? appearanceConfidence(look, t) : 0;
  const both = (a: number, b: number) => 1 - (1 - a) * (1 - b);

  if (textSku) {
    if (look?.sku === textSku.name) return named(textSku.name, 'both', both(textSku.score, lookConfidence));
    if (lookSure) return unknown(products.get(lookSure.sku)!.brand === products.get(textSku.name)!.brand ? products.get(textSku.name)!.brand : null);
    return named(textSku.name, 'text', textSku.score);
  }
  // A word only another SKU's name carries, read on the pack even in part, or a number the SKU's name does not print,
  // says the look is wrong: sibling variants share a design (the dm Rote Bete carton looks like the Gemüse one, and
  // reads "Rote Bete"; MIANMIAN 3 looks like MIANMIAN 5).
  const textHint = leader(text.skus);
  const gainsaid = (sku: string) =>
    text.clashes.has(sku) ||
    (appearance?.print?.sku === null && appearance.sku === sku) ||
    (textHint !== null && textHint.name !== sku && textHint.score - (text.skus.get(sku) ?? 0) >= t.textLead);
  if (textBrand) {
    if (lookSure) {
      if (products.get(lookSure.sku)!.brand !== textBrand.name) return unknown(null);
      return gainsaid(lookSure.sku) ? unknown(textBrand.name, textBrand.score) : named(lookSure.sku, 'both', both(textBrand.score, lookConfidence));
    }
    // The look is unsure among all SKUs; among the brand's own it may still be clear.
    if (appearance) {
      let best: [string, number] | null = null;
      let second = 0;
      for (const [sku, s] of appearance.bySku) {
        if (products.get(sku)?.brand !== textBrand.name || gainsaid(sku)) continue;
        if (!best || s > best[1]) {
          second = best?.[1] ?? 0;
          best = [sku, s];
        } else second = Math.max(second, s);
      }
      if (best && best[1] >= t.appearanceWithinBrand && best[1] - second >= t.marginWithinBrand) return named(best[0], 'both', textBrand.score * 0.8);
    }
    return unknown(textBrand.name, textBrand.score);
  }
  if (lookSure && gainsaid(lookSure.sku)) {
    // The pack is the look's brand when the word read agrees, or when only a number spoke: a number says another
    // variant of the design, not another brand.
    const brand = products.get(lookSure.sku)!.brand;
    const wordBrand = textHint ? products.get(textHint.name)?.brand : brand;
    return wordBrand === brand ? unknown(brand, lookConfidence) : unknown(null);
  }
  if (lookSure) return named(lookSure.sku, 'appearance', lookConfidence);
  // Neither is sure alone, but both name one SKU: words only its name carries, read in part (its brand half read, its
  // words run together), and a look far ahead of every other SKU's.
  if (look && textHint?.name === look.sku && textHint.lead >= t.textLead && isClear(look, t) && !gainsaid(look.sku))
    return named(look.sku, 'both', both(textHint.score, lookConfidence));
  return unknown(null);
}

/** Packs whose looks (embedCrop) are at least this similar are taken for facings of one product: teaching shows them as one group to name. */
export const LOOK_ALIKE_SIMILARITY = 0.45;

/**
 * Facings of a product stand together and look alike, and a pack's brand is often legible on one facing and not on
 * the next (turned, in shadow, behind a strip label). A `silent` pack (no brand, no sure look of its own) takes the
 * brand of the packs whose text named it when it looks like one of them (LOOK_ALIKE_SIMILARITY) more than like any
 * pack of another named brand; its SKU stays unknown (facings of one brand's SKUs look alike too). Only text-named
 * packs lend, so that one step never chains into a drift. On the four held-out US shelves one pack more was named,
 * none wrong (0.40: 1 more right, 3 more wrong).
 */
export function brandsFromLookAlikes(
  packs: readonly Recognition[],
  looks: readonly Float32Array[],
  silent: readonly boolean[],
  products: ReadonlyMap<string, Pick<CatalogueProduct, 'brand' | 'own'>>,
  threshold = LOOK_ALIKE_SIMILARITY,
): Recognition[] {
  const lenders = packs.flatMap((p, k) => (p.brand !== UNRECOGNISED && (p.recognized_by === 'text' || p.recognized_by === 'both') ? [k] : []));
  if (lenders.length === 0) return [...packs];
  return packs.map((pack, k) => {
    if (!silent[k]) return pack;
    const byBrand = new Map<string, { similarity: number; confidence: number }>();
    for (const l of lenders) {
      const s = similarity(looks[k]!, looks[l]!);
      const brand = packs[l]!.brand;
      if (s > (byBrand.get(brand)?.similarity ?? -1)) byBrand.set(brand, { similarity: s, confidence: packs[l]!.confidence });
    }
    const [first, second] = [...byBrand].sort((a, b) => b[1].similarity - a[1].similarity);
    if (!first || first[1].similarity < threshold || (second && second[1].similarity >= first[1].similarity)) return pack;
    const [brand, { similarity: s, confidence }] = first;
    return {
      sku: UNRECOGNISED,
      brand,
      is_competitor: competitorBrand(brand, products),
      confidence: round3(confidence * s),
      recognized_by: 'look_alike',
      text: pack.text,
    };
  });
}

/**
 * Recognises packs against a recognition catalogue: the appearance embeddings of its reference images and the words
 * of its brands, names and aliases. The catalogue can be replaced at run time (setCatalogue) as products and pack
 * shots are added; a recogniser without one names no pack.
 */
export class PackRecognizer {
  private references: { sku: string; embedding: Float32Array }[] = [];
  private prints = new Map<string, Print[]>();
  /** Brands with a product that has no reference image: a look that names one of their SKUs may be a sibling's. */
  private brandsNotAllShot = new Set<string>();
  private textIndex: TextIndex = buildTextIndex({ products: [] });
  private products = new Map<string, CatalogueProduct>();

  static async create(catalogue: RecognitionCatalogue): Promise<PackRecognizer> {
    const recognizer = new PackRecognizer();
    await recognizer.setCatalogue(catalogue);
    return recognizer;
  }

  /** Replaces the catalogue (the embeddings are made before the swap: packs in flight see the old or the new one whole). */
  async setCatalogue(catalogue: RecognitionCatalogue): Promise<void> {
    const references = [];
    const prints = new Map<string, Print[]>();
    for (const product of catalogue.products) {
      for (const ref of product.references) {
        for (const embedding of await embedReference(ref.image)) references.push({ sku: product.sku, embedding });
        prints.set(product.sku, [...(prints.get(product.sku) ?? []), await printOfImage(ref.image)]);
      }
    }
    this.references = references;
    this.prints = prints;
    this.brandsNotAllShot = new Set(catalogue.products.filter((p) => p.references.length === 0).map((p) => p.brand));
    this.textIndex = buildTextIndex(catalogue);
    this.products = new Map(catalogue.products.map((p) => [p.sku, p]));
  }

  /** Whether any product has reference images (without them only the pack text can name a pack). */
  get hasReferences(): boolean {
    return this.references.length > 0;
  }

  /** Whether any product has words to read (without them the pack text is not worth reading). */
  get hasWords(): boolean {
    return this.textIndex.phrases.length > 0;
  }

  /** The pack's nearest reference SKU, from its look (embedCrop); null without reference images. */
  appearance(embedding: Float32Array): AppearanceMatch | null {
    if (this.references.length === 0) return null;
    const bySku = new Map<string, number>();
    for (const ref of this.references) {
      const s = similarity(embedding, ref.embedding);
      if (s > (bySku.get(ref.sku) ?? -Infinity)) bySku.set(ref.sku, s);
    }
    const best = leader(bySku)!;
    return { sku: best.name, similarity: round3(best.score), margin: round3(best.lead), bySku };
  }

  /**
   * The looks of a photo's packs and their reference matches, the print checked where the look cannot tell
   * (THRESHOLDS.printTie): a match the print settles leads with the SKU whose print the pack's is, or says that it
   * is none of them.
   */
  async matchPacks(image: RgbImage, boxes: readonly Corners[], t = THRESHOLDS): Promise<{ looks: Float32Array[]; matches: (AppearanceMatch | null)[] }> {
    const looks = boxes.map((box) => embedCrop(image, box));
    const matches = looks.map((look) => this.appearance(look));
    const candidates = matches.map((m) => (m && m.similarity >= t.appearanceMin ? this.printCandidates(m, t) : []));
    const toCheck = candidates.flatMap((c, k) => (c.length > 0 ? [k] : []));
    if (toCheck.length === 0) return { looks, matches };
    const packPrints = await printsOf(
      image,
      toCheck.map((k) => boxes[k]!),
    );
    toCheck.forEach((k, n) => {
      matches[k] = this.checkPrint(matches[k]!, candidates[k]!, packPrints[n]!, t);
    });
    return { looks, matches };
  }

  /** The SKUs whose prints a match is checked against: none where the look tells alone. */
  private printCandidates(match: AppearanceMatch, t: typeof THRESHOLDS): string[] {
    const brand = this.products.get(match.sku)?.brand;
    const near = [...match.bySku]
      .filter(([sku, s]) => s >= match.similarity - t.printTie && this.prints.has(sku) && this.products.get(sku)?.brand === brand)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([sku]) => sku);
    if (near.length >= 2) return near;
    if (!isSure(match, t)) return isClear(match, t) ? near : [];
    return brand !== undefined && this.brandsNotAllShot.has(brand) ? near : [];
  }

  private checkPrint(match: AppearanceMatch, candidates: readonly string[], pack: Print, t: typeof THRESHOLDS): AppearanceMatch {
    const aligned = candidates
      .flatMap((sku) => {
        const differences = this.prints.get(sku)!.flatMap((ref) => comparePrints(pack, ref)?.difference ?? []);
        return differences.length > 0 ? [{ sku, difference: Math.min(...differences) }] : [];
      })
      .sort((a, b) => a.difference - b.difference);
    const [first, second] = aligned;
    if (!first) return match;
    if (first.difference > t.printDiffers) return { ...match, print: { sku: null } };
    if (second && second.difference - first.difference < t.printLead) return match;
    const similarity = match.bySku.get(first.sku)!;
    const others = [...match.bySku].filter(([sku]) => sku !== first.sku).map(([, s]) => s);
    return { ...match, sku: first.sku, similarity, margin: round3(similarity - Math.max(0, ...others)), print: { sku: first.sku } };
  }

  /** Whether a pack's read lines name no brand surely (THRESHOLDS.textSure). */
  textUnsure(lines: readonly ReadLine[]): boolean {
    return sureLeader(matchPackText(lines, this.textIndex).brands) === null;
  }

  /**
   * Of the packs read (`read`, indices into `boxes`), those worth reading again up close (a logo printed small on a
   * large bag): the text named no brand, and the pack looks like no pack whose text did (it takes that brand from it,
   * brandsFromLookAlikes) nor like a pack already chosen (the largest of look-alike facings is read for them all).
   */
  closerReads(read: readonly number[], lines: readonly (readonly ReadLine[])[], looks: readonly Float32Array[], boxes: readonly Corners[]): number[] {
    const unsure = new Set(read.filter((k) => this.textUnsure(lines[k]!)));
    const named = read.filter((k) => !unsure.has(k));
    const chosen: number[] = [];
    for (const k of [...unsure].sort((a, b) => boxArea(boxes[b]!) - boxArea(boxes[a]!))) {
      if (![...named, ...chosen].some((j) => similarity(looks[k]!, looks[j]!) >= LOOK_ALIKE_SIMILARITY)) chosen.push(k);
    }
    return chosen;
  }

  /** Whether a look alone decides the pack, so that its text need not be read. */
  sureByAppearance(match: AppearanceMatch | null): boolean {
    return match !== null && match.print?.sku !== null && (isSure(match) || match.print?.sku === match.sku);
  }

  /** The pack's decision from its look and (when read) its text lines. */
  decide(match: AppearanceMatch | null, lines: readonly ReadLine[]): Recognition {
    return fusePack(match, matchPackText(lines, this.textIndex), this.products);
  }

  /**
   * The packs of one photo, from their looks (embedCrop), reference matches and text lines: each decided alone, then
   * those neither signal spoke for take their brand from look-alike facings (brandsFromLookAlikes).
   */
  decidePhoto(looks: readonly Float32Array[], matches: readonly (AppearanceMatch | null)[], lines: readonly ReadLine[][]): Recognition[] {
    const alone = looks.map((_, k) => this.decide(matches[k]!, lines[k]!));
    const silent = looks.map((_, k) => alone[k]!.brand === UNRECOGNISED && !this.sureByAppearance(matches[k]!));
    return brandsFromLookAlikes(alone, looks, silent, this.products);
  }
}
