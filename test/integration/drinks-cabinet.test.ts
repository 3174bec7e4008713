/**
 * A drinks cabinet on real phone photos (test/fixtures/drinks-cabinet/MANIFEST.md): bottles set out with room between
 * them, six to a shelf, some facings empty. Gaps are reported where a facing is empty, not in the room between the
 * bottles, and never where a bottle stands; the brand a bottle prints small is read; a rolled photo gets a retake.
 * The photos are fetched public data kept outside the repository, beside the real shelf photos; skipped without them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluatePhotoDir } from '../../bin/eval-photos.ts';
import { analyzeShelfPhoto, loadVisionModels } from '../../vision/analyze.ts';
import { readCatalogueFile } from '../../vision/catalogue-file.ts';
import { labelledFileNames, realPhotoDir } from '../support/real-photos.ts';

const labels = path.resolve('test/fixtures/drinks-cabinet/labels.json');
const photoDir = realPhotoDir(labelledFileNames(labels));
const SHELF_ROWS = 18;

describe.skipIf(!photoDir)('a drinks cabinet on real photos', () => {
  it('reports the empty facing, not the room between bottles, and no gap where a bottle stands', async () => {
    const catalogue = readCatalogueFile(path.resolve('test/fixtures/drinks-cabinet/products.json'));
    const { card } = await evaluatePhotoDir(photoDir!, { labels, catalogue });
    expect(card.labelled_packs).toBe(106);
    expect(card.gap_false_alarms).toBe(0);
    // Two shelves with bottles gone; the one on the fourth photo is found (a box over the fifth's hides it).
    expect(card.gaps_labelled).toBe(2);
    expect(card.gap_recall).toBeGreaterThanOrEqual(0.5);
    // The room between bottles (0.4–1 bottle) is no empty facing: fewer reports than shelves (25 before the rule).
    expect(card.gaps_reported).toBeLessThan(SHELF_ROWS);
    // A brand named is the right one. Bottles print it at a thirtieth of their height: read up close, laid out taller
    // than a box (13 % of the legible ones on the detected bottles before, 26 % now).
    expect(card.brand_named_precision ?? 1).toBe(1);
    expect(card.brand_legible!.labelled_boxes).toBe(30);
    expect(card.brand_legible!.accuracy).toBeGreaterThanOrEqual(0.2);
  });

  it('asks for a retake of the photo rolled 30°, and of no level one', async () => {
    const models = await loadVisionModels();
    const tilted = async (file: string) => {
      const { analysis } = await analyzeShelfPhoto(fs.readFileSync(path.join(photoDir!, file)), { models });
      return analysis.retake.filter((r) => r.code === 'tilted').map((r) => r.message_en);
    };
    // Its packs alone could not say it: the detector finds 6 of its 16 bottles, too few to pair.
    expect(await tilted('drinks-cabinet-2.jpg')).toEqual([expect.stringMatching(/tilted by about 3[0-3]°/)]);
    // The close-up, whose bottles the detector boxes in parts: their bases slope, the shelf does not.
    for (const level of ['drinks-cabinet-1.jpg', 'drinks-cabinet-4.jpg', 'drinks-cabinet-6.jpg']) expect(await tilted(level)).toEqual([]);
  });
});
