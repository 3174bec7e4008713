import { describe, expect, it } from 'vitest';
import { shelfObservationRows } from '../../../analytics/shelf-observations.ts';

describe('shelf observation rows', () => {
  it('gives one row per recognised SKU with its facings and price, and one per planogram SKU missing from the bay', () => {
    const rows = shelfObservationRows(
      { photo_id: 'p1', store_id: 'S1', visit_id: 'V1', taken_at: '2026-11-20T02:00:00.000Z' },
      {
        facings: [
          { sku: 'P1001', brand: '清泉', facings: 3, linear_px: 240 },
          { sku: 'C1001', brand: '恒泰', facings: 1, linear_px: 80 },
          { sku: 'unknown', brand: 'unknown', facings: 1, linear_px: 70 },
        ],
        detections: [
          { sku: 'P1001', is_competitor: false },
          { sku: 'C1001', is_competitor: true },
        ],
        gaps: [{}],
        prices: [
          { price: 4.5, promo: true, sku: 'C1001' },
          { price: 9.9, promo: false, sku: null },
        ],
        planogram: { score: 0.75, missing: ['P1002'], misplaced: [], extra: ['C1001'] },
      },
    );
    expect(rows.map((r) => [r.sku, r.facings, r.linear_px, r.price, r.promo, r.is_competitor, r.planogram_status])).toEqual([
      ['P1001', 3, 240, null, false, false, 'ok'],
      ['C1001', 1, 80, 4.5, true, true, 'extra'],
      ['P1002', 0, 0, null, false, false, 'missing'],
    ]);
    expect(rows.every((r) => r.photo_gaps === 1 && r.planogram_score === 0.75 && r.store_id === 'S1')).toBe(true);
  });
});
