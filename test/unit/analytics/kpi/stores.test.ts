import { describe, expect, it } from 'vitest';
import { distanceKm } from '../../../../analytics/kpi/stores.ts';

describe('distance', () => {
  it('is the great-circle distance in km', () => {
    const shanghai = { lat: 31.2304, lon: 121.4737 };
    const beijing = { lat: 39.9042, lon: 116.4074 };
    expect(distanceKm(shanghai, beijing)).toBeGreaterThan(1060);
    expect(distanceKm(shanghai, beijing)).toBeLessThan(1075);
    expect(distanceKm(shanghai, shanghai)).toBe(0);
  });
});
