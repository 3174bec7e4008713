import { describe, expect, it } from 'vitest';
import { demoBays, demoPlanogram, demoRenderOptions } from '../../../synthetic/demo-shelves.ts';
import { CATALOG } from '../../../synthetic/demo-packs.ts';
import { planogramCompliance, type PlacedProduct } from '../../../vision/shelf.ts';

const storeIds = Array.from({ length: 120 }, (_, i) => `S${String(i + 1).padStart(4, '0')}`);
const brandOf = new Map(CATALOG.map((s) => [s.sku, s]));

/** The bay exactly as laid out: one pack per facing, in its row. */
const asPhotographed = (layout: string[][]): PlacedProduct[] =>
  layout.flatMap((row, r) =>
    row.map((sku, i) => ({
      box: [i * 50, r * 100, i * 50 + 40, r * 100 + 90] as [number, number, number, number],
      sku,
      brand: brandOf.get(sku)?.brand ?? '',
      is_competitor: sku.startsWith('C'),
      row: r,
    })),
  );

// Own SKUs P…, competitors C…; P1001 and C1001 stand in two rows.
const layout = [
  ['P1001', 'P1001', 'P2001', 'C1001'],
  ['P3002', 'P3002', 'P1001', 'P4003'],
  ['C1001', 'P2002', 'P2002', 'P2002'],
];

describe('demo shelf photos', () => {
  it('photographs one bay in every fifth store on the last three days, mornings, with a problem on every fourth bay in turn', () => {
    const bays = demoBays(storeIds, '2026-11-22');
    expect(bays).toHaveLength(24);
    expect(bays[0]).toMatchObject({ store_id: 'S0002', bay: 'A1', day: '2026-11-22', taken_at: '2026-11-22T09:10:00+08:00', problem: 'none' });
    expect(new Set(bays.map((b) => b.day))).toEqual(new Set(['2026-11-22', '2026-11-21', '2026-11-20']));
    expect(bays.every((b) => /T09:[1-4]\d:00\+08:00$/.test(b.taken_at))).toBe(true);
    expect(bays.filter((b) => b.problem !== 'none').map((b) => b.problem)).toEqual([
      'gaps',
      'low_share',
      'planogram_missing',
      'planogram_misplaced',
      'gaps',
      'low_share',
    ]);
    expect(demoBays(storeIds, '2026-11-22')).toEqual(bays);
  });

  it('renders gaps and a competitor-heavy bay only where those problems are planted', () => {
    expect(demoRenderOptions('none')).toMatchObject({ width: 1600, height: 1200, rows: 4, gapRate: 0 });
    expect(demoRenderOptions('gaps').gapRate).toBeGreaterThan(0);
    expect(demoRenderOptions('low_share').competitorRate).toBeGreaterThan(0.5);
    expect(demoRenderOptions('planogram_missing')).toEqual(demoRenderOptions('none'));
  });

  it('plans the bay as it stands unless a planogram deviation is planted', () => {
    const { planogram, skus } = demoPlanogram(layout, 'none');
    expect(planogram).toEqual(layout);
    expect(skus).toEqual([]);
    expect(planogramCompliance(asPhotographed(layout), planogram)).toEqual({ score: 1, missing: [], misplaced: [], extra: [] });
  });

  it('plants a missing SKU: an own SKU of one row planned as one the bay does not carry', () => {
    const { planogram, skus } = demoPlanogram(layout, 'planogram_missing');
    expect(skus).toHaveLength(1);
    expect(layout.flat()).not.toContain(skus[0]);
    const compliance = planogramCompliance(asPhotographed(layout), planogram);
    expect(compliance.missing).toEqual(skus);
    expect(compliance.misplaced).toEqual([]);
    expect(compliance.score).toBeLessThan(1);
  });

  it('plants two misplaced SKUs: own SKUs of different rows swap rows in the plan', () => {
    const { planogram, skus } = demoPlanogram(layout, 'planogram_misplaced');
    expect(skus).toHaveLength(2);
    const compliance = planogramCompliance(asPhotographed(layout), planogram);
    expect(compliance.misplaced).toEqual(skus);
    expect(compliance.missing).toEqual([]);
    // Only own SKUs that stand in one row are moved.
    expect(skus.every((sku) => sku.startsWith('P') && sku !== 'P1001')).toBe(true);
  });
});
