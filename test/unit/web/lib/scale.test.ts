import { describe, expect, it } from 'vitest';
import { colorScale, NO_VALUE } from '../../../../web/src/lib/scale.ts';

describe('map colour scales', () => {
  it('centres a change on the neutral colour and saturates at the 90th percentile of the chain, rounded up to 5%', () => {
    const changes = [-0.02, 0.01, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.11, 0.2];
    const scale = colorScale('sales_vs_ly', changes);
    expect(scale.kind).toBe('change');
    expect(scale.ticks).toEqual([-0.2, -0.1, 0, 0.1, 0.2]);
    expect(scale.color(0)).toBe('rgb(244,241,232)');
    expect(scale.color(-0.2)).toBe('rgb(178,24,43)');
    expect(scale.color(0.9)).toBe(scale.color(0.2)); // beyond the limit: clamped
  });

  it('keeps a flat chain readable (at least ±5%) and a wild one bounded (at most ±50%)', () => {
    expect(colorScale('sales_vs_prev', [0.001, -0.002]).ticks.at(-1)).toBeCloseTo(0.05);
    expect(colorScale('sales_vs_prev', [3, -4]).ticks.at(-1)).toBe(0.5);
  });

  it('runs a share from 0 to its highest store, rounded up to a tenth', () => {
    const scale = colorScale('share_of_shelf', [0.12, 0.34, null]);
    expect(scale.kind).toBe('share');
    expect(scale.ticks.at(-1)).toBeCloseTo(0.4);
    expect(scale.color(0)).toBe('rgb(241,238,246)');
    expect(scale.color(0.4)).toBe('rgb(8,48,107)');
  });

  it('counts alerts from 0 to the busiest store, never fewer than 4', () => {
    expect(colorScale('open_alerts', [0, 1]).ticks).toEqual([0, 1, 2, 3, 4]);
    expect(colorScale('open_alerts', [2, 12]).ticks).toEqual([0, 3, 6, 9, 12]);
  });

  it('paints a store without a value grey in every scale', () => {
    for (const metric of ['sales_vs_ly', 'share_of_shelf', 'open_alerts'] as const) expect(colorScale(metric, [null]).color(null)).toBe(NO_VALUE);
  });
});
