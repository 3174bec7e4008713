import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classRoles, Detector, ModelError } from '../../../vision/detector.ts';

/** Fixed-output ONNX models in the Ultralytics YOLOv8/YOLO11 export layout (test/fixtures/ultralytics/make-fixtures.py). */
const fixture = (name: string) => path.resolve(import.meta.dirname, '../../fixtures/ultralytics', name);
// 640 × 480 letterboxed into 320 × 320: scale 0.5, 40 px of padding above and below.
const photo = { data: Buffer.alloc(640 * 480 * 3, 128), width: 640, height: 480 };

describe('bring-your-own detector (Ultralytics export)', () => {
  it('runs a one-class SKU-110K-style export (label "object") as it is: packs, input size read from the model, price reading off', async () => {
    const detector = await Detector.load(fixture('one-class'));
    try {
      expect(detector.manifest).toMatchObject({ name: 'one-class', layout: 'yolov8', labels: ['object'] });
      expect(detector.input).toEqual({ width: 320, height: 320 });
      expect(detector.roles).toEqual({ product: [0], price_tag: [], gap: [] });
      expect(detector.warnings).toEqual([{ code: 'price_reading_off', message: expect.stringMatching(/no price_tag class/) }]);
      const found = await detector.detect(photo);
      // The duplicate anchor goes to NMS, the 0.20 box under the default score 0.25.
      expect(found.map((d) => ({ box: d.box.map(Math.round), cls: d.cls, score: Number(d.score.toFixed(2)) }))).toEqual([
        { box: [160, 120, 240, 280], cls: 0, score: 0.91 },
        { box: [360, 120, 440, 280], cls: 0, score: 0.88 },
      ]);
    } finally {
      await detector.close();
    }
  });

  it('maps a three-class export by label: its own pack label as products (other_labels), price_tag, gap', async () => {
    const detector = await Detector.load(fixture('three-class'));
    try {
      expect(detector.roles).toEqual({ product: [0], price_tag: [1], gap: [2] });
      expect(detector.warnings).toEqual([]);
      const found = await detector.detect(photo);
      expect(found.map((d) => [d.cls, d.box.map(Math.round)])).toEqual([
        [0, [160, 120, 240, 280]],
        [1, [260, 282, 340, 302]],
        [2, [360, 120, 440, 280]],
      ]);
    } finally {
      await detector.close();
    }
  });

  it('refuses a several-class manifest that does not say what its other labels are, and a labels list the output contradicts', async () => {
    expect(() => classRoles({ labels: ['bottle', 'can', 'price_tag'] })).toThrow(/labels bottle, can are not product, price_tag or gap: add "other_labels"/);
    expect(classRoles({ labels: ['bottle', 'can', 'price_tag'], other_labels: 'product' })).toEqual({ product: [0, 1], price_tag: [2], gap: [] });
    expect(classRoles({ labels: ['bottle', 'product'], other_labels: 'ignore' })).toEqual({ product: [1], price_tag: [], gap: [] });
    expect(() => classRoles({ labels: ['price_tag'] })).toThrow(/no label finds packs/);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'byo-'));
    try {
      fs.copyFileSync(path.join(fixture('one-class'), 'model.onnx'), path.join(dir, 'model.onnx'));
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ labels: ['product', 'price_tag'] }));
      await expect(Detector.load(dir)).rejects.toThrow(/output is \[1, 5, 2100\], which in the yolov8 layout is 1 classes, but labels lists 2/);
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ labels: ['object'], layout: 'yolov5' }));
      await expect(Detector.load(dir)).rejects.toBeInstanceOf(ModelError);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});
