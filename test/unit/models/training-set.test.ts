import { describe, expect, it } from 'vitest';
import { photosKeptAside } from '../../../models/shelf-detector/training-set.ts';

describe('photos kept aside to measure a training run', () => {
  const photos = Array.from({ length: 10 }, (_, k) => `store-${String(k).padStart(2, '0')}.jpg`);

  it('keeps the share asked, spread over the photos in name order, whatever order they come in', () => {
    expect([...photosKeptAside(photos, 0.2)]).toEqual(['store-02.jpg', 'store-07.jpg']);
    expect(photosKeptAside([...photos].reverse(), 0.2)).toEqual(photosKeptAside(photos, 0.2));
    expect(photosKeptAside(photos, 0.5).size).toBe(5);
  });

  it('keeps one photo of a few, never all of them, and none when asked for none or given one', () => {
    expect([...photosKeptAside(['a.jpg', 'b.jpg'], 0.1)]).toEqual(['b.jpg']);
    expect(photosKeptAside(photos, 0.99).size).toBe(9);
    expect(photosKeptAside(photos, 0).size).toBe(0);
    expect(photosKeptAside(['a.jpg'], 0.5).size).toBe(0);
  });
});
