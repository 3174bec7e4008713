import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { evaluateDay, type EvaluationSummary } from '../analytics/alerts/evaluate.ts';
import { upsertMasterData } from '../analytics/master-data.ts';
import { photoById } from '../analytics/photos.ts';
import type { RuleThresholds } from '../analytics/rules/thresholds.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import { CATALOG } from './demo-packs.ts';
import { registerDemoCatalogue } from './demo-catalogue.ts';
import { ProductCatalogue } from '../pipelines/product-catalogue.ts';
import { renderShelf, type RenderOptions } from './render.ts';
import { writeFileAtomic } from '../pipelines/atomic-file.ts';
import { PhotoStore } from '../pipelines/photo-store.ts';
import { PhotoIntake } from '../pipelines/photo-intake.ts';
import { addDays } from '../lib/days.ts';

/**
 * The demo chain's shelf photos: one bay in every fifth store, photographed on a recent visit by the synthetic
 * renderer and analysed by the same path an upload takes (its bay's stored planogram, the analysis thread, the
 * photo store, the photo and shelf-observation rows). A few bays carry a problem for the vision alerts to find.
 */
export type ShelfProblem = 'none' | 'gaps' | 'low_share' | 'planogram_missing' | 'planogram_misplaced';

/** The problems in turn, on every fourth photographed bay (the others are in order). */
const PROBLEMS: readonly ShelfProblem[] = ['gaps', 'low_share', 'planogram_missing', 'planogram_misplaced'];

export interface DemoBay {
  store_id: string;
  bay: string;
  /** Store-local day of the visit (one of the last three closed days). */
  day: string;
  taken_at: string;
  seed: number;
  problem: ShelfProblem;
}

/** Which bays are photographed, when, and with which problem: deterministic for the stores and the last closed day. */
export function demoBays(storeIds: readonly string[], asOf: string): DemoBay[] {
  return storeIds
    .filter((_, i) => i % 5 === 1)
    .map((store_id, k) => {
      const day = addDays(asOf, -(k % 3));
      return {
        store_id,
        bay: 'A1',
        day,
        // Morning visits (China Standard Time, like the rest of the demo history).
        taken_at: `${day}T09:${String(10 + (k % 40)).padStart(2, '0')}:00+08:00`,
        seed: 710_000 + k,
        problem: k % 4 === 1 ? PROBLEMS[Math.floor(k / 4) % PROBLEMS.length]! : 'none',
      };
    });
}

/**
 * Bays small enough to analyse in well under a second on two cores (1600 × 1200, four shelf rows), photographed
 * square on and sharp so that the problems planted are the ones found. Sold-out facings make gaps; competitor
 * packs on most of the bay make a low share of shelf.
 */
export function demoRenderOptions(problem: ShelfProblem): RenderOptions {
  const base: RenderOptions = { width: 1600, height: 1200, rows: 4, gapRate: 0, blurSigma: 0, tiltDeg: 0, noise: 3, jpegQuality: 88 };
  if (problem === 'gaps') return { ...base, gapRate: 0.12 };
  if (problem === 'low_share') return { ...base, competitorRate: 0.95 };
  return base;
}

const OWN_SKUS = CATALOG.filter((s) => !s.is_competitor).map((s) => s.sku);
const isOwn = (sku: string) => OWN_SKUS.includes(sku);

/** Own SKUs that stand in exactly one row of the layout, with that row. */
function ownSkusOfOneRow(layout: readonly string[][]): { sku: string; row: number }[] {
  const rowsOf = new Map<string, Set<number>>();
  layout.forEach((row, r) => row.forEach((sku) => rowsOf.set(sku, (rowsOf.get(sku) ?? new Set()).add(r))));
  return [...rowsOf].filter(([sku, rows]) => isOwn(sku) && rows.size === 1).map(([sku, rows]) => ({ sku, row: [...rows][0]! }));
}

/**
 * The planogram an admin would have put for the bay, given what the bay really holds: the same layout, except
 * where the demo plants a deviation. `planogram_missing`: one own SKU of the layout is planned as another own SKU
 * that the bay does not carry (that SKU is missing); `planogram_misplaced`: two own SKUs of different rows swap
 * rows in the plan (both are misplaced). Returns the plan and the own SKUs the planogram alert should name.
 */
export function demoPlanogram(layout: readonly string[][], problem: ShelfProblem): { planogram: string[][]; skus: string[] } {
  const planogram = layout.map((row) => [...row]);
  const candidates = ownSkusOfOneRow(layout);
  const replace = (from: string, to: string, row: number) => (planogram[row] = planogram[row]!.map((sku) => (sku === from ? to : sku)));
  if (problem === 'planogram_missing') {
    const onBay = new Set(layout.flat());
    const absent = OWN_SKUS.find((sku) => !onBay.has(sku));
    const replaced = candidates[0];
    if (!absent || !replaced) return { planogram, skus: [] };
    replace(replaced.sku, absent, replaced.row);
    return { planogram, skus: [absent] };
  }
  if (problem === 'planogram_misplaced') {
    const [a] = candidates;
    const b = candidates.find((c) => a && c.row !== a.row);
    if (!a || !b) return { planogram, skus: [] };
    replace(a.sku, b.sku, a.row);
    replace(b.sku, a.sku, b.row);
    return { planogram, skus: [a.sku, b.sku].sort() };
  }
  return { planogram, skus: [] };
}

export interface DemoShelves {
  ms: number;
  /** The bays photographed; a planted planogram deviation names the own SKUs its alert is about. */
  bays: (DemoBay & { photo_id: string; planogram_skus: string[] })[];
  /** Bays found already analysed (by an earlier start that was stopped) and not analysed again. */
  resumed: number;
  /** The close of the last day run again with the photos in: the vision alerts it opened. */
  alerts: EvaluationSummary;
}

/**
 * Puts the demo bays' planograms, photographs and analyses the bays one after the other (the next bay renders while
 * the analysis thread works on the current one) and closes the last day again so the vision alerts open.
 * Deterministic for the stores and the day: the same photos, the same analysis, the same alerts. A bay whose photo
 * (the same bytes, so the same id) is already recorded is skipped, so a run stopped midway is finished by the next;
 * `signal` stops it between two bays.
 */
export async function photographDemoShelves(
  deps: { warehouse: Warehouse; photoFiles: PhotoStore },
  storeIds: readonly string[],
  options: { asOf: string; timezone: string; thresholds: RuleThresholds; logger: Logger; signal?: AbortSignal },
): Promise<DemoShelves> {
  const started = Date.now();
  // No publisher: the prices printed by the renderer are the vision catalog's, not the demo chain's, and the
  // demo's competitor prices are already in its history.
  const catalogue = new ProductCatalogue(deps.warehouse, deps.photoFiles);
  // The demo chain's packs are recognised as a chain's are: from the product master and its reference images.
  await registerDemoCatalogue(deps.warehouse, catalogue);
  const intake = new PhotoIntake({ ...deps, catalogue, timezone: options.timezone });
  const bays = demoBays(storeIds, options.asOf);
  const render = (bay: DemoBay) => renderShelf(bay.seed, demoRenderOptions(bay.problem));
  const photographed: DemoShelves['bays'] = [];
  let resumed = 0;
  let next = bays.length > 0 ? render(bays[0]!) : undefined;
  for (let i = 0; i < bays.length; i++) {
    const bay = bays[i]!;
    const { jpeg, truth } = await next!;
    options.signal?.throwIfAborted();
    next = i + 1 < bays.length ? render(bays[i + 1]!) : undefined;
    const { planogram, skus } = demoPlanogram(truth.planogram, bay.problem);
    const photoId = PhotoStore.idOf(jpeg);
    photographed.push({ ...bay, photo_id: photoId, planogram_skus: skus });
    // The photo row is the last thing the intake records of a bay, so a bay that has it is complete.
    if (await photoById(deps.warehouse, photoId)) {
      resumed++;
      continue;
    }
    await upsertMasterData(deps.warehouse, 'planograms', [{ store_id: bay.store_id, bay: bay.bay, shelf_rows: planogram }]);
    const visit = {
      store_id: bay.store_id,
      visit_id: `DEMO-${bay.store_id}-${bay.day}`,
      bay: bay.bay,
      taken_at: new Date(bay.taken_at).toISOString(),
      lat: null,
      lon: null,
    };
    await intake.accept(visit, [{ filename: `${bay.store_id}-${bay.bay}.jpg`, bytes: jpeg }]);
    options.logger.debug({ store_id: bay.store_id, bay: bay.bay, photo_id: photoId, done: i + 1, of: bays.length }, 'demo bay photographed');
  }
  const { summary } = await evaluateDay(deps.warehouse, options.asOf, options.thresholds, options.timezone);
  const ms = Date.now() - started;
  const problems = photographed.filter((b) => b.problem !== 'none').map((b) => `${b.store_id}:${b.problem}`);
  options.logger.info({ photos: photographed.length, resumed, problems, alerts: summary.by_type, ms }, 'demo shelf photos analysed');
  return { ms, bays: photographed, resumed, alerts: summary };
}

/**
 * What the data dir remembers of the demo's shelf photos: the stores and the day they are for, and whether the close
 * with them in has run. Written when the demo chain is loaded, before the first bay, so that a start stopped during
 * the photos (SIGTERM, kill) finishes them on the next start instead of taking the demo for done.
 */
export interface DemoShelvesPlan {
  as_of: string;
  store_ids: string[];
  closed: boolean;
}

const planFile = (dataDir: string) => path.join(dataDir, 'demo-shelves.json');

export async function planDemoShelves(dataDir: string, storeIds: readonly string[], asOf: string): Promise<void> {
  const plan: DemoShelvesPlan = { as_of: asOf, store_ids: [...storeIds], closed: false };
  await writeFileAtomic(planFile(dataDir), JSON.stringify(plan));
}

/**
 * Photographs the bays of the data dir's demo plan that are not yet recorded and closes its day with them in, once:
 * then the plan is marked closed and later starts do nothing. Undefined when there is no plan or it is done.
 */
export async function finishDemoShelves(
  deps: { warehouse: Warehouse; photoFiles: PhotoStore; dataDir: string },
  options: { timezone: string; thresholds: RuleThresholds; logger: Logger; signal?: AbortSignal },
): Promise<DemoShelves | undefined> {
  const text = await fs.readFile(planFile(deps.dataDir), 'utf8').catch(() => undefined);
  const plan = text === undefined ? undefined : (JSON.parse(text) as DemoShelvesPlan);
  if (!plan || plan.closed) return undefined;
  const shelves = await photographDemoShelves({ warehouse: deps.warehouse, photoFiles: deps.photoFiles }, plan.store_ids, { ...options, asOf: plan.as_of });
  await writeFileAtomic(planFile(deps.dataDir), JSON.stringify({ ...plan, closed: true }));
  return shelves;
}
