import type { Alert, AlertTexts } from '../../contracts/alerts.ts';
import type { AlertType, Severity } from '../../contracts/enums.ts';

/** What a rule found for one store (× SKU) on the as-of day. */
export interface Finding extends AlertTexts {
  type: AlertType;
  store_id: string;
  sku: string;
  territory: string;
  category: string;
  severity: Severity;
  evidence: Record<string, unknown>;
  assignee: string;
}

/**
 * Which alert a finding continues: one open alert per (store, SKU) for the stock rules (a zero_sale that turns into
 * an out_of_stock replaces it), one per store for store-level rules, one per (store, own SKU) for price gaps.
 */
export function slotOf(alert: { type: AlertType; store_id: string; sku: string }): string {
  switch (alert.type) {
    case 'zero_sale':
    case 'out_of_stock':
      return `stock:${alert.store_id}:${alert.sku}`;
    case 'no_data':
    case 'dormant_customer':
      return `${alert.type}:${alert.store_id}`;
    default:
      return `${alert.type}:${alert.store_id}:${alert.sku}`;
  }
}

export interface Reconciliation {
  opened: Alert[];
  updated: Alert[];
  resolved: Alert[];
}

function sameContent(alert: Alert, finding: Finding): boolean {
  return (
    alert.type === finding.type &&
    alert.severity === finding.severity &&
    alert.message_en === finding.message_en &&
    JSON.stringify(alert.evidence) === JSON.stringify(finding.evidence)
  );
}

/**
 * Turns the day's findings into alert changes against the open alerts: a finding continues the open alert of its
 * slot (updated only when something changed, so re-running a day changes nothing) or opens a new one; the slots
 * in `resolvedSlots` (sales resumed, the gap closed …) resolve their open alert.
 */
export function reconcile({
  open,
  findings,
  resolvedSlots,
  asOf,
  now,
}: {
  open: readonly Alert[];
  findings: readonly Finding[];
  resolvedSlots: ReadonlySet<string>;
  asOf: string;
  now: string;
}): Reconciliation {
  const openBySlot = new Map(open.filter((a) => a.status !== 'resolved').map((a) => [slotOf(a), a]));
  const result: Reconciliation = { opened: [], updated: [], resolved: [] };
  const resolve = (alert: Alert) => result.resolved.push({ ...alert, status: 'resolved', updated_at: now, resolved_at: now });
  for (const finding of findings) {
    const slot = slotOf(finding);
    const current = openBySlot.get(slot);
    openBySlot.delete(slot);
    if (current && current.type === finding.type) {
      if (!sameContent(current, finding)) result.updated.push({ ...current, ...finding, as_of: asOf, updated_at: now, status: current.status });
      continue;
    }
    if (current) resolve(current);
    result.opened.push({
      ...finding,
      id: `${finding.type}:${finding.store_id}:${finding.sku}:${asOf}`,
      status: 'open',
      created_at: now,
      updated_at: now,
      as_of: asOf,
      resolved_at: null,
    });
  }
  for (const slot of resolvedSlots) {
    const current = openBySlot.get(slot);
    if (current) resolve(current);
  }
  return result;
}
