import { describe, expect, it } from 'vitest';
import { dormantCustomers } from '../../../../analytics/rules/dormant.ts';
import { isPriceGap, priceGap } from '../../../../analytics/rules/price-gap.ts';
import { DEFAULT_THRESHOLDS, windowDaysFor } from '../../../../analytics/rules/thresholds.ts';
import { addDays, dayRange } from '../../../../lib/days.ts';
import { decideZeroSale, expectedOverWindow, isSilentStore } from '../../../../analytics/rules/zero-sale.ts';

/** A pair with `baselineUnits` spread evenly over the 28 days before a window of `windowDays` ending 20 Nov 2026. */
const candidate = (baselineUnits: number, onHand: number | null = null, windowDays = 3) => {
  const windowFrom = addDays('2026-11-20', 1 - windowDays);
  const baseline = dayRange(addDays(windowFrom, -28), addDays(windowFrom, -1)).map((date) => ({ date, units: baselineUnits / 28 }));
  return { expectedUnits: expectedOverWindow(baseline, dayRange(windowFrom, '2026-11-20')), exposureDays: 28, onHand };
};

describe('zero_sale / out_of_stock (Poisson guard)', () => {
  it('expects the baseline daily mean times the window', () => {
    expect(candidate(56).expectedUnits).toBeCloseTo(6, 12);
  });

  it('alerts only when zero is improbable: P(0) ≤ 5% ⇔ λ ≥ ln 20 ≈ 3.0', () => {
    // λ = baseline × 3 / 28: 28 units → λ 3.0 → P(0) 0.0498 (alert); 27 units → λ 2.89 → P(0) 0.055 (quiet)
    expect(decideZeroSale(candidate(28), DEFAULT_THRESHOLDS).type).toBe('zero_sale');
    expect(decideZeroSale(candidate(27), DEFAULT_THRESHOLDS).type).toBeNull();
  });

  it('keeps slow movers quiet', () => {
    expect(decideZeroSale(candidate(4), DEFAULT_THRESHOLDS)).toMatchObject({ type: null });
    expect(decideZeroSale(candidate(0), DEFAULT_THRESHOLDS)).toMatchObject({ type: null, zeroProbability: 1 });
  });

  it('on-hand 0 is a stock-out, on-hand unknown or positive a display problem', () => {
    expect(decideZeroSale(candidate(56, 0), DEFAULT_THRESHOLDS).type).toBe('out_of_stock');
    expect(decideZeroSale(candidate(56, null), DEFAULT_THRESHOLDS).type).toBe('zero_sale');
    expect(decideZeroSale(candidate(56, 12), DEFAULT_THRESHOLDS).type).toBe('zero_sale');
  });

  it('takes the window per category', () => {
    const thresholds = { ...DEFAULT_THRESHOLDS, zeroSaleWindowDaysByCategory: { 乳品: 2 } };
    expect(windowDaysFor(thresholds, '乳品')).toBe(2);
    expect(windowDaysFor(thresholds, '饮料')).toBe(3);
    // With a 2-day window the same baseline gives a smaller λ: 40 × 2 / 28 = 2.86 → quiet.
    expect(decideZeroSale(candidate(40, null, 2), thresholds).type).toBeNull();
  });

  it('takes the P(0) threshold per category, as an admin applies a suggestion of the alert quality page', () => {
    const thresholds = { ...DEFAULT_THRESHOLDS, maxZeroProbabilityByCategory: { 饮料: 0.01 } };
    // λ = 56 × 3 / 28 = 6 → P(0) 0.0025: an alert under either threshold; λ 3.0 → P(0) 0.0498: only under the default.
    expect(decideZeroSale({ ...candidate(56), category: '饮料' }, thresholds).type).toBe('zero_sale');
    expect(decideZeroSale({ ...candidate(28), category: '饮料' }, thresholds).type).toBeNull();
    expect(decideZeroSale({ ...candidate(28), category: '乳品' }, thresholds).type).toBe('zero_sale');
  });

  it('a store silent in W that scanned before is one no_data, a store that never scanned is not', () => {
    expect(isSilentStore(0, 120)).toBe(true);
    expect(isSilentStore(0, 0)).toBe(false);
    expect(isSilentStore(3, 120)).toBe(false);
  });
});

describe('price_gap', () => {
  it('a gap of exactly 5% counts, despite binary floating point', () => {
    expect(isPriceGap(priceGap(19.9, 18.905), 0.05)).toBe(true);
    expect(isPriceGap(priceGap(10, 9.5), 0.05)).toBe(true);
    expect(isPriceGap(priceGap(10, 9.51), 0.05)).toBe(false);
    expect(isPriceGap(priceGap(10, 10.5), 0.05)).toBe(false);
  });
});

describe('dormant_customer', () => {
  it('ordered before, nothing in the last 90 days (as_of included), ranked by historical margin', () => {
    const histories = [
      { storeId: 'A', lastOrderDay: '2026-08-22', orders: 5, value: 1000, margin: 100 }, // 90 days before 11-20
      { storeId: 'B', lastOrderDay: '2026-08-23', orders: 5, value: 1000, margin: 500 }, // 89 days: still active
      { storeId: 'C', lastOrderDay: '2026-01-01', orders: 9, value: 9000, margin: 900 },
    ];
    expect(dormantCustomers(histories, '2026-11-20', 90).map((d) => [d.storeId, d.rank, d.daysSinceLastOrder])).toEqual([
      ['C', 1, 323],
      ['A', 2, 90],
    ]);
  });
});
