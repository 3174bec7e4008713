/**
 * Writes a chain's labelled real shelf photos as training views for train.py, beside export-data.ts's renders
 * (training-set.ts writePhotoViews):
 *   node --import tsx models/shelf-detector/export-photos.ts PHOTO_DIR LABELS OUT_DIR [VIEWS] [--regions FILE]
 * LABELS is COCO JSON or a SKU-110K CSV (as `shelfpulse eval-photos` reads them); --regions names, per photo file, the
 * [x0, y0, x1, y1] its labeller boxed completely (a photo left out of that file is skipped; without the flag every
 * labelled photo is used whole). Each photo gives VIEWS (default 24) views. `shelfpulse train-detector` does all of
 * this, and the training, in one command.
 */
import fs from 'node:fs';
import { photoFile, readLabelledPhotos } from '../../vision/labelled-photos.ts';
import { type Region, writePhotoViews } from './training-set.ts';

const args = process.argv.slice(2);
const flagAt = args.indexOf('--regions');
const regionsFile = flagAt >= 0 ? args.splice(flagAt, 2)[1] : undefined;
const [photoDir, labelsFile, out, views = '24'] = args;
if (!photoDir || !labelsFile || !out) throw new Error('usage: export-photos.ts PHOTO_DIR LABELS OUT_DIR [VIEWS] [--regions FILE]');
const regions: Record<string, Region> | undefined = regionsFile ? JSON.parse(fs.readFileSync(regionsFile, 'utf8')) : undefined;
fs.mkdirSync(out, { recursive: true });
const { photos, imageDir } = await readLabelledPhotos(photoDir, labelsFile);
const written = await writePhotoViews(photos, (photo) => photoFile(imageDir, photo), out, Number(views), regions);
console.log(`${written} views written to ${out}`);
