import { describe, expect, it } from 'vitest';
import { baysInOrder, distanceToStore } from '../../../pipelines/visits.ts';

describe('a visit’s distance to its store', () => {
  const store = { lat: 31.2304, lon: 121.4737 };

  it('is the great-circle distance in whole metres', () => {
    expect(distanceToStore(store, store)).toBe(0);
    // 0.001° of latitude is about 111 m anywhere.
    expect(distanceToStore(store, { lat: 31.2314, lon: 121.4737 })).toBe(111);
    // Shanghai to Hangzhou, about 165 km.
    const far = distanceToStore(store, { lat: 30.2741, lon: 120.1551 })!;
    expect(far).toBeGreaterThan(160_000);
    expect(far).toBeLessThan(170_000);
  });

  it('is unknown without a position from the phone', () => {
    expect(distanceToStore(store, {})).toBeNull();
    expect(distanceToStore(store, { lat: 31.2, lon: null })).toBeNull();
  });
});

describe('a visit’s bays', () => {
  it('are the bays its photos name, in the order first photographed, unnamed ones left out', () => {
    expect(baysInOrder([{ bay: 'A2' }, { bay: '' }, { bay: 'A1' }, { bay: 'A2' }])).toEqual(['A2', 'A1']);
  });
});
