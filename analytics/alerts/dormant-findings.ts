import { dormantCustomers, type OrderHistory } from '../rules/dormant.ts';
import type { DayClose, Findings, RuleInputs } from './day-close.ts';
import { slotOf, type Finding } from './model.ts';
import { inScope } from './scope.ts';
import { dormantTexts } from './texts.ts';

/**
 * Every store that ever ordered, with its last order day (local) and historical margin up to the as-of day, from
 * the order history model (order_days: the margin is regular price × units − value per SKU). Not scoped: the
 * dormant are ranked by margin over the whole chain, whichever zone's close raises their alert.
 */
const ORDER_HISTORY = `
  SELECT o.store_id AS store_id, toString(max(o.day)) AS last_order_day,
    uniqExactMerge(o.orders) AS orders, sum(o.value) AS value, sum(p.regular_price * o.units - o.value) AS margin
  FROM order_days AS o
  LEFT JOIN (SELECT sku, regular_price FROM products FINAL) AS p ON p.sku = o.sku
  WHERE o.day <= toDate({as_of:String})
  GROUP BY o.store_id`;

export async function loadOrderHistories({ warehouse, asOf }: DayClose): Promise<OrderHistory[]> {
  type Row = { store_id: string; last_order_day: string; orders: number; value: number; margin: number };
  const rows = await warehouse.query<Row>(ORDER_HISTORY, { as_of: asOf });
  return rows.map((h) => ({ storeId: h.store_id, lastOrderDay: h.last_order_day, orders: h.orders, value: h.value, margin: h.margin }));
}

/** dormant_customer for the close's stores among the chain's dormant; an open one whose store ordered again resolves. */
export function dormantFindings(histories: readonly OrderHistory[], { asOf, thresholds, scope, stores, open }: RuleInputs): Findings {
  const dormant = dormantCustomers(histories, asOf, thresholds.dormantAfterDays);
  const covered = inScope(scope);
  const findings: Finding[] = dormant.flatMap((d) => {
    const store = stores.get(d.storeId);
    if (!store || !covered(d.storeId)) return [];
    return [
      {
        type: 'dormant_customer' as const,
        store_id: d.storeId,
        sku: '',
        territory: store.territory,
        category: '',
        severity: d.severity,
        assignee: `reps:${store.territory}`,
        evidence: {
          last_order_day: d.lastOrderDay,
          days_since_last_order: d.daysSinceLastOrder,
          orders: d.orders,
          order_value: Number(d.value.toFixed(2)),
          historical_margin: Number(d.margin.toFixed(2)),
          rank: d.rank,
          dormant_customers: dormant.length,
        },
        ...dormantTexts({ storeName: store.name, days: d.daysSinceLastOrder, margin: d.margin, rank: d.rank, territory: store.territory }),
      },
    ];
  });
  const dormantIds = new Set(dormant.map((d) => d.storeId));
  const resolved = new Set(open.filter((a) => a.type === 'dormant_customer' && !dormantIds.has(a.store_id)).map(slotOf));
  return { findings, resolved };
}
