import { describe, expect, it } from 'vitest';
import { decodeYolov5, decodeYolov8, iou, letterbox, nms, type Detection } from '../../../vision/detector.ts';

/** A [1, 4 + nc, N] tensor from per-anchor rows (cx, cy, w, h, scores...), laid out channel-major as YOLOv8 exports. */
function yolov8(rows: number[][]): { data: Float32Array; dims: number[] } {
  const channels = rows[0]!.length;
  const data = new Float32Array(channels * rows.length);
  rows.forEach((row, i) => row.forEach((v, c) => (data[c * rows.length + i] = v)));
  return { data, dims: [1, channels, rows.length] };
}

describe('YOLO output decoding', () => {
  it('reads the YOLOv8/YOLO11 layout [1, 4+nc, N]: centre boxes to corners, best class, below-threshold anchors dropped', () => {
    const { data, dims } = yolov8([
      [100, 50, 20, 40, 0.9, 0.1],
      [10, 10, 4, 4, 0.05, 0.2],
      [300, 200, 60, 30, 0.1, 0.02],
    ]);
    const found = decodeYolov8(data, dims, 0.15);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatchObject({ box: [90, 30, 110, 70], cls: 0 });
    expect(found[0]!.score).toBeCloseTo(0.9);
    expect(found[1]).toMatchObject({ box: [8, 8, 12, 12], cls: 1 });
  });

  it('reads the YOLOv5 layout [1, N, 5+nc] with objectness × class score', () => {
    const data = new Float32Array([50, 60, 10, 20, 0.8, 0.5, 1.0, 5, 5, 2, 2, 0.1, 1.0, 1.0]);
    const found = decodeYolov5(data, [1, 2, 7], 0.25);
    expect(found).toHaveLength(1);
    expect(found[0]!.cls).toBe(1);
    expect(found[0]!.score).toBeCloseTo(0.8);
    expect(found[0]!.box).toEqual([45, 50, 55, 70]);
  });
});

describe('non-maximum suppression', () => {
  it('keeps the best of overlapping boxes per class and leaves neighbours and other classes alone', () => {
    const d = (box: [number, number, number, number], score: number, cls = 0): Detection => ({ box, score, cls });
    const kept = nms([d([0, 0, 10, 10], 0.6), d([1, 0, 11, 10], 0.9), d([20, 0, 30, 10], 0.5), d([0, 0, 10, 10], 0.4, 1)], 0.5);
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.5, 0.4]);
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(1 / 3);
    expect(iou([0, 0, 10, 10], [10, 0, 20, 10])).toBe(0);
  });
});

describe('letterbox', () => {
  it('scales to fit, pads with grey and reports the offsets to map boxes back', async () => {
    const image = { data: Buffer.alloc(200 * 100 * 3, 255), width: 200, height: 100 };
    const lb = await letterbox(image, 64, 64);
    expect(lb.scale).toBeCloseTo(0.32);
    expect([lb.padX, lb.padY]).toEqual([0, 16]);
    expect(lb.tensor[0]).toBeCloseTo(114 / 255); // top padding row
    expect(lb.tensor[32 * 64 + 32]).toBeCloseTo(1); // image centre
  });
});
