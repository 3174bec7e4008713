import { describe, expect, it } from 'vitest';
import { type AlertOutcome, qualityRows, recoveredSales } from '../../../../analytics/alerts/quality.ts';

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
