import { describe, expect, it } from 'vitest';
import { dormantFindings } from '../../../../analytics/alerts/dormant-findings.ts';
import { dormantTexts } from '../../../../analytics/alerts/texts.ts';
import type { OrderHistory } from '../../../../analytics/rules/dormant.ts';
import { openAlert, ruleInputs } from './inputs.ts';

const history = (storeId: string, lastOrderDay: string, margin: number): OrderHistory => ({ storeId, lastOrderDay, orders: 12, value: 4321.456, margin });

describe('the dormant family from plain rows', () => {
  it('raises a dormant customer of the close, ranked by margin over the whole chain, and resolves one that ordered again', () => {
    const histories = [
      history('S1', '2026-08-01', 500.004),
      history('S2', '2026-08-20', 900),
      // Ordered 19 days ago: active.
      history('S3', '2026-11-01', 2000),
      // Another zone's store: ranked with the chain, raised by its own close.
      history('S9', '2026-07-01', 100),
    ];
    const open = [openAlert('dormant_customer', 'S1'), openAlert('dormant_customer', 'S3')];
    const { findings, resolved } = dormantFindings(histories, ruleInputs({ open, scope: { except: ['S9'] } }));
    expect(findings).toEqual([
      {
        type: 'dormant_customer',
        store_id: 'S2',
        sku: '',
        territory: 'T2',
        category: '',
        severity: 'high',
        assignee: 'reps:T2',
        evidence: {
          last_order_day: '2026-08-20',
          days_since_last_order: 92,
          orders: 12,
          order_value: 4321.46,
          historical_margin: 900,
          rank: 1,
          dormant_customers: 3,
        },
        ...dormantTexts({ storeName: 'Old Town', days: 92, margin: 900, rank: 1, territory: 'T2' }),
        message_en: 'Old Town has not ordered for 92 days (historical margin ¥900.00, #1 among dormant customers).',
      },
      {
        type: 'dormant_customer',
        store_id: 'S1',
        sku: '',
        territory: 'T1',
        category: '',
        // Rank 2 of 3: within the top half, not the top fifth.
        severity: 'medium',
        assignee: 'reps:T1',
        evidence: {
          last_order_day: '2026-08-01',
          days_since_last_order: 111,
          orders: 12,
          order_value: 4321.46,
          historical_margin: 500,
          rank: 2,
          dormant_customers: 3,
        },
        ...dormantTexts({ storeName: 'Riverside', days: 111, margin: 500.004, rank: 2, territory: 'T1' }),
      },
    ]);
    expect(resolved).toEqual(new Set(['dormant_customer:S3']));
  });
});
