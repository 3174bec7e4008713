import { describe, expect, it } from 'vitest';
import { textBoxes } from '../../../vision/pack-reader.ts';

/** A text detector's probability map with one line drawn in it: rows y(x)..y(x)+thickness at each x of [x0, x1). */
function mapWithLine(width: number, height: number, line: { x0: number; x1: number; y: (x: number) => number; thickness: number; p: number }) {
  const prob = new Float32Array(width * height);
  for (let x = line.x0; x < line.x1; x++) {
    const top = Math.round(line.y(x));
    for (let y = top; y < top + line.thickness; y++) prob[y * width + x] = line.p;
  }
  return prob;
}

describe('text lines from the detector probability map', () => {
  it('keeps a slanted line (an arched or tilted logo), whose upright box is mostly background', () => {
    const prob = mapWithLine(200, 100, { x0: 20, x1: 180, y: (x) => 20 + 0.3 * (x - 20), thickness: 8, p: 0.9 });
    const boxes = textBoxes(prob, 200, 100);
    expect(boxes).toHaveLength(1);
    const [left, top, right, bottom] = boxes[0]!;
    // The whole line, grown by the unclip distance.
    expect(left).toBeLessThanOrEqual(20);
    expect(right).toBeGreaterThanOrEqual(180);
    expect(top).toBeLessThanOrEqual(20);
    expect(bottom).toBeGreaterThanOrEqual(76);
  });

  it('drops a region the detector is unsure of', () => {
    const prob = mapWithLine(200, 100, { x0: 20, x1: 180, y: () => 40, thickness: 10, p: 0.45 });
    expect(textBoxes(prob, 200, 100)).toEqual([]);
  });
});
