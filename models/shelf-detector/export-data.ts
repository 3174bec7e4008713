/**
 * Writes renderer output as a YOLO-format training set for train.py (training-set.ts writeRenderViews):
 *   node --import tsx models/shelf-detector/export-data.ts OUT_DIR SEED_FROM COUNT [RENDER_WIDTH | store]
 * Views are 512 × 512 JPEG quality 80 (~42 KB each: ~1,150 fit beside the repo in the GPU machine's 64 MiB transfer);
 * labels are `class cx cy w h` normalised, class 0 = product, 1 = price_tag.
 */
import fs from 'node:fs';
import { writeRenderViews } from './training-set.ts';

const [out = 'data/shelf-train', from = '1000', count = '1150', renderWidth = '1600'] = process.argv.slice(2);
fs.mkdirSync(out, { recursive: true });
await writeRenderViews(out, Number(from), Number(count), renderWidth === 'store' ? 'store' : Number(renderWidth));
