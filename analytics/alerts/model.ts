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

/** The day an alert was opened: the last part of its id (ids are type:store:sku:day). */
export function openingDay(alert: { id: string }): string {
  return alert.id.slice(-10);
}

/** Why the engine resolved an alert: its problem ended, another type took its slot, or it was withdrawn. */
export type EngineResolution = 'cleared' | 'replaced' | 'late_data';
const ENGINE_RESOLUTIONS: ReadonlySet<string> = new Set<EngineResolution>(['cleared', 'replaced', 'late_data']);

/** Resolved by the engine (not by a person): a re-close may open it again. */
const resolvedByEngine = (alert: Alert) => alert.status === 'resolved' && ENGINE_RESOLUTIONS.has(alert.resolved_reason ?? '');

/**
 * Turns the day's findings into alert changes against the open alerts: a finding continues the open alert of its
 * slot (updated only when something changed, so re-running a day changes nothing) or opens a new one; the slots
 * in `resolvedSlots` (sales resumed, the gap closed …) resolve their open alert.
 * A re-close of the day passes the alerts an earlier close of it opened as `tentative` (open or resolved): they are
 * not open as far as the day is concerned. One the day finds again (same id) continues — open again if the engine
 * had resolved it since, as the days after are re-closed next —; the others are withdrawn: resolved with reason
 * `late_data`, as an on-time feed would never have opened them. What a person resolved stays resolved.
 */
export function reconcile({
  open,
  findings,
  resolvedSlots,
  asOf,
  now,
  tentative = [],
}: {
  open: readonly Alert[];
  findings: readonly Finding[];
  resolvedSlots: ReadonlySet<string>;
  asOf: string;
  now: string;
  tentative?: readonly Alert[];
}): Reconciliation {
  const openBySlot = new Map(open.filter((a) => a.status !== 'resolved').map((a) => [slotOf(a), a]));
  const reopenable = new Map(tentative.map((a) => [a.id, a]));
  const result: Reconciliation = { opened: [], updated: [], resolved: [] };
  const resolve = (alert: Alert, reason: EngineResolution) =>
    result.resolved.push({ ...alert, status: 'resolved', updated_at: now, resolved_at: alert.resolved_at ?? now, resolved_reason: reason });
  for (const finding of findings) {
    const slot = slotOf(finding);
    const current = openBySlot.get(slot);
    openBySlot.delete(slot);
    if (current && current.type === finding.type) {
      if (!sameContent(current, finding)) result.updated.push({ ...current, ...finding, as_of: asOf, updated_at: now, status: current.status });
      continue;
    }
    if (current) resolve(current, 'replaced');
    const id = `${finding.type}:${finding.store_id}:${finding.sku}:${asOf}`;
    const earlier = reopenable.get(id);
    if (earlier) {
      reopenable.delete(id);
      if (resolvedByEngine(earlier))
        result.updated.push({ ...earlier, ...finding, as_of: asOf, updated_at: now, status: 'open', resolved_at: null, resolved_reason: '' });
      else if (earlier.status !== 'resolved' && (!sameContent(earlier, finding) || earlier.as_of !== asOf))
        result.updated.push({ ...earlier, ...finding, as_of: asOf, updated_at: now, status: earlier.status });
      continue;
    }
    result.opened.push({
      ...finding,
      id,
      status: 'open',
      created_at: now,
      updated_at: now,
      as_of: asOf,
      resolved_at: null,
    });
  }
  for (const slot of resolvedSlots) {
    const current = openBySlot.get(slot);
    if (current) resolve(current, 'cleared');
  }
  for (const withdrawn of reopenable.values()) {
    if (withdrawn.status !== 'resolved' || (resolvedByEngine(withdrawn) && withdrawn.resolved_reason !== 'late_data')) resolve(withdrawn, 'late_data');
  }
  return result;
}
