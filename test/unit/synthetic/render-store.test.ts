import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderStoreShelf } from '../../../synthetic/render-store.ts';

describe('store-like training bays', () => {
  it('gives the same photo and truth for a seed, a JPEG of the stated size, and boxes inside the frame', async () => {
    const [a, again] = [await renderStoreShelf(20_001), await renderStoreShelf(20_001)];
    expect(again.truth).toEqual(a.truth);
    expect(again.jpeg.equals(a.jpeg)).toBe(true);
    const meta = await sharp(a.jpeg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', a.truth.width, a.truth.height]);
    expect(a.truth.products.length).toBeGreaterThan(5);
    for (const [x, y, w, h] of [...a.truth.products, ...a.truth.tags]) {
      expect(Math.min(x, y, w, h)).toBeGreaterThanOrEqual(0);
      expect(x + w).toBeLessThanOrEqual(a.truth.width + 0.1);
      expect(y + h).toBeLessThanOrEqual(a.truth.height + 0.1);
    }
  });

  it('varies across seeds: portrait and landscape photos, packs and price labels', async () => {
    const bays = await Promise.all([20_002, 20_003, 20_004, 20_005, 20_006, 20_007].map((seed) => renderStoreShelf(seed)));
    expect(new Set(bays.map((b) => b.truth.width > b.truth.height)).size).toBe(2);
    expect(bays.some((b) => b.truth.tags.length > 0)).toBe(true);
    expect(new Set(bays.map((b) => b.truth.products.length)).size).toBeGreaterThan(3);
  });
});
