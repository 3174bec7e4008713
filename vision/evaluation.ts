/**
 * The model card: how the shelf analysis does on labelled photos. Pure functions over boxes; the caller runs the
 * analysis and reads the label files (bin/eval-photos.ts).
 */
import { iou, type Corners } from './detector.ts';
import { boxArea, intersectionArea } from './pack-boxes.ts';
import type { LabelledBox } from './labels.ts';

export interface ScoredBox {
  box: Corners;
  score: number;
}

export interface PredictedPack extends ScoredBox {
  brand: string;
  sku: string;
}

export interface ReadTag extends ScoredBox {
  /** The price the analysis read on the tag. */
  price: number;
}

/** One photo: its labels and what the analysis returned, both in the photo's own pixels. */
export interface PhotoOutcome {
  fileName: string;
  truth: LabelledBox[];
  packs: PredictedPack[];
  priceTags: ReadTag[];
  gaps: Corners[];
  latencyMs: number;
  /**
   * The brand and SKU recognition gives each labelled pack box (in the order of `truth`'s products), read on the
   * labelled box itself: recognition measured apart from detection. Absent when no catalogue words or references were given.
   */
  recognisedOnLabelledBoxes?: { brand: string; sku: string }[];
  /** The price read on each labelled price tag box (in the order of `truth`'s tags; null: none read). Absent when not measured. */
  pricesOnLabelledBoxes?: (number | null)[];
}

export interface SkuFigures {
  labelled: number;
  accuracy: number | null;
  named: number;
  named_precision: number | null;
  /** The packs whose SKU has a pack shot in the catalogue (the issue's "with reference images"); null when none has. */
  with_pack_shot: { labelled: number; accuracy: number | null } | null;
}

/** SKU figures of packs with a labelled SKU (references aside) against the SKU recognition gave each. */
function skuFigures(pairs: { truth: LabelledBox; sku: string }[], shotSkus: ReadonlySet<string>): SkuFigures {
  const scored = pairs.filter((p) => p.truth.sku !== undefined && !p.truth.reference);
  const named = scored.filter((p) => !sameBrand(p.sku, 'unknown'));
  const shot = scored.filter((p) => shotSkus.has(p.truth.sku!));
  const right = (list: typeof scored) => list.filter((p) => p.sku === p.truth.sku).length;
  const share = (list: typeof scored) => (list.length > 0 ? Number((right(list) / list.length).toFixed(3)) : null);
  return {
    labelled: scored.length,
    accuracy: share(scored),
    named: named.length,
    named_precision: share(named),
    with_pack_shot: shotSkus.size > 0 ? { labelled: shot.length, accuracy: share(shot) } : null,
  };
}

export interface PriceFigures {
  /** Labelled tags with their printed price. */
  labelled: number;
  /** Of those, tags the analysis answered a price for (its tag box over the labelled one, IoU ≥ 0.3). */
  read: number;
  /** Read to the cent, and read wrong: a wrong price is worse than none. */
  right: number;
  wrong: number;
}

/** The tags whose price is labelled, scored against the prices read on them (to the cent). */
export function priceFigures(tags: LabelledBox[], found: ReadTag[]): PriceFigures {
  const priced = tags.filter((t) => t.price !== undefined);
  const match = matchBoxes(
    priced.map((t) => toCorners(t.bbox)),
    found,
    0.3,
  );
  const figures = { labelled: priced.length, read: 0, right: 0, wrong: 0 };
  match.truthOf.forEach((j, k) => {
    if (j < 0) return;
    figures.read++;
    if (Math.abs(found[k]!.price - priced[j]!.price!) < 0.005) figures.right++;
    else figures.wrong++;
  });
  return figures;
}

export const toCorners = (b: [number, number, number, number]): Corners => [b[0], b[1], b[0] + b[2], b[1] + b[3]];

export interface Matching {
  /** truthOf[k]: the true box found box k matched, or -1. */
  truthOf: number[];
  matchedTruth: boolean[];
}

/** One-to-one greedy matching: found boxes by falling score, each to the unmatched true box it overlaps most (IoU ≥ threshold). */
export function matchBoxes(truth: Corners[], found: ScoredBox[], threshold = 0.5): Matching {
  const truthOf = new Array<number>(found.length).fill(-1);
  const matchedTruth = new Array<boolean>(truth.length).fill(false);
  const order = found.map((_, k) => k).sort((a, b) => found[b]!.score - found[a]!.score);
  for (const k of order) {
    let best = -1;
    let bestIou = threshold;
    truth.forEach((t, j) => {
      const o = iou(found[k]!.box, t);
      if (!matchedTruth[j] && o >= bestIou) {
        bestIou = o;
        best = j;
      }
    });
    if (best >= 0) {
      truthOf[k] = best;
      matchedTruth[best] = true;
    }
  }
  return { truthOf, matchedTruth };
}

/** All-point interpolated average precision over photos (VOC 2010+ / COCO style), one-to-one greedy matching. */
export function averagePrecision(images: { truth: Corners[]; found: ScoredBox[] }[], threshold = 0.5): number {
  const all = images.flatMap((img, i) => img.found.map((f) => ({ ...f, image: i }))).sort((a, b) => b.score - a.score);
  const totalTruth = images.reduce((n, img) => n + img.truth.length, 0);
  if (totalTruth === 0) return 0;
  const used = images.map((img) => new Array<boolean>(img.truth.length).fill(false));
  let tp = 0;
  const points: { recall: number; precision: number }[] = [];
  all.forEach((d, k) => {
    const truth = images[d.image]!.truth;
    let best = -1;
    let bestIou = threshold;
    truth.forEach((t, j) => {
      const o = iou(d.box, t);
      if (!used[d.image]![j] && o >= bestIou) {
        bestIou = o;
        best = j;
      }
    });
    if (best >= 0) {
      used[d.image]![best] = true;
      tp++;
    }
    points.push({ recall: tp / totalTruth, precision: tp / (k + 1) });
  });
  // Precision envelope from the right, then the area under the recall steps.
  let ap = 0;
  let maxPrecision = 0;
  for (let k = points.length - 1; k >= 0; k--) {
    maxPrecision = Math.max(maxPrecision, points[k]!.precision);
    ap += (points[k]!.recall - (k > 0 ? points[k - 1]!.recall : 0)) * maxPrecision;
  }
  return ap;
}

/** Unmatched found boxes that lie mostly (≥ 60 % of their area) inside one true pack: a pack's top, its picture panel. */
export function fragments(truth: Corners[], found: ScoredBox[], matching: Matching, inside = 0.6): number[] {
  return found.flatMap((f, k) => (matching.truthOf[k] === -1 && truth.some((t) => intersectionArea(f.box, t) >= inside * boxArea(f.box)) ? [k] : []));
}

/** Unmatched found boxes that would have matched a true pack (IoU ≥ threshold) that another box already took. */
export function duplicates(truth: Corners[], found: ScoredBox[], matching: Matching, threshold = 0.5): number[] {
  return found.flatMap((f, k) => (matching.truthOf[k] === -1 && truth.some((t, j) => matching.matchedTruth[j] && iou(f.box, t) >= threshold) ? [k] : []));
}

/** Gaps reported where a pack stands: the gap covers at least a quarter of a true pack (a sliver of a neighbour is box slop). */
export function gapFalseAlarms(packs: Corners[], gaps: Corners[]): number {
  return gaps.filter((g) => packs.some((p) => intersectionArea(g, p) >= 0.25 * boxArea(p))).length;
}

/** A labelled empty stretch is found when a reported gap spans the same stretch (horizontal IoU ≥ 0.3, rows overlapping). */
export function gapsFound(truth: Corners[], gaps: Corners[]): number {
  const sameStretch = (a: Corners, b: Corners) => {
    const inter = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
    const union = Math.max(a[2], b[2]) - Math.min(a[0], b[0]);
    return inter / union >= 0.3 && Math.min(a[3], b[3]) > Math.max(a[1], b[1]);
  };
  return truth.filter((t) => gaps.some((g) => sameStretch(t, g))).length;
}

/** Brands compare without case, spaces or punctuation ("Coca-Cola" = "coca cola"); Chinese characters are kept. */
export const sameBrand = (a: string, b: string) => a.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '') === b.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** Share of shelf by brand, by facing width; packs without a known brand are the slice "unknown". */
export function shareByWidth(packs: { box: Corners; brand?: string }[]): Map<string, number> {
  const total = packs.reduce((n, p) => n + (p.box[2] - p.box[0]), 0);
  const shares = new Map<string, number>();
  if (total <= 0) return shares;
  for (const p of packs) {
    const brand = p.brand && !sameBrand(p.brand, 'unknown') ? p.brand.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '') : 'unknown';
    shares.set(brand, (shares.get(brand) ?? 0) + (p.box[2] - p.box[0]) / total);
  }
  return shares;
}

/** The largest difference, in percentage points, between two shares of shelf over every brand either one has. */
export function shareErrorPoints(truth: Map<string, number>, found: Map<string, number>): number {
  let worst = 0;
  for (const brand of new Set([...truth.keys(), ...found.keys()])) worst = Math.max(worst, Math.abs((truth.get(brand) ?? 0) - (found.get(brand) ?? 0)));
  return worst * 100;
}

export interface ClassFigures {
  labelled: number;
  predicted: number;
  matched: number;
  recall: number;
  precision: number;
  ap50: number;
}

export interface ModelCard {
  photos: number;
  labelled_packs: number;
  classes: { product: ClassFigures; price_tag: ClassFigures };
  /** Unmatched pack boxes mostly inside a true pack, and their share of all pack boxes. */
  fragments: number;
  fragment_rate: number;
  duplicates: number;
  gaps_reported: number;
  gap_false_alarms: number;
  gaps_labelled: number;
  /** null where no gap is labelled. */
  gap_recall: number | null;
  /** Matched packs whose brand is labelled, and the share of them given the right brand; null where no brand is labelled. */
  brand_labelled_matched: number;
  brand_accuracy: number | null;
  /** Of those matched packs given a brand (not unknown), the share given the right one: how far a named brand is to be trusted. */
  brand_named: number;
  brand_named_precision: number | null;
  /**
   * Brand accuracy on the packs whose brand the labels mark legible (`brand_legible`), of the matched packs and of
   * the labelled boxes (null when not measured); null when no pack is marked.
   */
  brand_legible: { matched: number; accuracy: number | null; labelled_boxes: number; accuracy_on_labelled_boxes: number | null } | null;
  /**
   * SKU accuracy over the matched packs whose SKU is labelled (a reference facing aside: it is its own reference),
   * and of the SKUs named (not unknown) the share right; then the same on the labelled boxes (null when not
   * measured). Null when no SKU is labelled.
   */
  sku: { matched: SkuFigures; labelled_boxes: SkuFigures | null } | null;
  /** The same two figures with recognition run on the labelled pack boxes (detection aside); null when not measured. */
  brand_on_labelled_boxes: {
    labelled: number;
    accuracy: number;
    named: number;
    named_precision: number | null;
    /** Share of shelf by brand of the labelled boxes as recognised, worst brand per photo: mean over photos, in points. */
    share_error_points: number | null;
  } | null;
  /** Share of shelf by brand (by width), worst brand per photo in points: mean and worst over photos with brands labelled. */
  share_error_points: { mean: number; max: number } | null;
  /** Prices read off the labelled tags, as the analysis answers them (detection included); null where no price is labelled. */
  prices: PriceFigures | null;
  /** The same with the tags read on the labelled tag boxes (detection aside); null when not measured. */
  prices_on_labelled_boxes: PriceFigures | null;
  latency_p50_ms: number;
  per_photo: {
    file: string;
    packs: number;
    predicted: number;
    matched: number;
    fragments: number;
    gap_false_alarms: number;
    share_error_points: number | null;
    latency_ms: number;
  }[];
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
const round = (v: number, d = 3) => Number(v.toFixed(d));

/** The card of these photos' outcomes; `shotSkus` are the SKUs with a pack shot in the catalogue recognition used. */
export function modelCard(outcomes: PhotoOutcome[], shotSkus: ReadonlySet<string> = new Set()): ModelCard {
  const classImages = { product: [] as { truth: Corners[]; found: ScoredBox[] }[], price_tag: [] as { truth: Corners[]; found: ScoredBox[] }[] };
  const counts = { product: { labelled: 0, predicted: 0, matched: 0 }, price_tag: { labelled: 0, predicted: 0, matched: 0 } };
  let fragmentCount = 0;
  let duplicateCount = 0;
  let gapsReported = 0;
  let falseAlarms = 0;
  let gapsLabelled = 0;
  let gapHits = 0;
  let brandLabelled = 0;
  let brandRight = 0;
  let brandNamed = 0;
  let brandNamedRight = 0;
  const onBoxes = { measured: false, labelled: 0, right: 0, named: 0, namedRight: 0, shareErrors: [] as number[] };
  const legible = { marked: false, matched: 0, right: 0, onBoxes: 0, rightOnBoxes: 0 };
  const skuPairs: { truth: LabelledBox; sku: string }[] = [];
  let skuPairsOnBoxes: { truth: LabelledBox; sku: string }[] | null = null;
  let skuLabelled = false;
  const shareErrors: number[] = [];
  const perPhoto: ModelCard['per_photo'] = [];
  const prices: PriceFigures = { labelled: 0, read: 0, right: 0, wrong: 0 };
  let pricesOnBoxes: PriceFigures | null = null;
  const add = (sum: PriceFigures, f: PriceFigures) => {
    for (const key of ['labelled', 'read', 'right', 'wrong'] as const) sum[key] += f[key];
  };

  for (const o of outcomes) {
    const truthOf = (label: LabelledBox['label']) => o.truth.filter((b) => b.label === label);
    const truePacks = truthOf('product');
    const packCorners = truePacks.map((b) => toCorners(b.bbox));
    const tagCorners = truthOf('price_tag').map((b) => toCorners(b.bbox));
    const gapCorners = truthOf('gap').map((b) => toCorners(b.bbox));

    const packMatch = matchBoxes(packCorners, o.packs);
    const tagMatch = matchBoxes(tagCorners, o.priceTags);
    classImages.product.push({ truth: packCorners, found: o.packs });
    classImages.price_tag.push({ truth: tagCorners, found: o.priceTags });
    const packMatched = packMatch.matchedTruth.filter(Boolean).length;
    counts.product.labelled += packCorners.length;
    counts.product.predicted += o.packs.length;
    counts.product.matched += packMatched;
    counts.price_tag.labelled += tagCorners.length;
    counts.price_tag.predicted += o.priceTags.length;
    counts.price_tag.matched += tagMatch.matchedTruth.filter(Boolean).length;

    const photoFragments = fragments(packCorners, o.packs, packMatch).length;
    fragmentCount += photoFragments;
    duplicateCount += duplicates(packCorners, o.packs, packMatch).length;
    const photoFalseAlarms = gapFalseAlarms(packCorners, o.gaps);
    gapsReported += o.gaps.length;
    falseAlarms += photoFalseAlarms;
    gapsLabelled += gapCorners.length;
    gapHits += gapsFound(gapCorners, o.gaps);

    if (truePacks.some((b) => b.brandLegible !== undefined)) legible.marked = true;
    if (truePacks.some((b) => b.sku !== undefined)) skuLabelled = true;
    o.packs.forEach((p, k) => {
      const truth = truePacks[packMatch.truthOf[k]!];
      if (truth) skuPairs.push({ truth, sku: p.sku });
      const brand = truth?.brand;
      if (brand === undefined) return;
      brandLabelled++;
      if (sameBrand(p.brand, brand)) brandRight++;
      if (truth!.brandLegible) {
        legible.matched++;
        if (sameBrand(p.brand, brand)) legible.right++;
      }
      if (sameBrand(p.brand, 'unknown')) return;
      brandNamed++;
      if (sameBrand(p.brand, brand)) brandNamedRight++;
    });
    if (o.recognisedOnLabelledBoxes) {
      onBoxes.measured = true;
      skuPairsOnBoxes ??= [];
      for (const [k, truth] of truePacks.entries()) skuPairsOnBoxes.push({ truth, sku: o.recognisedOnLabelledBoxes[k]?.sku ?? 'unknown' });
      truePacks.forEach((b, k) => {
        const read = o.recognisedOnLabelledBoxes![k]?.brand ?? 'unknown';
        if (b.brand === undefined) return;
        onBoxes.labelled++;
        if (sameBrand(read, b.brand)) onBoxes.right++;
        if (b.brandLegible) {
          legible.onBoxes++;
          if (sameBrand(read, b.brand)) legible.rightOnBoxes++;
        }
        if (sameBrand(read, 'unknown')) return;
        onBoxes.named++;
        if (sameBrand(read, b.brand)) onBoxes.namedRight++;
      });
      if (truePacks.some((b) => b.brand !== undefined))
        onBoxes.shareErrors.push(
          shareErrorPoints(
            shareByWidth(truePacks.map((b) => ({ box: toCorners(b.bbox), brand: b.brand }))),
            shareByWidth(truePacks.map((b, k) => ({ box: toCorners(b.bbox), brand: o.recognisedOnLabelledBoxes![k]?.brand }))),
          ),
        );
    }
    const trueTags = truthOf('price_tag');
    add(prices, priceFigures(trueTags, o.priceTags));
    if (o.pricesOnLabelledBoxes) {
      pricesOnBoxes ??= { labelled: 0, read: 0, right: 0, wrong: 0 };
      // Each labelled box read in place: its own box, so it always matches itself.
      const readInPlace = trueTags.flatMap((t, k) => {
        const price = o.pricesOnLabelledBoxes![k];
        return price === null || price === undefined ? [] : [{ box: toCorners(t.bbox), score: 1, price }];
      });
      add(pricesOnBoxes, priceFigures(trueTags, readInPlace));
    }
    const brandsLabelled = truePacks.some((b) => b.brand !== undefined);
    const shareError = brandsLabelled
      ? shareErrorPoints(shareByWidth(truePacks.map((b) => ({ box: toCorners(b.bbox), brand: b.brand }))), shareByWidth(o.packs))
      : null;
    if (shareError !== null) shareErrors.push(shareError);
    perPhoto.push({
      file: o.fileName,
      packs: packCorners.length,
      predicted: o.packs.length,
      matched: packMatched,
      fragments: photoFragments,
      gap_false_alarms: photoFalseAlarms,
      share_error_points: shareError === null ? null : round(shareError, 1),
      latency_ms: Math.round(o.latencyMs),
    });
  }

  const figures = (c: 'product' | 'price_tag'): ClassFigures => ({
    ...counts[c],
    recall: round(ratio(counts[c].matched, counts[c].labelled)),
    precision: round(ratio(counts[c].matched, counts[c].predicted)),
    ap50: round(averagePrecision(classImages[c], 0.5)),
  });
  const latencies = outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
  return {
    photos: outcomes.length,
    labelled_packs: counts.product.labelled,
    classes: { product: figures('product'), price_tag: figures('price_tag') },
    fragments: fragmentCount,
    fragment_rate: round(ratio(fragmentCount, counts.product.predicted)),
    duplicates: duplicateCount,
    gaps_reported: gapsReported,
    gap_false_alarms: falseAlarms,
    gaps_labelled: gapsLabelled,
    gap_recall: gapsLabelled > 0 ? round(gapHits / gapsLabelled) : null,
    brand_labelled_matched: brandLabelled,
    brand_accuracy: brandLabelled > 0 ? round(brandRight / brandLabelled) : null,
    brand_named: brandNamed,
    brand_named_precision: brandNamed > 0 ? round(brandNamedRight / brandNamed) : null,
    sku: skuLabelled ? { matched: skuFigures(skuPairs, shotSkus), labelled_boxes: skuPairsOnBoxes && skuFigures(skuPairsOnBoxes, shotSkus) } : null,
    brand_legible: legible.marked
      ? {
          matched: legible.matched,
          accuracy: legible.matched > 0 ? round(legible.right / legible.matched) : null,
          labelled_boxes: legible.onBoxes,
          accuracy_on_labelled_boxes: onBoxes.measured && legible.onBoxes > 0 ? round(legible.rightOnBoxes / legible.onBoxes) : null,
        }
      : null,
    brand_on_labelled_boxes: onBoxes.measured
      ? {
          labelled: onBoxes.labelled,
          accuracy: round(ratio(onBoxes.right, onBoxes.labelled)),
          named: onBoxes.named,
          named_precision: onBoxes.named > 0 ? round(onBoxes.namedRight / onBoxes.named) : null,
          share_error_points: onBoxes.shareErrors.length > 0 ? round(onBoxes.shareErrors.reduce((a, b) => a + b, 0) / onBoxes.shareErrors.length, 1) : null,
        }
      : null,
    share_error_points:
      shareErrors.length > 0 ? { mean: round(shareErrors.reduce((a, b) => a + b, 0) / shareErrors.length, 1), max: round(Math.max(...shareErrors), 1) } : null,
    prices: prices.labelled > 0 ? prices : null,
    prices_on_labelled_boxes: prices.labelled > 0 ? pricesOnBoxes : null,
    latency_p50_ms: latencies.length > 0 ? Math.round(latencies[Math.floor((latencies.length - 1) / 2)]!) : 0,
    per_photo: perPhoto,
  };
}

const priceLine = (f: PriceFigures | null) =>
  f === null ? 'n/a (no price labelled)' : `${f.labelled} labelled, ${f.read} read: ${f.right} right to the cent, ${f.wrong} wrong`;

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)} %`);
const skuLine = (f: SkuFigures) =>
  `${f.accuracy === null ? 'n/a' : `${pct(f.accuracy)} of ${f.labelled}`}, named right ${f.named_precision === null ? 'n/a (none named)' : `${pct(f.named_precision)} of ${f.named}`}` +
  `${f.with_pack_shot ? `, SKUs with a pack shot ${f.with_pack_shot.accuracy === null ? 'n/a' : `${pct(f.with_pack_shot.accuracy)} of ${f.with_pack_shot.labelled}`}` : ''} (reference facings aside)`;

/** The card as a person reads it in a terminal. */
export function formatModelCard(card: ModelCard, about: { detector: string; minScore: number }): string {
  const row = (cells: (string | number)[]) =>
    cells
      .map((c, i) =>
        String(c)
          .padStart(i === 0 ? 0 : 10)
          .padEnd(i === 0 ? 10 : 0),
      )
      .join(' ');
  const lines = [
    `Model card — ${card.photos} photos, ${card.labelled_packs} labelled packs; detector ${about.detector}, min score ${about.minScore}`,
    '',
    row(['class', 'labelled', 'predicted', 'matched', 'recall', 'precision', 'AP@0.5']),
    ...(['product', 'price_tag'] as const).map((c) => {
      const f = card.classes[c];
      return row([c, f.labelled, f.predicted, f.matched, f.recall.toFixed(3), f.precision.toFixed(3), f.ap50.toFixed(3)]);
    }),
    '',
    `fragments (pack boxes mostly inside another pack)  ${card.fragments} (${pct(card.fragment_rate)} of pack boxes)`,
    `duplicates                                         ${card.duplicates}`,
    `gaps reported                                      ${card.gaps_reported}, of them where a pack stands: ${card.gap_false_alarms}`,
    `gap recall                                         ${card.gap_recall === null ? 'n/a (no gap labelled)' : `${pct(card.gap_recall)} of ${card.gaps_labelled}`}`,
    `brand accuracy (matched packs with a brand label)  ${card.brand_accuracy === null ? 'n/a (no brand labelled)' : `${pct(card.brand_accuracy)} of ${card.brand_labelled_matched}`}`,
    `named brands right (matched packs given a brand)   ${card.brand_named_precision === null ? 'n/a (none named)' : `${pct(card.brand_named_precision)} of ${card.brand_named}`}`,
    ...(card.brand_legible
      ? [
          `brand accuracy where the brand is legible          ${card.brand_legible.accuracy === null ? 'n/a' : `${pct(card.brand_legible.accuracy)} of ${card.brand_legible.matched}`} matched packs${card.brand_legible.accuracy_on_labelled_boxes === null ? '' : `, ${pct(card.brand_legible.accuracy_on_labelled_boxes)} of ${card.brand_legible.labelled_boxes} labelled boxes`}`,
        ]
      : []),
    ...(card.sku
      ? [
          `SKU accuracy (matched packs with a SKU label)      ${skuLine(card.sku.matched)}`,
          ...(card.sku.labelled_boxes ? [`SKU accuracy on the labelled boxes                ${skuLine(card.sku.labelled_boxes)}`] : []),
        ]
      : []),
    ...(card.brand_on_labelled_boxes
      ? [
          `brand accuracy on the labelled boxes              ${pct(card.brand_on_labelled_boxes.accuracy)} of ${card.brand_on_labelled_boxes.labelled}, named right ${pct(card.brand_on_labelled_boxes.named_precision)} of ${card.brand_on_labelled_boxes.named}, share error mean ${card.brand_on_labelled_boxes.share_error_points ?? 'n/a'} points`,
        ]
      : []),
    `share of shelf by brand, worst brand error         ${card.share_error_points === null ? 'n/a' : `mean ${card.share_error_points.mean} points, worst photo ${card.share_error_points.max} points`}`,
    `tag prices (labelled tags with a price)            ${priceLine(card.prices)}`,
    ...(card.prices_on_labelled_boxes ? [`tag prices read on the labelled tag boxes          ${priceLine(card.prices_on_labelled_boxes)}`] : []),
    `photo latency p50                                  ${card.latency_p50_ms} ms`,
    '',
    row(['photo', 'packs', 'boxes', 'matched', 'fragments', 'gap alarms', 'share err']).replace('photo     ', 'photo'.padEnd(28)),
    ...card.per_photo.map(
      (p) =>
        `${p.file.slice(0, 27).padEnd(28)}${row(['', p.packs, p.predicted, p.matched, p.fragments, p.gap_false_alarms, p.share_error_points ?? 'n/a'])
          .trimStart()
          .padStart(65)}`,
    ),
  ];
  return lines.join('\n');
}
