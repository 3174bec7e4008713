import { describe, expect, it } from 'vitest';
import { closedDaysOf, onPromotion, openWindow, type Closure } from '../../../../analytics/rules/calendar.ts';
import { DEFAULT_THRESHOLDS } from '../../../../analytics/rules/thresholds.ts';
import { baselineOf, decideZeroSale, expectedOverWindow } from '../../../../analytics/rules/zero-sale.ts';
import { addDays, dayRange } from '../../../../lib/days.ts';

// 18–20 Nov 2026 is Wednesday–Friday; 16 Nov a Monday.
const S1 = { store_id: 'S1', region: '华东' };

describe('the chain calendar', () => {
  const closures: Closure[] = [
    { date: '2026-11-19', store_id: 'S1', region: '', reason: '装修' },
    { date: '2026-11-20', store_id: '', region: '华东', reason: '台风' },
    { date: '2026-11-01', store_id: '', region: '', reason: '国庆' },
    { date: '2026-11-18', store_id: 'S2', region: '', reason: '装修' },
  ];

  it("a store is closed on its own, its region's and the chain's closed days", () => {
    expect(closedDaysOf(closures, S1)).toEqual(
      new Map([
        ['2026-11-19', '装修'],
        ['2026-11-20', '台风'],
        ['2026-11-01', '国庆'],
      ]),
    );
    expect([...closedDaysOf(closures, { store_id: 'S3', region: '华南' }).keys()]).toEqual(['2026-11-01']);
    // A day closed twice reads the store's own reason, in whichever order the rows come.
    const twice: Closure[] = [closures[1]!, { date: '2026-11-20', store_id: 'S1', region: '', reason: '装修' }];
    expect(closedDaysOf(twice, S1).get('2026-11-20')).toBe('装修');
    expect(closedDaysOf(twice.toReversed(), S1).get('2026-11-20')).toBe('装修');
  });

  it('the window is the last N days the store was open; closed too long, there is none', () => {
    const closed = closedDaysOf(closures, S1);
    expect(openWindow('2026-11-20', 3, closed)).toEqual(['2026-11-16', '2026-11-17', '2026-11-18']);
    expect(openWindow('2026-11-20', 3, new Map())).toEqual(['2026-11-18', '2026-11-19', '2026-11-20']);
    const shut = new Map(dayRange('2026-09-01', '2026-11-20').map((d) => [d, '装修']));
    expect(openWindow('2026-11-20', 3, shut)).toEqual([]);
  });

  it("a store promotion, or its region's, puts the SKU on promotion there", () => {
    const promotions = [
      { sku: 'P1', store_id: '', region: '华东', start_date: '2026-10-01', end_date: '2026-10-31' },
      { sku: 'P2', store_id: 'S2', region: '', start_date: '2026-10-01', end_date: '2026-10-31' },
    ];
    expect(onPromotion(promotions, S1, 'P1', '2026-10-31')).toBe(true);
    expect(onPromotion(promotions, S1, 'P1', '2026-11-01')).toBe(false);
    expect(onPromotion(promotions, S1, 'P2', '2026-10-15')).toBe(false);
    expect(onPromotion(promotions, { store_id: 'S2', region: '华南' }, 'P2', '2026-10-15')).toBe(true);
  });
});

describe('the expected rate', () => {
  const plainCalendar = { isClosed: () => false, onPromotion: () => false, firstSale: null };
  const limits = { baselineDays: 28, lookbackDays: 56 };
  /** Units on every day of the 56 days before W (18 Nov), `promo` units on the promotion days 21 Oct–17 Nov. */
  const units = (regular: number, promo = regular) =>
    new Map(dayRange(addDays('2026-11-18', -56), '2026-11-17').map((d) => [d, d >= '2026-10-21' ? promo : regular]));

  it('a promotion that ended sets no rate: the regular-price days before it do', () => {
    const onPromotion = (d: string) => d >= '2026-10-21';
    const baseline = baselineOf(units(1, 6), '2026-11-18', { ...plainCalendar, onPromotion }, limits);
    expect(baseline).toMatchObject({ closedDays: 0, promotionDays: 28, newListing: false });
    expect(baseline.days).toHaveLength(28);
    expect(baseline.days.every((d) => d.date < '2026-10-21' && d.units === 1)).toBe(true);
  });

  it('closed days are set aside, not counted as zeros', () => {
    const isClosed = (d: string) => d === '2026-11-10' || d === '2026-11-11';
    const baseline = baselineOf(units(2), '2026-11-18', { ...plainCalendar, isClosed }, limits);
    expect(baseline.closedDays).toBe(2);
    expect(baseline.days).toHaveLength(28);
    expect(baseline.days.at(-1)!.date).toBe('2026-10-19');
  });

  it('a new listing is judged on its own days since its first sale, and not before it has a week of them', () => {
    const baseline = baselineOf(units(4), '2026-11-18', { ...plainCalendar, firstSale: '2026-11-08' }, limits);
    expect(baseline).toMatchObject({ newListing: true });
    expect(baseline.days).toHaveLength(10);
    const lambda = expectedOverWindow(baseline.days, dayRange('2026-11-18', '2026-11-20'));
    expect(decideZeroSale({ expectedUnits: lambda, exposureDays: 10, onHand: null }, DEFAULT_THRESHOLDS).type).toBe('zero_sale');
    expect(decideZeroSale({ expectedUnits: lambda, exposureDays: 6, onHand: null }, DEFAULT_THRESHOLDS).type).toBeNull();
  });

  it('a weekend-only seller expects little on Monday–Wednesday; a flat seller its mean', () => {
    const weekends = dayRange('2026-10-19', '2026-11-15').map((date) => {
      const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
      return { date, units: wd === 0 || wd === 6 ? 8 : 0 };
    });
    const mondayToWednesday = dayRange('2026-11-16', '2026-11-18');
    // Flat mean 64 / 28 = 2.29 a day → 6.9 over three days would alert; by weekday 0.41 a day → 1.2, P(0) 0.29.
    expect(expectedOverWindow(weekends, mondayToWednesday)).toBeCloseTo((3 * (64 / 28) * 2) / (4 * (64 / 28) + 2), 9);
    expect(
      decideZeroSale({ expectedUnits: expectedOverWindow(weekends, mondayToWednesday), exposureDays: 28, onHand: null }, DEFAULT_THRESHOLDS).type,
    ).toBeNull();
    const flat = weekends.map((d) => ({ ...d, units: 2 }));
    expect(expectedOverWindow(flat, mondayToWednesday)).toBeCloseTo(6, 9);
  });

  it('a noisy weekday history never raises the expectation above the flat mean', () => {
    const noisy = dayRange('2026-10-19', '2026-11-15').map((date, i) => ({ date, units: i % 7 === 2 ? 9 : 0.5 }));
    const mean = noisy.reduce((n, d) => n + d.units, 0) / noisy.length;
    const window = dayRange('2026-11-16', '2026-11-18');
    expect(expectedOverWindow(noisy, window)).toBeLessThanOrEqual(3 * mean + 1e-9);
  });
});
