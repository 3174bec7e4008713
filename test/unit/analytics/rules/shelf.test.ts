import { describe, expect, it } from 'vitest';
import { decideLowShare, decidePlanogram, decideShelfGap, ownShareOfShelf, type ShelfDay } from '../../../../analytics/rules/shelf.ts';

const shelf = (over: Partial<ShelfDay>): ShelfDay => ({ storeId: 'S1', day: '2026-11-20', photos: 2, gaps: 0, ownFacings: 6, totalFacings: 10, ...over });

describe('vision rules', () => {
  it('shelf_gap from the configured number of holes, more holes more severe', () => {
    expect(decideShelfGap(shelf({ gaps: 0 }), 1).alert).toBe(false);
    expect(decideShelfGap(shelf({ gaps: 1 }), 1)).toEqual({ alert: true, severity: 'low' });
    expect(decideShelfGap(shelf({ gaps: 2 }), 3).alert).toBe(false);
    expect(decideShelfGap(shelf({ gaps: 3 }), 3)).toEqual({ alert: true, severity: 'medium' });
    expect(decideShelfGap(shelf({ gaps: 7 }), 1).severity).toBe('high');
  });

  it('low_share_of_shelf below the target share of facings; nothing recognised is no evidence', () => {
    expect(ownShareOfShelf(shelf({ ownFacings: 3, totalFacings: 12 }))).toBe(0.25);
    expect(decideLowShare(shelf({ ownFacings: 3, totalFacings: 10 }), 0.3)).toMatchObject({ alert: false, share: 0.3 });
    expect(decideLowShare(shelf({ ownFacings: 2, totalFacings: 10 }), 0.3)).toEqual({ alert: true, share: 0.2, severity: 'medium' });
    expect(decideLowShare(shelf({ ownFacings: 1, totalFacings: 10 }), 0.3).severity).toBe('high');
    expect(decideLowShare(shelf({ ownFacings: 28, totalFacings: 100 }), 0.3).severity).toBe('low');
    expect(decideLowShare(shelf({ ownFacings: 0, totalFacings: 0 }), 0.3)).toMatchObject({ alert: false, share: null });
  });

  it('planogram: a missing SKU is worse than a misplaced one; ok and extra are no alert', () => {
    expect(decidePlanogram('missing')).toEqual({ alert: true, severity: 'high' });
    expect(decidePlanogram('misplaced')).toEqual({ alert: true, severity: 'medium' });
    expect(decidePlanogram('ok').alert).toBe(false);
    expect(decidePlanogram('extra').alert).toBe(false);
    expect(decidePlanogram('').alert).toBe(false);
  });
});
