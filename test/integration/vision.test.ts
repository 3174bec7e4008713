import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeShelfPhoto, loadVisionModels, type VisionModels } from '../../vision/analyze.ts';
import { iou } from '../../vision/detector.ts';
import { demoRecognitionCatalogue } from '../../synthetic/demo-catalogue.ts';
import { renderShelf } from '../../synthetic/render.ts';

/** The bundled detector, pack recogniser (the demo catalogue) and PP-OCRv4 readers on held-out rendered bays (seeds never used for training). */
let models: VisionModels;
beforeAll(async () => {
  models = await loadVisionModels({ catalogue: await demoRecognitionCatalogue() });
});

const corners = (b: number[]): [number, number, number, number] => [b[0]!, b[1]!, b[0]! + b[2]!, b[1]! + b[3]!];

describe('shelf analysis with the bundled models', () => {
  it('finds the packs, names their SKUs, reads the tags and scores the bay against its planogram', async () => {
    const { jpeg, truth } = await renderShelf(900_200, { gapRate: 0.08 });
    const { analysis } = await analyzeShelfPhoto(jpeg, { models, planogram: truth.planogram });
    expect(analysis.status).toBe('analyzed');
    expect(analysis.detector).toBe(models.detector.manifest.name);

    const matched = analysis.detections
      .map((d) => ({ d, truth: truth.products.find((p) => iou(corners(p.bbox), corners(d.bbox)) >= 0.5) }))
      .filter((m) => m.truth);
    expect(matched.length).toBeGreaterThan(truth.products.length * 0.85);
    expect(matched.filter((m) => m.d.sku === m.truth!.sku).length).toBeGreaterThan(matched.length * 0.9);

    const rightPrices = truth.tags.filter((t) => analysis.prices.some((p) => iou(corners(p.bbox), corners(t.bbox)) >= 0.3 && p.price === t.price));
    expect(rightPrices.length).toBeGreaterThan(truth.tags.length * 0.7);

    const expected = truth.planogram.reduce((n, row) => n + row.length, 0);
    expect(analysis.planogram!.score).toBeCloseTo(truth.products.length / expected, 1);
    expect(analysis.share_of_shelf.reduce((n, s) => n + s.by_facings, 0)).toBeCloseTo(1, 2);
  });

  it('asks for a retake when the camera is rolled well off the shelf line', async () => {
    const { jpeg } = await renderShelf(900_201, { tiltDeg: 12, blurSigma: 0 });
    const { analysis } = await analyzeShelfPhoto(jpeg, { models });
    expect(analysis.status).toBe('retake');
    expect(analysis.retake.map((r) => r.code)).toContain('tilted');
  });
});
