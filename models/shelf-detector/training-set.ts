/**
 * The training set train.py reads, as 512 × 512 views beside their YOLO labels (training-view.ts): a chain's
 * labelled real photos and the renderer's bays. Training seeds must never overlap the evaluation seeds
 * (vision/eval: 900000+, bench: 950000+).
 */
import path from 'node:path';
import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import { seededRandom } from '../../lib/seeded-random.ts';
import { checkLabelledShape, type LabelledPhoto } from '../../vision/labels.ts';
import { renderShelf } from '../../synthetic/render.ts';
import { renderStoreShelf } from '../../synthetic/render-store.ts';
import { LETTERBOX_GREY, labelLine, letterbox, saveView } from './training-view.ts';

/** A pack cut by a crop keeps its box when this share of it shows. */
const KEEP = 0.55;
const CLASS = { product: 0, price_tag: 1 } as const;

/** [x0, y0, x1, y1] of a photo its labeller boxed completely. */
export type Region = [number, number, number, number];

/**
 * The photos kept aside to measure: `share` of them (rounded, at least one when there are two or more), spread
 * evenly over the photos in file-name order, so that a folder sorted by store or date gives every part of it.
 */
export function photosKeptAside(fileNames: readonly string[], share: number): Set<string> {
  const sorted = [...fileNames].sort();
  const count = share <= 0 || sorted.length < 2 ? 0 : Math.min(sorted.length - 1, Math.max(1, Math.round(sorted.length * share)));
  const kept = new Set<string>();
  for (let k = 0; k < count; k++) kept.add(sorted[Math.floor(((k + 0.5) * sorted.length) / count)]!);
  return kept;
}

/**
 * Each photo as `views` views, letterboxed as the detector sees a photo: the whole region once, the rest random crops
 * of 35–100 % of its sides, so packs come at the photo's scale and up to three times closer. A pack cut by a crop keeps
 * its box when at least 55 % of it shows; one showing less is painted letterbox grey, so that the detector is taught
 * neither that a sliver is a pack nor that it is background. Views are named `r-<photo>-NN`, so they sort after the
 * renders' seed numbers. `regions` names the part of each photo that was boxed completely (a photo it leaves out is
 * skipped); without it every photo is used whole. Returns the number of views written.
 */
export async function writePhotoViews(
  photos: readonly LabelledPhoto[],
  fileOf: (photo: LabelledPhoto) => string,
  out: string,
  views: number,
  regions?: Readonly<Record<string, Region>>,
): Promise<number> {
  let written = 0;
  for (const photo of photos) {
    const region: Region | undefined = regions ? regions[photo.fileName] : [0, 0, photo.width, photo.height];
    if (!region) continue;
    const random = seededRandom([...photo.fileName].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7));
    const image = await uprightAtLabelledSize(fileOf(photo), photo);
    const [rx0, ry0, rx1, ry1] = region;
    const boxes = photo.boxes.filter((b) => b.label !== 'gap');
    for (let v = 0; v < views; v++) {
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
  return written;
}

/**
 * The photo upright (EXIF orientation applied, as labelling tools show it) at the size its labels were drawn on: a
 * photo labelled on a smaller copy is scaled to it; one whose shape differs from the labels' is refused, since its
 * boxes would land on the wrong packs.
 */
async function uprightAtLabelledSize(file: string, photo: LabelledPhoto): Promise<Sharp> {
  const meta = await sharp(file).metadata();
  const turned = (meta.orientation ?? 1) >= 5;
  const [width, height] = turned ? [meta.height!, meta.width!] : [meta.width!, meta.height!];
  if (width === photo.width && height === photo.height) return sharp(file).rotate();
  checkLabelledShape(photo, width, height);
  return sharp(await sharp(file).rotate().resize(photo.width, photo.height, { fit: 'fill' }).toBuffer());
}

/**
 * `count` rendered bays from seed `from`, named by their seed: drawn by vision/render.ts at `renderWidth` × 3/4 (1600 ×
 * 1200 is the size the eval and phones give, so blur and sensor noise shrink the same way), or with `store` by
 * synthetic/render-store.ts (store-like packs, backs and camera, at 800 × 600 or 600 × 800).
 */
export async function writeRenderViews(out: string, from: number, count: number, renderWidth: number | 'store' = 1600): Promise<number> {
  for (let i = 0; i < count; i++) {
    const seed = from + i;
    // Both renderers' packs and tags as plain boxes (the classic renderer's truth carries more for each pack).
    const bay =
      renderWidth === 'store'
        ? await renderStoreShelf(seed).then(({ jpeg, truth }) => ({ jpeg, ...truth }))
        : await renderShelf(seed, { width: renderWidth, height: (renderWidth * 3) / 4 }).then(({ jpeg, truth }) => ({
            jpeg,
            width: truth.width,
            height: truth.height,
            products: truth.products.map((p) => p.bbox),
            tags: truth.tags.map((t) => t.bbox),
          }));
    const fit = letterbox(bay.width, bay.height);
    const lines = [...bay.products.map((box) => labelLine(0, box, fit)), ...bay.tags.map((box) => labelLine(1, box, fit))];
    await saveView(out, String(seed), sharp(bay.jpeg).resize(fit.width, fit.height), fit, lines);
  }
  return count;
}
