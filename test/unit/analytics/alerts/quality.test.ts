import { describe, expect, it } from 'vitest';
import { type AlertOutcome, qualityRows, recoveredSales, suggestThresholds } from '../../../../analytics/alerts/quality.ts';
import { DEFAULT_THRESHOLDS } from '../../../../analytics/rules/thresholds.ts';

const outcome = (over: Partial<AlertOutcome>): AlertOutcome => ({
  id: 'A',
  type: 'zero_sale',
  territory: '浦西',
  category: '饮料',
  resolved: true,
  hours_to_resolve: 24,
  verdict: '',
  measured: true,
  own_before: 0,
  own_after7: 0,
  own_after14: 0,
  matched_before: 0,
  matched_after7: 0,
  matched_after14: 0,
  regular_price: 10,
  ...over,
});

describe('what an action on an alert brought', () => {
  it('counts the units after it over what the days before predict, scaled by the matched stores’ trend', () => {
    // Before: 28 units in 14 days (2 a day). After: 35 in 7 days. Matched stores fell by half over the same days,
    // so 2 a day × 7 days × 0.5 = 7 units were to be expected: 28 units more, × ¥10.
    const o = outcome({ own_before: 28, own_after7: 35, matched_before: 140, matched_after7: 35 });
    expect(recoveredSales(o, 7)).toBeCloseTo(280);
    // No matched store sold it: the pair's own days before are the whole prediction.
    expect(recoveredSales(outcome({ own_before: 28, own_after14: 28 }), 14)).toBeCloseTo(0);
  });

  it('groups by type with precision from feedback, the median hours to resolve, and sums only measured outcomes', () => {
    const rows = qualityRows(
      [
        outcome({ id: 'A', verdict: 'confirmed', hours_to_resolve: 10, own_after7: 7 }),
        outcome({ id: 'B', verdict: 'confirmed', hours_to_resolve: 30 }),
        outcome({ id: 'C', verdict: 'false_alarm', hours_to_resolve: 50, measured: false, own_after7: 100 }),
        outcome({ id: 'D', type: 'price_gap', resolved: false, hours_to_resolve: null, measured: false }),
      ],
      'type',
    );
    expect(rows[0]).toMatchObject({
      key: 'zero_sale',
      alerts: 3,
      confirmed: 2,
      false_alarms: 1,
      resolved: 3,
      median_hours_to_resolve: 30,
      measured: 2,
      recovered_sales_7d: 70,
    });
    expect(rows[0]!.precision).toBeCloseTo(2 / 3);
    expect(rows[1]).toMatchObject({ key: 'price_gap', precision: null, median_hours_to_resolve: null, measured: 0, recovered_sales_7d: 0 });
  });
});

describe('threshold suggestions from the verdicts', () => {
  const streak = (p_zero: number, verdict: 'confirmed' | 'false_alarm' | '', category = '饮料') => ({ category, p_zero, verdict });

  it('suggests the loosest stricter P(0) that lifts the category to 90 % while keeping nine in ten confirmed alerts', () => {
    // 饮料: the false alarms are the less improbable streaks (P(0) 0.01–0.04); the confirmed ones are below 0.005.
    const alerts = [
      ...[0.001, 0.002, 0.003, 0.004, 0.0045].map((p) => streak(p, 'confirmed')),
      ...[0.012, 0.03, 0.04].map((p) => streak(p, 'false_alarm')),
      streak(0.03, ''),
      // 乳品 is right already: nothing to suggest there.
      ...[0.01, 0.02, 0.03, 0.04, 0.001].map((p) => streak(p, 'confirmed', '乳品')),
    ];
    expect(suggestThresholds(alerts, DEFAULT_THRESHOLDS)).toEqual([
      {
        category: '饮料',
        current: 0.05,
        suggested: 0.01,
        feedback: 8,
        precision_now: 5 / 8,
        precision_after: 1,
        false_alarms_avoided: 3,
        confirmed_lost: 0,
        alerts_avoided: 4,
        setting: '饮料=0.01',
      },
    ]);
  });

  it('suggests nothing where the verdicts are too few or no threshold separates the false alarms', () => {
    expect(suggestThresholds([streak(0.04, 'false_alarm'), streak(0.001, 'confirmed')], DEFAULT_THRESHOLDS)).toEqual([]);
    // The false alarms are as improbable as the confirmed ones: a stricter threshold would lose the confirmed too.
    const mixed = [0.001, 0.002, 0.003].flatMap((p) => [streak(p, 'confirmed'), streak(p, 'false_alarm')]);
    expect(suggestThresholds(mixed, DEFAULT_THRESHOLDS)).toEqual([]);
  });
});
