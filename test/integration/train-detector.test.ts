/**
 * `shelfpulse train-detector`: a chain's labelled photos, in the SKU-110K CSV layout, fine-tune the bundled detector
 * with the real recipe (models/shelf-detector/train.py, torch on the CPU) into a model folder the product loads as it
 * is, measured before and after on the photos kept aside. A short run: what is checked is the whole path, not the
 * detector's quality (the README's Real shelves section measures that).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingError, trainDetector } from '../../bin/train-detector.ts';
import { writePhotoViews } from '../../models/shelf-detector/training-set.ts';
import { parseSku110kCsv } from '../../vision/labels.ts';
import { renderShelf } from '../../synthetic/render.ts';
import { analyzeShelfPhoto, loadVisionModels } from '../../vision/analyze.ts';

let dir: string;
let photos: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'train-detector-'));
  photos = path.join(dir, 'photos');
  fs.mkdirSync(photos);
  // Three bays of the eval's seeds (never trained on), written as a chain's export: JPEGs and one CSV row a box, the
  // class named as SKU-110K names it.
  const rows: string[] = [];
  for (const seed of [900101, 900102, 900103]) {
    const { jpeg, truth } = await renderShelf(seed, { width: 1600, height: 1200 });
    const file = `store-${seed}.jpg`;
    fs.writeFileSync(path.join(photos, file), jpeg);
    for (const { bbox } of truth.products)
      rows.push([file, ...[bbox[0], bbox[1], bbox[0] + bbox[2], bbox[1] + bbox[3]].map(Math.round), 'object', truth.width, truth.height].join(','));
  }
  fs.writeFileSync(path.join(photos, 'annotations.csv'), `${rows.join('\n')}\n`);
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('train-detector', () => {
  it('fine-tunes the bundled detector on the labelled photos into a model the product loads, scored before and after on the photos kept aside', async () => {
    const out = path.join(dir, 'our-detector');
    const lines: string[] = [];
    const result = await trainDetector(photos, { out, minutes: 0.1, views: 4, renders: 6, keepAside: 0.3, log: (l) => lines.push(l) });

    expect(result.keptAside).toEqual(['store-900102.jpg']);
    expect(result.trainedOn).toEqual(['store-900101.jpg', 'store-900103.jpg']);
    expect(lines.join('\n')).toMatch(/8 views of 2 photos written/);
    expect(fs.readdirSync(out).sort()).toEqual(['manifest.json', 'model-card.txt', 'model.onnx']);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'our-detector',
      layout: 'yolov8',
      labels: ['product', 'price_tag'],
      training: { from: 'shelfpulse-shelf-detector-v4', photos: result.trainedOn, photos_kept_aside: result.keptAside, rendered_bays: 6 },
    });
    expect(manifest.training.steps).toBeGreaterThan(0);
    const packs = fs
      .readFileSync(path.join(photos, 'annotations.csv'), 'utf8')
      .split('\n')
      .filter((r) => r.startsWith('store-900102.jpg')).length;
    for (const card of [result.before!, result.after!]) expect(card.labelled_packs).toBe(packs);
    expect(manifest.metrics.photos_kept_aside).toEqual({
      photos: 1,
      labelled_packs: packs,
      before: expect.objectContaining({ recall: result.before!.classes.product.recall, precision: result.before!.classes.product.precision }),
      after: expect.objectContaining({ recall: result.after!.classes.product.recall, precision: result.after!.classes.product.precision }),
    });
    expect(fs.readFileSync(path.join(out, 'model-card.txt'), 'utf8')).toMatch(
      /^Before — Model card — 1 photos.*shelfpulse-shelf-detector-v4[\s\S]*After — Model card — 1 photos.*our-detector/,
    );

    // Dropped in as it is: the analysis runs on it and names it.
    const models = await loadVisionModels({ modelDir: out, intraOpNumThreads: 2 });
    const { analysis } = await analyzeShelfPhoto(fs.readFileSync(path.join(photos, 'store-900102.jpg')), { models });
    expect(analysis.detector).toBe('our-detector');
    expect(analysis.detections.length).toBeGreaterThan(0);
  }, 240_000);

  it('refuses a folder that holds a model, a Python that cannot train, or a model this recipe cannot fine-tune, before writing anything', async () => {
    const taken = path.join(dir, 'taken');
    fs.mkdirSync(taken);
    fs.writeFileSync(path.join(taken, 'model.onnx'), 'x');
    await expect(trainDetector(photos, { out: taken })).rejects.toThrow(/is not empty/);
    const fresh = path.join(dir, 'fresh');
    await expect(trainDetector(photos, { out: fresh, python: path.join(dir, 'no-python') })).rejects.toThrow(TrainingError);
    await expect(trainDetector(photos, { out: fresh, python: path.join(dir, 'no-python') })).rejects.toThrow(/apt install python3-torch/);
    await expect(trainDetector(photos, { out: fresh, from: 'test/fixtures/ultralytics/one-class' })).rejects.toThrow(
      /cannot be fine-tuned by this recipe \(.*not the same architecture\)/,
    );
    expect(fs.existsSync(fresh)).toBe(false);
  });

  it('says on the command line what is wrong with the labels', () => {
    fs.writeFileSync(path.join(dir, 'bad.csv'), 'store.jpg,10,10,5,5,object,100,100\n');
    let stderr = '';
    try {
      execFileSync(process.execPath, ['bin/shelfpulse.mjs', 'train-detector', photos, '--labels', path.join(dir, 'bad.csv'), '--out', path.join(dir, 'x')], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      stderr = (err as { stderr: string }).stderr;
    }
    expect(stderr).toMatch(/shelfpulse train-detector: SKU-110K CSV row 1: x2 and y2 must be right of and below x1 and y1/);
  });
});

describe('training views of a labelled photo', () => {
  it('are the same whether the labels were drawn on the photo or on a smaller copy, and refused when drawn on a turned one', async () => {
    const photo = parseSku110kCsv(fs.readFileSync(path.join(photos, 'annotations.csv'), 'utf8'))[0]!;
    const half = {
      ...photo,
      width: photo.width / 2,
      height: photo.height / 2,
      boxes: photo.boxes.map((b) => ({ ...b, bbox: b.bbox.map((v) => v / 2) as typeof b.bbox })),
    };
    const turned = { ...photo, width: photo.height, height: photo.width };
    const fileOf = () => path.join(photos, photo.fileName);
    const [a, b] = [path.join(dir, 'views-a'), path.join(dir, 'views-b')];
    for (const d of [a, b]) fs.mkdirSync(d);
    expect(await writePhotoViews([photo], fileOf, a, 1)).toBe(1);
    await writePhotoViews([half], fileOf, b, 1);
    const lines = (d: string) =>
      fs
        .readFileSync(path.join(d, `r-${path.parse(photo.fileName).name}-00.txt`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ').map((v) => Number(Number(v).toFixed(2))));
    expect(lines(b)).toEqual(lines(a));
    await expect(writePhotoViews([turned], fileOf, b, 1)).rejects.toThrow(/is 1600×1200 upright, but its labels are drawn on 1200×1600/);
  });
});
