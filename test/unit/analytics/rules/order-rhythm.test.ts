import { describe, expect, it } from 'vitest';
import { mondayOf, usualInterval, weeklySeries } from '../../../../analytics/rules/order-rhythm.ts';

describe('order rhythm', () => {
  it('the usual interval is the median gap between order days', () => {
    expect(usualInterval([])).toBeNull();
    expect(usualInterval(['2026-06-01'])).toBeNull();
    expect(usualInterval(['2026-06-01', '2026-06-08', '2026-06-15', '2026-07-15'])).toBe(7);
    expect(usualInterval(['2026-06-01', '2026-06-08', '2026-06-22'])).toBe(10.5);
  });

  it('weeks run Monday to Sunday, every week of the period present', () => {
    expect(mondayOf('2026-11-20')).toBe('2026-11-16');
    expect(mondayOf('2026-11-16')).toBe('2026-11-16');
    expect(mondayOf('2026-11-22')).toBe('2026-11-16');
    expect(weeklySeries([{ week: '2026-11-09', orders: 2, value: 10.005 }], '2026-11-03', '2026-11-20')).toEqual([
      { week: '2026-11-02', orders: 0, value: 0 },
      { week: '2026-11-09', orders: 2, value: 10.01 },
      { week: '2026-11-16', orders: 0, value: 0 },
    ]);
  });
});
