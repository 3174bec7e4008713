/**
 * Chinese packs on real phone photos (test/fixtures/chinese-packs/MANIFEST.md): the bundled PP-OCRv4 models read the
 * brand a Chinese pack prints, against a chain's master data written in Chinese. The photos are fetched public data
 * kept outside the repository, beside the real shelf photos; skipped without them.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluatePhotoDir } from '../../bin/eval-photos.ts';
import { readCatalogueFile } from '../../vision/catalogue-file.ts';
import { labelledFileNames, realPhotoDir } from '../support/real-photos.ts';

const labels = path.resolve('test/fixtures/chinese-packs/labels.json');
const photoDir = realPhotoDir(labelledFileNames(labels));

describe.skipIf(!photoDir)('Chinese packs on real photos', () => {
  it('names the brand of the packs whose brand is legible, and no pack the wrong brand', async () => {
    const catalogue = readCatalogueFile(path.resolve('test/fixtures/chinese-packs/products.json'));
    const { card } = await evaluatePhotoDir(photoDir!, { labels, catalogue });
    // 光明 on the carton (printed small above the larger 优加 纯牛奶) and 农夫山泉 on the bottle. Its 纯牛奶, every
    // dairy's, read on the 光明 carton names neither 伊利 nor 蒙牛, whose names hold it too.
    expect(card.brand_legible!.labelled_boxes).toBe(2);
    expect(card.brand_legible!.accuracy_on_labelled_boxes).toBe(1);
    expect(card.brand_on_labelled_boxes!.named_precision).toBe(1);
    // No SKU named wrong either (none is named today: the sizes and 饮用天然水 are not read whole).
    expect(card.sku!.labelled_boxes!.named_precision ?? 1).toBe(1);
  });
});
