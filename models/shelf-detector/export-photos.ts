/**
 * Writes a chain's labelled real shelf photos as training views for train.py, beside export-data.ts's renders:
 *   node --import tsx models/shelf-detector/export-photos.ts PHOTO_DIR LABELS.json OUT_DIR [VIEWS] [--regions FILE]
 * LABELS.json is COCO (as `shelfpulse eval-photos` reads it); --regions names, per photo file, the [x0, y0, x1, y1]
 * its labeller boxed completely (a photo left out of that file is skipped; without the flag every labelled photo is
 * used whole). Each photo gives VIEWS (default 24) views of 512 × 512, letterboxed as the detector sees a photo: the
 * whole region once, the rest random crops of 35–100 % of its sides, so packs come at the photo's scale and up to
 * three times closer. A pack cut by a crop keeps its box when at least 55 % of it shows; one showing less is painted
 * letterbox grey, so that the detector is taught neither that a sliver is a pack nor that it is background.
 * Views are named after the photo (`r-<photo>-NN.jpg`), so they sort after the renders' seed numbers: train.py's
 * last `--val` images are real views.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';
import { seededRandom } from '../../lib/seeded-random.ts';
import { parseCocoLabels } from '../../vision/labels.ts';
import { LETTERBOX_GREY, labelLine, letterbox, saveView } from './training-view.ts';

const KEEP = 0.55;

const args = process.argv.slice(2);
const flagAt = args.indexOf('--regions');
const regionsFile = flagAt >= 0 ? args.splice(flagAt, 2)[1] : undefined;
const [photoDir, labelsFile, out, views = '24'] = args;
if (!photoDir || !labelsFile || !out) throw new Error('usage: export-photos.ts PHOTO_DIR LABELS.json OUT_DIR [VIEWS] [--regions FILE]');
type Region = [number, number, number, number];
const regions: Record<string, Region> | undefined = regionsFile ? JSON.parse(fs.readFileSync(regionsFile, 'utf8')) : undefined;
fs.mkdirSync(out, { recursive: true });

const CLASS = { product: 0, price_tag: 1 } as const;
let written = 0;
for (const photo of parseCocoLabels(fs.readFileSync(labelsFile, 'utf8'))) {
  const region: Region | undefined = regions ? regions[photo.fileName] : [0, 0, photo.width, photo.height];
  if (!region) continue;
  const random = seededRandom([...photo.fileName].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7));
  const image = sharp(path.join(photoDir, photo.fileName)).rotate();
  const [rx0, ry0, rx1, ry1] = region;
  const boxes = photo.boxes.filter((b) => b.label !== 'gap');
  for (let v = 0; v < Number(views); v++) {
    const fw = v === 0 ? 1 : 0.35 + 0.65 * random();
    const fh = v === 0 ? 1 : Math.min(1, Math.max(0.35, fw * (0.7 + 0.6 * random())));
    const cw = Math.round((rx1 - rx0) * fw);
    const ch = Math.round((ry1 - ry0) * fh);
    const cx = rx0 + Math.round((rx1 - rx0 - cw) * random());
    const cy = ry0 + Math.round((ry1 - ry0 - ch) * random());
    const fit = letterbox(cw, ch);
    const { scale, width: w, height: h } = fit;
    const lines: string[] = [];
    const slivers: OverlayOptions[] = [];
    for (const b of boxes) {
      const [bx, by, bw, bh] = b.bbox;
      const x0 = Math.max(bx, cx);
      const y0 = Math.max(by, cy);
      const x1 = Math.min(bx + bw, cx + cw);
      const y1 = Math.min(by + bh, cy + ch);
      if (x1 <= x0 || y1 <= y0) continue;
      const [sx, sy, sw, sh] = [(x0 - cx) * scale, (y0 - cy) * scale, (x1 - x0) * scale, (y1 - y0) * scale];
      if ((x1 - x0) * (y1 - y0) >= KEEP * bw * bh) {
        lines.push(labelLine(CLASS[b.label as keyof typeof CLASS], [x0 - cx, y0 - cy, x1 - x0, y1 - y0], fit));
      } else if (sw >= 1 && sh >= 1) {
        const [gw, gh] = [Math.min(w, Math.ceil(sw)), Math.min(h, Math.ceil(sh))];
        slivers.push({
          input: { create: { width: gw, height: gh, channels: 3, background: LETTERBOX_GREY } },
          left: Math.min(w - gw, Math.floor(sx)),
          top: Math.min(h - gh, Math.floor(sy)),
        });
      }
    }
    const view = await image.clone().extract({ left: cx, top: cy, width: cw, height: ch }).resize(w, h).composite(slivers).toBuffer();
    await saveView(out, `r-${path.parse(photo.fileName).name}-${String(v).padStart(2, '0')}`, sharp(view), fit, lines);
    written++;
  }
}
console.log(`${written} views written to ${out}`);
