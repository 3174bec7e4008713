import { describe, expect, it } from 'vitest';
import { ANALYSED_LONG_SIDE, GATE_SHORT_SIDE, sentSize, thumbSize } from '../../../../web/src/lib/resize.ts';

describe('the size a phone photo is sent at', () => {
  it('brings a 12 MP photo down to the long side the server analyses, keeping its shape', () => {
    expect(sentSize(4000, 3000)).toEqual({ width: 2048, height: 1536 });
    expect(sentSize(3000, 4000)).toEqual({ width: 1536, height: 2048 });
    expect(sentSize(4080, 3072)).toEqual({ width: ANALYSED_LONG_SIDE, height: 1542 });
  });

  it('never enlarges a photo already small enough', () => {
    expect(sentSize(1600, 1200)).toEqual({ width: 1600, height: 1200 });
    expect(sentSize(640, 480)).toEqual({ width: 640, height: 480 });
  });

  it('keeps the quality gate’s short side on a narrow panorama of a long bay', () => {
    const { width, height } = sentSize(8000, 1500);
    expect(height).toBe(GATE_SHORT_SIDE);
    expect(width).toBe(3840);
  });

  it('makes thumbnails at most 240 px on the long side', () => {
    expect(thumbSize(4000, 3000)).toEqual({ width: 240, height: 180 });
    expect(thumbSize(100, 50)).toEqual({ width: 100, height: 50 });
  });
});
