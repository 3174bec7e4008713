import { listUsers } from '../analytics/access.ts';
import { openAlerts, saveAlerts } from '../analytics/alerts/alert-rows.ts';
import { routeAlert, type RoutableUser } from '../analytics/alerts/routing.ts';
import { lastAssignments, saveActions } from '../analytics/alerts/trail.ts';
import { routingRules } from '../analytics/channels.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import type { Alert } from '../contracts/alerts.ts';
import { ALERT_TYPES } from '../contracts/enums.ts';

/** Users as routing reads them (every one: a chain has hundreds, not millions). */
export async function routableUsers(warehouse: Warehouse): Promise<RoutableUser[]> {
  return (await listUsers(warehouse, 100_000)).map(({ username, role, store_ids, territories, disabled }) => ({
    username,
    role,
    store_ids,
    territories,
    disabled: Boolean(disabled),
  }));
}

/**
 * Gives the new and changed alerts of a close their people: an alert someone (or routing) assigned before keeps
 * that assignment (a close that updates an alert writes its rule's owner again); one never assigned goes to the
 * users its routing rules name. The alerts that change are stored as a newer version, with an `assign` step by
 * `routing` in their trail; the returned list is the one to announce.
 */
export async function routeAlerts(warehouse: Warehouse, alerts: readonly Alert[], at: string): Promise<Alert[]> {
  const live = alerts.filter((a) => a.status !== 'resolved');
  if (live.length === 0) return [...alerts];
  const [rules, users, previous] = await Promise.all([
    routingRules(warehouse),
    routableUsers(warehouse),
    lastAssignments(
      warehouse,
      live.map((a) => a.id),
    ),
  ]);
  const changed = new Map<string, Alert>();
  const steps = [];
  for (const alert of live) {
    const before = previous.get(alert.id);
    if (before !== undefined) {
      if (before !== alert.assignee) changed.set(alert.id, { ...alert, assignee: before });
      continue;
    }
    const owners = routeAlert(alert, rules, users);
    if (owners.length === 0) continue;
    const assignee = owners.join(',');
    changed.set(alert.id, { ...alert, assignee });
    steps.push({
      action_id: `routing:${alert.id}`,
      alert_id: alert.id,
      action: 'assign' as const,
      actor: 'routing',
      at,
      assignee,
      level: 0,
      note: '',
      territory: alert.territory,
    });
  }
  await saveAlerts(warehouse, [...changed.values()]);
  await saveActions(warehouse, steps);
  return alerts.map((a) => changed.get(a.id) ?? a);
}

/**
 * Routes the open alerts written without routing (the demo's first close runs before its users exist); an alert
 * assigned before keeps its assignment. Returns how many changed.
 */
export async function routeOpenAlerts(warehouse: Warehouse): Promise<number> {
  const open = await openAlerts(warehouse, ALERT_TYPES);
  const routed = await routeAlerts(warehouse, open, new Date().toISOString());
  return routed.filter((alert, i) => alert !== open[i]).length;
}
