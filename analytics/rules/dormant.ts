import { daysBetween } from '../../lib/days.ts';
import type { Severity } from '../../contracts/enums.ts';
/** A customer (store) with its order history. */
export interface OrderHistory {
  storeId: string;
  lastOrderDay: string;
  orders: number;
  value: number;
  /** Σ (regular_price − unit_price) × qty over every order line. */
  margin: number;
}

export interface DormantCustomer extends OrderHistory {
  daysSinceLastOrder: number;
  /** 1 = the most valuable dormant customer by historical margin. */
  rank: number;
  /** By rank among the dormant: top 20% high, top 50% medium, else low. */
  severity: Severity;
}

/** Stores that ordered before and placed no order in the last `afterDays` days (as_of included), by margin. */
export function dormantCustomers(histories: readonly OrderHistory[], asOf: string, afterDays: number): DormantCustomer[] {
  return histories
    .filter((h) => h.orders > 0 && daysBetween(h.lastOrderDay, asOf) >= afterDays)
    .sort((a, b) => b.margin - a.margin || a.storeId.localeCompare(b.storeId))
    .map((h, i, dormant) => ({
      ...h,
      daysSinceLastOrder: daysBetween(h.lastOrderDay, asOf),
      rank: i + 1,
      severity: dormantSeverity(i + 1, dormant.length),
    }));
}

function dormantSeverity(rank: number, ranked: number): Severity {
  return rank <= Math.ceil(ranked * 0.2) ? 'high' : rank <= Math.ceil(ranked * 0.5) ? 'medium' : 'low';
}
