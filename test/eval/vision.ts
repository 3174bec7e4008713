/**
 * `npm run eval:vision [-- COUNT]`: the shelf vision pipeline on a fixed held-out synthetic set and prints JSON.
 * Seeds 900000.. are never used for training (models/shelf-detector/export-data.ts uses 1000..9999).
 * Detector mAP is computed from a low-threshold pass (the PR curve needs low scores); the other figures from
 * analyzeShelfPhoto exactly as the capture path runs it.
 * `npm run eval:vision -- --text-only [COUNT]`: the same with a catalogue of brand and name only (no reference images,
 * no aliases), so that the pack text alone recognises: brand_accuracy is then the text's.
 * `npm run eval:vision -- --photos DIR [--min-score S]`: your own labelled photos instead, scored as
 * `shelfpulse eval-photos DIR --json` scores them.
 * `npm run eval:vision -- --leave-out N [COUNT]`: each bay with its N most faced SKUs missing from the catalogue (no
 * reference image, no words, a name the pack does not print), as products a chain has not registered yet: their
 * packs must stay `unknown` (left_out_named counts those given a SKU, every one wrong); the rest are scored as usual.
 * How recognition's thresholds (vision/recognize.ts THRESHOLDS) are checked against products it does not know.
 */
import sharp from 'sharp';
import { evaluatePhotoDir } from '../../bin/eval-photos.ts';
import { loadConfig } from '../../pipelines/config.ts';
import { analyzeShelfPhoto, loadVisionModels } from '../../vision/analyze.ts';
import { iou, type Corners } from '../../vision/detector.ts';
import { averagePrecision } from '../../vision/evaluation.ts';
import { demoRecognitionCatalogue } from '../../synthetic/demo-catalogue.ts';
import { renderShelf, type Box, type ShelfTruth } from '../../synthetic/render.ts';
import { assignRows, shareOfShelf } from '../../vision/shelf.ts';
import { facingsBySku, unregistered } from '../support/untaught-pack.ts';

export const EVAL_SEED = 900_000;
const textOnly = process.argv.includes('--text-only');
const leaveOutArg = process.argv.indexOf('--leave-out');
const leaveOut = leaveOutArg > 0 ? Number(process.argv[leaveOutArg + 1]) : 0;
const count = Number(process.argv.slice(2).find((a, i, all) => /^\d+$/.test(a) && all[i - 1] !== '--leave-out') ?? 40);

const corners = (b: Box | [number, number, number, number]): Corners => [b[0], b[1], b[0] + b[2], b[1] + b[3]];

/** Ground-truth gaps as spans: adjacent sold-out facings in a row are one empty span. */
function gapSpans(truth: ShelfTruth): Corners[] {
  const spans: Corners[] = [];
  const sorted = [...truth.gaps].sort((a, b) => a.row - b.row || a.bbox[0] - b.bbox[0]);
  let current: Corners | null = null;
  let row = -1;
  for (const g of sorted) {
    const c = corners(g.bbox);
    if (current && g.row === row && c[0] - current[2] < (c[2] - c[0]) * 0.6)
      current = [current[0], Math.min(current[1], c[1]), c[2], Math.max(current[3], c[3])];
    else {
      if (current) spans.push(current);
      current = c;
      row = g.row;
    }
  }
  if (current) spans.push(current);
  return spans;
}

const spanMatch = (a: Corners, b: Corners) => {
  const inter = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const union = Math.max(a[2], b[2]) - Math.min(a[0], b[0]);
  const vertical = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return inter / union >= 0.3 && vertical > 0;
};

const { vision } = loadConfig(process.env);

async function main() {
  const demo = await demoRecognitionCatalogue();
  const catalogue = textOnly ? { products: demo.products.map((p) => ({ ...p, aliases: [], references: [] })) } : demo;
  const models = await loadVisionModels({ modelDir: vision.modelDir, intraOpNumThreads: 2, catalogue });
  const labels = models.detector.manifest.labels;
  const perClass = labels.map(() => [] as { truth: Corners[]; found: { box: Corners; score: number }[] }[]);
  let skuRight = 0;
  let skuMatched = 0;
  let skuNamed = 0;
  let skuNamedRight = 0;
  let brandRight = 0;
  let brandNamed = 0;
  let brandNamedRight = 0;
  const recognizedBy: Record<string, number> = {};
  let facingsError = 0;
  let facingsCells = 0;
  let shareError = 0;
  let shareFacingsError = 0;
  let shareCells = 0;
  let gapTruth = 0;
  let gapFound = 0;
  let gapHitTruth = 0;
  let gapHitFound = 0;
  let tagTruth = 0;
  let priceRight = 0;
  let priceSkuRight = 0;
  let planogramError = 0;
  const totals: number[] = [];
  let leftOutPacks = 0;
  let leftOutNamed = 0;
  for (let i = 0; i < count; i++) {
    const { jpeg, truth } = await renderShelf(EVAL_SEED + i);
    const truthFacings = facingsBySku(truth.products);
    const leftOut = new Set(
      [...truthFacings]
        .sort((a, b) => b[1] - a[1])
        .slice(0, leaveOut)
        .map(([sku]) => sku),
    );
    if (leaveOut > 0) await models.recognizer.setCatalogue(unregistered(catalogue, leftOut));
    const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const raw = await models.detector.detect({ data, width: info.width, height: info.height }, { minScore: 0.01 });
    const truthByClass = [truth.products.map((p) => corners(p.bbox)), truth.tags.map((t) => corners(t.bbox))];
    labels.forEach((label, c) => {
      const t = label === 'product' ? truthByClass[0]! : label === 'price_tag' ? truthByClass[1]! : [];
      perClass[c]!.push({ truth: t, found: raw.filter((d) => d.cls === c) });
    });

    const { analysis } = await analyzeShelfPhoto(jpeg, { models, planogram: truth.planogram, minScore: vision.minScore, packText: vision.packText });
    totals.push(analysis.timings_ms.total ?? 0);
    // SKU accuracy over detections matched to a ground-truth pack.
    for (const d of analysis.detections) {
      const match = truth.products.find((p) => iou(corners(p.bbox), corners(d.bbox)) >= 0.5);
      if (!match) continue;
      // A pack of a product left out counts in the named SKUs' precision when named (wrongly), not in the accuracy.
      if (leftOut.has(match.sku)) {
        leftOutPacks++;
        if (d.sku !== 'unknown') {
          leftOutNamed++;
          skuNamed++;
        }
        continue;
      }
      skuMatched++;
      if (match.sku === d.sku) skuRight++;
      if (match.brand === d.brand) brandRight++;
      if (d.brand !== 'unknown') {
        brandNamed++;
        if (match.brand === d.brand) brandNamedRight++;
      }
      recognizedBy[d.recognized_by] = (recognizedBy[d.recognized_by] ?? 0) + 1;
      if (d.sku === 'unknown') continue;
      skuNamed++;
      if (match.sku === d.sku) skuNamedRight++;
    }
    // Facings per SKU and share of shelf per brand, against the truth computed the same way.
    const found = new Map(analysis.facings.map((f) => [f.sku, f.facings]));
    for (const sku of new Set([...truthFacings.keys(), ...found.keys()])) {
      facingsError += Math.abs((truthFacings.get(sku) ?? 0) - (found.get(sku) ?? 0));
      facingsCells++;
    }
    const truthShare = shareOfShelf(
      assignRows(truth.products.map((p) => ({ box: corners(p.bbox), sku: p.sku, brand: p.brand, is_competitor: p.is_competitor }))),
    );
    for (const brand of new Set([...truthShare.map((s) => s.brand), ...analysis.share_of_shelf.map((s) => s.brand)])) {
      const t = truthShare.find((s) => s.brand === brand);
      const f = analysis.share_of_shelf.find((s) => s.brand === brand);
      shareError += Math.abs((t?.by_width ?? 0) - (f?.by_width ?? 0));
      shareFacingsError += Math.abs((t?.by_facings ?? 0) - (f?.by_facings ?? 0));
      shareCells++;
    }
    const spans = gapSpans(truth);
    const foundGaps = analysis.gaps.map((g) => corners(g.bbox));
    gapTruth += spans.length;
    gapFound += foundGaps.length;
    gapHitTruth += spans.filter((s) => foundGaps.some((g) => spanMatch(s, g))).length;
    gapHitFound += foundGaps.filter((g) => spans.some((s) => spanMatch(s, g))).length;
    tagTruth += truth.tags.length;
    for (const tag of truth.tags) {
      const read = analysis.prices.find((p) => iou(corners(p.bbox), corners(tag.bbox)) >= 0.3);
      if (read && Math.abs(read.price - tag.price) < 0.005) priceRight++;
      if (read && read.sku === tag.sku) priceSkuRight++;
    }
    const expectedFacings = truth.planogram.reduce((n, r) => n + r.length, 0);
    planogramError += Math.abs((analysis.planogram?.score ?? 0) - truth.products.length / expectedFacings);
  }
  const thresholds = Array.from({ length: 10 }, (_, k) => 0.5 + k * 0.05);
  const map = (c: number, ts: number[]) => ts.reduce((n, t) => n + averagePrecision(perClass[c]!, t), 0) / ts.length;
  const sortedTotals = [...totals].sort((a, b) => a - b);
  const r = (v: number, d = 3) => Number(v.toFixed(d));
  const result = {
    images: count,
    catalogue: textOnly ? 'brand and name only' : 'brand, name, aliases and one reference image per SKU',
    seed: EVAL_SEED,
    detector: models.detector.manifest.name,
    ...Object.fromEntries(
      labels.flatMap((label, c) => [
        [`${label}_map50`, r(map(c, [0.5]))],
        [`${label}_map50_95`, r(map(c, thresholds))],
      ]),
    ),
    map50: r(labels.reduce((n, _, c) => n + map(c, [0.5]), 0) / labels.length),
    map50_95: r(labels.reduce((n, _, c) => n + map(c, thresholds), 0) / labels.length),
    ...(leaveOut > 0 ? { left_out_per_bay: leaveOut, left_out_packs: leftOutPacks, left_out_named: leftOutNamed } : {}),
    sku_accuracy: r(skuRight / Math.max(1, skuMatched)),
    /** Of the packs given a SKU (not `unknown`), the share given the right one. */
    sku_named_precision: r(skuNamedRight / Math.max(1, skuNamed)),
    brand_accuracy: r(brandRight / Math.max(1, skuMatched)),
    /** Of the packs given a brand, the share given the right one. */
    brand_named_precision: r(brandNamedRight / Math.max(1, brandNamed)),
    recognized_by: recognizedBy,
    facings_abs_error_per_sku: r(facingsError / Math.max(1, facingsCells)),
    share_of_shelf_abs_error_points_by_width: r((100 * shareError) / Math.max(1, shareCells), 2),
    share_of_shelf_abs_error_points_by_facings: r((100 * shareFacingsError) / Math.max(1, shareCells), 2),
    gap_recall: r(gapHitTruth / Math.max(1, gapTruth)),
    gap_precision: r(gapHitFound / Math.max(1, gapFound)),
    gaps_truth: gapTruth,
    price_accuracy: r(priceRight / Math.max(1, tagTruth)),
    price_to_sku_accuracy: r(priceSkuRight / Math.max(1, tagTruth)),
    planogram_score_abs_error: r(planogramError / count),
    analyze_p50_ms: sortedTotals[Math.floor(count / 2)],
  };
  console.log(JSON.stringify(result, null, 2));
}

const photosArg = process.argv.indexOf('--photos');
if (photosArg >= 0) {
  const dir = process.argv[photosArg + 1];
  if (!dir) throw new Error('--photos needs the folder of labelled photos');
  const scoreArg = process.argv.indexOf('--min-score');
  const minScoreArg = scoreArg >= 0 ? Number(process.argv[scoreArg + 1]) : vision.minScore;
  const { card, detector, minScore } = await evaluatePhotoDir(dir, { modelDir: vision.modelDir, minScore: minScoreArg });
  console.log(JSON.stringify({ detector, min_score: minScore, ...card }, null, 2));
} else await main();
