/**
 * Writes renderer output as a YOLO-format training set for train.py:
 *   node --import tsx models/shelf-detector/export-data.ts OUT_DIR SEED_FROM COUNT [RENDER_WIDTH | store]
 * Bays are rendered at RENDER_WIDTH × 3/4 (default 1600 × 1200, the size the eval and phones give, so blur and sensor
 * noise shrink the same way), or with `store` by synthetic/render-store.ts (store-like packs, backs and camera, at
 * 800 × 600 or 600 × 800), then letterboxed to 512 × 512 (the model's input) and kept as JPEG quality 80 (~42 KB each:
 * ~1,150 fit beside the repo in the GPU machine's 64 MiB transfer); labels are `class cx cy w h` normalised, class 0 = product,
 * 1 = price_tag. Training seeds must never overlap the evaluation seeds (vision/eval: 900000+, bench: 950000+).
 */
import fs from 'node:fs';
import sharp from 'sharp';
import { renderShelf } from '../../synthetic/render.ts';
import { renderStoreShelf } from '../../synthetic/render-store.ts';
import { labelLine, letterbox, saveView } from './training-view.ts';

const [out = 'data/shelf-train', from = '1000', count = '1150', renderWidth = '1600'] = process.argv.slice(2);
fs.mkdirSync(out, { recursive: true });
for (let i = 0; i < Number(count); i++) {
  const seed = Number(from) + i;
  const { jpeg, truth } =
    renderWidth === 'store'
      ? await renderStoreShelf(seed).then(({ jpeg, truth }) => ({
          jpeg,
          truth: { ...truth, products: truth.products.map((bbox) => ({ bbox })), tags: truth.tags.map((bbox) => ({ bbox })) },
        }))
      : await renderShelf(seed, { width: Number(renderWidth), height: (Number(renderWidth) * 3) / 4 });
  const fit = letterbox(truth.width, truth.height);
  const lines = [...truth.products.map((p) => labelLine(0, p.bbox, fit)), ...truth.tags.map((t) => labelLine(1, t.bbox, fit))];
  await saveView(out, String(seed), sharp(jpeg).resize(fit.width, fit.height), fit, lines);
}
