import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeShelfPhoto, loadVisionModels } from '../../vision/analyze.ts';
import { renderShelf } from '../../synthetic/render.ts';

describe('a bring-your-own one-class detector in the whole analysis', () => {
  it('analyses the photo with its packs and says in the answer that price reading is off', async () => {
    const models = await loadVisionModels({ modelDir: path.resolve(import.meta.dirname, '../fixtures/ultralytics/one-class') });
    const { jpeg } = await renderShelf(900_300, { tiltDeg: 0, blurSigma: 0 });
    const { analysis } = await analyzeShelfPhoto(jpeg, { models });
    expect(analysis).toMatchObject({ status: 'analyzed', detector: 'one-class', prices: [] });
    expect(analysis.detections.length).toBeGreaterThan(0);
    expect(analysis.warnings).toEqual([{ code: 'price_reading_off', message: expect.stringMatching(/price tags are not read/) }]);
  });
});
