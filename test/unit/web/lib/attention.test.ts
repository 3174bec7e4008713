import { describe, expect, it } from 'vitest';
import { storesNeedingAttention } from '../../../../web/src/lib/attention.ts';
import type { MapStore } from '../../../../web/src/lib/types.ts';

const store = (store_id: string, vs_compare: number | null, open_alerts: Record<string, number> = {}) =>
  ({ store_id, vs_compare, open_alerts, open_alerts_total: Object.values(open_alerts).reduce((a, b) => a + b, 0) }) as MapStore;

describe('the stores a director looks at first', () => {
  it('names stopped till feeds first, then alternates the biggest drops and the most alerts', () => {
    const stores = [
      store('quiet', 0.02),
      store('small-dip', -0.03),
      store('drop-10', -0.1),
      store('drop-20', -0.2),
      store('feed', -0.4, { no_data: 1 }),
      store('alerts-5', 0.01, { zero_sale: 3, price_gap: 2 }),
      store('alerts-3', 0.05, { zero_sale: 3 }),
    ];
    const list = storesNeedingAttention(stores);
    expect(list.map((s) => s.store.store_id)).toEqual(['feed', 'drop-20', 'alerts-5', 'drop-10', 'alerts-3']);
    // The outage's fall is missing data: it is not also called a drop.
    expect(list[0]!.reasons).toEqual(['no_data']);
  });

  it('ranks drops against the compare-to period the map shows, not last year', () => {
    const stores = [
      { ...store('down-vs-previous', -0.2), vs_ly: 0.1 },
      { ...store('down-vs-ly', 0.01), vs_ly: -0.3 },
    ];
    expect(storesNeedingAttention(stores).map((s) => s.store.store_id)).toEqual(['down-vs-previous']);
  });

  it('keeps to the limit and gives both reasons to a store that has both', () => {
    const list = storesNeedingAttention([store('a', -0.3, { zero_sale: 4 }), store('b', -0.2), store('c', -0.1)], 2);
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ reasons: ['drop', 'alerts'] });
  });
});
