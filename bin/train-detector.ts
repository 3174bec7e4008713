/**
 * `shelfpulse train-detector DIR --out MODEL_DIR`: a chain's own labelled shelf photos make the detector theirs in
 * one command. A share of the photos is kept aside; the rest, cut into training views beside rendered bays (which
 * keep what the renders teach: price tags, clean pack edges), fine-tune the current detector with
 * models/shelf-detector/train.py (on a GPU when torch sees one, else on the CPU). The new model folder gets its
 * manifest, and the photos kept aside score the detector before and after, side by side, so the switch
 * (SHELFPULSE_VISION_MODEL_DIR=MODEL_DIR, no code change) is made on figures from the chain's own stores.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifest } from '../vision/detector.ts';
import { formatModelCard, type ModelCard } from '../vision/evaluation.ts';
import type { LabelledPhoto } from '../vision/labels.ts';
import { photoFile, readLabelledPhotos } from '../vision/labelled-photos.ts';
import { DEFAULT_MODEL_DIR } from '../vision/settings.ts';
import { photosKeptAside, writePhotoViews, writeRenderViews } from '../models/shelf-detector/training-set.ts';
import { evaluatePhotos } from './eval-photos.ts';

const TRAIN_PY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../models/shelf-detector/train.py');

/** Why a training run could not start or finish, in words that say what to do. */
export class TrainingError extends Error {
  override name = 'TrainingError';
}

export interface TrainDetectorOptions {
  /** The folder the new model is written to (model.onnx, manifest.json, model-card.txt); it must be new or empty. */
  out: string;
  /** A label file kept outside DIR (COCO JSON or a SKU-110K CSV). */
  labels?: string;
  /** The model to fine-tune: one this recipe made (the bundled detector by default). */
  from?: string;
  /** Training time (the learning rate follows it); 30 by default, about 1,000 steps of 16 on two CPU cores. */
  minutes?: number;
  /** The share of photos kept aside to measure, 0.2 by default (at least one photo when there are two or more). */
  keepAside?: number;
  /** Training views a photo (the whole photo, then random crops), 24 by default. */
  views?: number;
  /** Rendered bays beside the photos, 360 by default (a third of them store-like): 0 trains on the photos alone. */
  renders?: number;
  /** The model folder's name in its manifest (shown as the analysis' `detector`); the folder's name by default. */
  name?: string;
  /** The Python with torch, numpy, Pillow and onnx (findPython). */
  python?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface TrainDetectorResult {
  modelDir: string;
  trainedOn: string[];
  keptAside: string[];
  /** The model cards on the photos kept aside (null when none was). */
  before: ModelCard | null;
  after: ModelCard | null;
}

/**
 * The Python that trains: the one given, else the first of `python3` on the PATH and Debian's own that has torch (a
 * pyenv or virtualenv python3 often lacks Debian's python3-torch).
 */
export function findPython(given?: string): string {
  const candidates = given ? [given] : ['python3', '/usr/bin/python3'];
  const failures: string[] = [];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch, numpy, PIL, onnx'], { encoding: 'utf8' });
    if (!probe.error && probe.status === 0) return python;
    failures.push(`${python}: ${probe.error?.message ?? probe.stderr.trim().split('\n').at(-1)}`);
  }
  throw new TrainingError(
    `no Python here can train the detector (${failures.join('; ')}): it needs torch 1.13 or newer, numpy, Pillow and onnx (Debian: apt install python3-torch python3-numpy python3-pil python3-onnx), or give one with --python`,
  );
}

/** Whether train.py can start from this export (the network it trains, not another YOLO): asked before hours of work. */
function checkFineTunable(python: string, onnx: string): void {
  const script = `import sys; sys.path.insert(0, sys.argv[1]); import train; train.load_onnx(train.ShelfNet(), sys.argv[2])`;
  // -B: no __pycache__ written beside train.py.
  const probe = spawnSync(python, ['-B', '-c', script, path.dirname(TRAIN_PY), onnx], { encoding: 'utf8' });
  if (probe.status !== 0)
    throw new TrainingError(
      `${onnx} cannot be fine-tuned by this recipe (${probe.stderr.trim().split('\n').at(-1)}): --from takes the bundled detector or a model train-detector made; train another architecture with its own tools (see "Your own detector")`,
    );
}

function runTraining(python: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [TRAIN_PY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    // Whole lines: a chunk of the pipe may end inside one.
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.trim()) log(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (err) => reject(new TrainingError(`${python} did not start: ${err.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new TrainingError(`training stopped (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`)),
    );
  });
}

/** The figures of a card that say whether the detector got better on the chain's shelves. */
const headline = (card: ModelCard) => ({
  recall: card.classes.product.recall,
  precision: card.classes.product.precision,
  map50: card.classes.product.ap50,
  fragments: card.fragments,
  gap_false_alarms: card.gap_false_alarms,
  price_tag_recall: card.classes.price_tag.recall,
});

export async function trainDetector(dir: string, options: TrainDetectorOptions): Promise<TrainDetectorResult> {
  const log = options.log ?? (() => {});
  const from = path.resolve(options.from ?? DEFAULT_MODEL_DIR);
  const out = path.resolve(options.out);
  if (out === from) throw new TrainingError('--out must be a new folder: the model trained from is measured against the new one');
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new TrainingError(`${out} is not empty: give a new or empty folder for the new model`);
  const fromManifest = readManifest(from);
  if (!fs.existsSync(path.join(from, 'model.onnx'))) throw new TrainingError(`${from} has no model.onnx to fine-tune`);
  const python = findPython(options.python);
  checkFineTunable(python, path.join(from, 'model.onnx'));

  const { photos, imageDir } = await readLabelledPhotos(dir, options.labels);
  const labelled = photos.filter((p) => p.boxes.some((b) => b.label === 'product'));
  if (labelled.length === 0) throw new TrainingError(`${dir} has no photo with a labelled pack (class product, or object as SKU-110K names it)`);
  const aside = photosKeptAside(
    labelled.map((p) => p.fileName),
    options.keepAside ?? 0.2,
  );
  const training = labelled.filter((p) => !aside.has(p.fileName));
  const measured = labelled.filter((p) => aside.has(p.fileName));

  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-train-'));
  try {
    const views = options.views ?? 24;
    const renders = options.renders ?? 360;
    const fileOf = (photo: LabelledPhoto) => photoFile(imageDir, photo);
    const photoViews = await writePhotoViews(training, fileOf, data, views);
    log(`${photoViews} views of ${training.length} photos written; ${measured.length} photos kept aside to measure`);
    // Seeds 3000.. and 5000..: training seeds, never the eval's (900000..) or the bench's (950000..).
    const storeLike = Math.round(renders / 3);
    await writeRenderViews(data, 3000, renders - storeLike);
    await writeRenderViews(data, 5000, storeLike, 'store');
    if (renders > 0) log(`${renders} rendered bays written beside them`);

    const minutes = options.minutes ?? 30;
    const batch = Math.min(16, photoViews + renders);
    const args = ['--init', path.join(from, 'model.onnx'), '--minutes', `${minutes}`, '--batch', `${batch}`, '--lr', '1e-3', '--warmup', '20', '--val', '0'];
    fs.mkdirSync(out, { recursive: true });
    try {
      log(`fine-tuning ${fromManifest.name} for ${minutes} min (${python} ${path.relative(process.cwd(), TRAIN_PY)})`);
      await runTraining(python, [data, out, ...args], log);
    } catch (err) {
      // The folder was new or empty: a run that failed leaves nothing half-made in it.
      fs.rmSync(out, { recursive: true, force: true });
      throw err;
    }

    const run = JSON.parse(fs.readFileSync(path.join(out, 'training.json'), 'utf8')) as Record<string, unknown>;
    // train.py's by-products: the run is recorded in the manifest, and the ONNX export is what is loaded.
    for (const f of ['training.json', 'weights.pt']) fs.rmSync(path.join(out, f), { force: true });
    const writeManifest = (metrics?: object) =>
      fs.writeFileSync(
        path.join(out, 'manifest.json'),
        `${JSON.stringify(
          {
            name: options.name ?? path.basename(out),
            layout: 'yolov8',
            input: { width: 512, height: 512 },
            labels: ['product', 'price_tag'],
            licence: `your own: ${fromManifest.name} (${fromManifest.licence ?? 'see its manifest'}) fine-tuned on your labelled photos`,
            training: {
              recipe: `shelfpulse train-detector (train.py ${args.join(' ')})`,
              from: fromManifest.name,
              photos: training.map((p) => p.fileName),
              photos_kept_aside: measured.map((p) => p.fileName),
              views_a_photo: views,
              rendered_bays: renders,
              ...run,
            },
            ...(metrics ? { metrics } : {}),
          },
          null,
          2,
        )}\n`,
      );
    // Written before the measuring: the new model loads through it.
    writeManifest();
    if (measured.length === 0) return { modelDir: out, trainedOn: training.map((p) => p.fileName), keptAside: [], before: null, after: null };

    log(`measuring both detectors on the ${measured.length} photos kept aside`);
    const before = await evaluatePhotos(measured, imageDir, { modelDir: from });
    const after = await evaluatePhotos(measured, imageDir, { modelDir: out });
    const cards = [
      `Before — ${formatModelCard(before.card, before)}`,
      `After — ${formatModelCard(after.card, after)}`,
      `Photos kept aside: ${measured.map((p) => p.fileName).join(', ')}`,
    ];
    fs.writeFileSync(path.join(out, 'model-card.txt'), `${cards.join('\n\n')}\n`);
    writeManifest({
      photos_kept_aside: { photos: measured.length, labelled_packs: after.card.labelled_packs, before: headline(before.card), after: headline(after.card) },
    });
    return { modelDir: out, trainedOn: training.map((p) => p.fileName), keptAside: measured.map((p) => p.fileName), before: before.card, after: after.card };
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
}
