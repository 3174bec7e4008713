import { describe, expect, it } from 'vitest';
import type { ProductInfo } from '../../../../analytics/alerts/day-close.ts';
import { shelfFindings, type ShelfRows } from '../../../../analytics/alerts/shelf-findings.ts';
import { lowShareTexts, planogramTexts, shelfGapTexts } from '../../../../analytics/alerts/texts.ts';
import { openAlert, ruleInputs } from './inputs.ts';

const PRODUCTS: ProductInfo[] = [{ sku: 'COLA', name: 'Cola 330ml', category: 'Drinks', regular_price: 19.9, is_competitor: false, matches_sku: '' }];

describe('the shelf family from plain rows', () => {
  it('raises a shelf gap, a low share of shelf and planogram deviations from a store’s latest photos', () => {
    const rows: ShelfRows = {
      days: [{ store_id: 'S1', day: '2026-11-19', photos: 2, gaps: 3, own_facings: 10, recognised_facings: 40, unknown_facings: 2, photo_ids: ['p1', 'p2'] }],
      issues: [
        { store_id: 'S1', sku: 'COLA', status: 'missing', latest_photo: 'p2', score: 0.8 },
        // Not in the product master: named by its SKU.
        { store_id: 'S1', sku: 'NEW-SKU', status: 'misplaced', latest_photo: 'p1', score: null },
      ],
    };
    const base = { store_id: 'S1', territory: 'T1', category: '', assignee: 'ann' };
    expect(shelfFindings(rows, ruleInputs({ products: PRODUCTS })).findings).toEqual([
      {
        ...base,
        type: 'shelf_gap',
        sku: '',
        severity: 'medium',
        evidence: { day: '2026-11-19', photos: ['p1', 'p2'], gaps: 3 },
        ...shelfGapTexts({ storeName: 'Riverside', day: '2026-11-19', gaps: 3, photos: 2 }),
        message_en: 'Riverside: 3 empty facing(s) on the 2 shelf photo(s) taken on 2026-11-19.',
      },
      {
        ...base,
        type: 'low_share_of_shelf',
        sku: '',
        // 25% against a 30% target: under the target, not under three quarters of it.
        severity: 'low',
        evidence: { day: '2026-11-19', photos: ['p1', 'p2'], own_facings: 10, total_facings: 40, unknown_facings: 2, share: 0.25, target: 0.3 },
        ...lowShareTexts({ storeName: 'Riverside', day: '2026-11-19', share: 0.25, target: 0.3 }),
        message_en: 'Riverside: own brands hold 25.0% of the facings on the shelf photos of 2026-11-19, below the 30.0% target.',
      },
      {
        ...base,
        type: 'planogram',
        sku: 'COLA',
        category: 'Drinks',
        severity: 'high',
        evidence: { day: '2026-11-19', photo_id: 'p2', status: 'missing', planogram_score: 0.8 },
        ...planogramTexts({ storeName: 'Riverside', productName: 'Cola 330ml', sku: 'COLA', status: 'missing', day: '2026-11-19' }),
      },
      {
        ...base,
        type: 'planogram',
        sku: 'NEW-SKU',
        severity: 'medium',
        evidence: { day: '2026-11-19', photo_id: 'p1', status: 'misplaced', planogram_score: null },
        ...planogramTexts({ storeName: 'Riverside', productName: 'NEW-SKU', sku: 'NEW-SKU', status: 'misplaced', day: '2026-11-19' }),
      },
    ]);
  });

  it('resolves the shelf alerts of a store photographed again, and keeps those of a store without new photos', () => {
    const rows: ShelfRows = {
      days: [{ store_id: 'S2', day: '2026-11-20', photos: 1, gaps: 0, own_facings: 20, recognised_facings: 40, unknown_facings: 0, photo_ids: ['p3'] }],
      issues: [],
    };
    const open = [openAlert('shelf_gap', 'S2'), openAlert('planogram', 'S2', 'COLA'), openAlert('low_share_of_shelf', 'S3'), openAlert('no_data', 'S2')];
    expect(shelfFindings(rows, ruleInputs({ open }))).toEqual({ findings: [], resolved: new Set(['shelf_gap:S2:', 'planogram:S2:COLA']) });
  });
});
