import { describe, expect, it } from 'vitest';
import { distributionStatus, rankStores, summariseDistribution, type StoreMonth } from '../../../analytics/reports.ts';
import type { DistributionCell } from '../../../contracts/reports.ts';

const store = (store_id: string, territory: string, sales: number, sales_target: number | null): StoreMonth => ({
  store_id,
  name: `${store_id} 店`,
  territory,
  sales,
  sales_ly: 0,
  sales_target,
});

describe('store ranking against the month’s targets', () => {
  it('ranks by pace (sales against the part of the target the days so far should bring), stores without a target last', () => {
    // 10 of 30 days: S1 sold 40 of 100 (pace 1.2), S2 30 of 120 (0.75), S3 has no target but the most sales.
    const { stores, territories } = rankStores([store('S1', '浦东', 40, 100), store('S2', '浦西', 30, 120), store('S3', '浦东', 500, null)], 10, 30);
    expect(stores.map((s) => [s.store_id, s.rank, s.rank_in_territory])).toEqual([
      ['S1', 1, 1],
      ['S2', 2, 1],
      ['S3', 3, 2],
    ]);
    expect(stores[0]!.attainment).toBeCloseTo(0.4);
    expect(stores[0]!.pace).toBeCloseTo(1.2);
    expect(stores[2]).toMatchObject({ sales_target: null, attainment: null, pace: null });
    // A territory's attainment counts only the stores that have a target; its sales count all of them.
    const pudong = territories.find((t) => t.territory === '浦东')!;
    expect(pudong).toMatchObject({ stores: 2, sales: 540, sales_target: 100 });
    expect(pudong.attainment).toBeCloseTo(0.4);
    expect(territories.map((t) => t.territory)).toEqual(['浦东', '浦西']);
  });
});

describe('distribution: where a ranged SKU stands in a store', () => {
  it('a photo that shows it beats a sale; checked but neither seen nor sold is missing; neither checked nor sold is unchecked', () => {
    expect(distributionStatus({ facings: 2, units: 0, checked: true })).toBe('seen');
    expect(distributionStatus({ facings: 0, units: 3, checked: true })).toBe('sold');
    expect(distributionStatus({ facings: 0, units: 0, checked: true })).toBe('missing');
    expect(distributionStatus({ facings: 0, units: 0, checked: false })).toBe('unchecked');
  });

  it('numeric distribution counts seen or sold over ranged; on-shelf availability only where a photo checked', () => {
    const cell = (store_id: string, status: DistributionCell['status']): DistributionCell => ({
      sku: 'P1',
      name: '清泉矿泉水',
      brand: '清泉',
      category: '饮料',
      store_id,
      store_name: store_id,
      territory: 'T',
      status,
      facings: 0,
      units: 0,
    });
    const [p1] = summariseDistribution([cell('S1', 'seen'), cell('S2', 'sold'), cell('S3', 'missing'), cell('S4', 'unchecked')]);
    expect(p1).toMatchObject({ ranged: 4, seen: 1, sold: 1, missing: 1, unchecked: 1 });
    expect(p1!.distribution).toBeCloseTo(0.5);
    expect(p1!.on_shelf).toBeCloseTo(0.5);
  });
});
