import type { AlertType } from '../../contracts/enums.ts';
import type { AlertAction, WorkflowKpi } from '../../contracts/workflow.ts';
import type { Warehouse } from '../warehouse.ts';

const ISO = (column: string) => `formatDateTime(${column}, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC')`;

const TRAIL = `
  SELECT action_id, alert_id, action, actor, ${ISO('at')} AS at, assignee, level, note
  FROM alert_actions FINAL WHERE alert_id = {id:String}
  ORDER BY at, action_id`;

const ESCALATION_LEVELS = `
  SELECT alert_id, max(level) AS level FROM alert_actions FINAL
  WHERE alert_id IN {ids:Array(String)} AND action = 'escalate'
  GROUP BY alert_id`;

const LAST_ASSIGNMENTS = `
  SELECT alert_id, argMax(assignee, (at, action_id)) AS assignee FROM alert_actions FINAL
  WHERE alert_id IN {ids:Array(String)} AND action = 'assign'
  GROUP BY alert_id`;

/** The due time of each row, from its type's hours (types and hours as parallel arrays). */
const DUE = `created_at + toIntervalMillisecond(toUInt64(transform(type, {types:Array(String)}, {hours:Array(Float64)}, 24.0) * 3600000))`;

/** Alerts not resolved whose due time has passed at `now`: the escalation's candidates. */
const OVERDUE = `
  SELECT id, type, status, store_id, sku, territory, category, ${ISO('created_at')} AS created_at, assignee
  FROM alerts FINAL
  WHERE status != 'resolved' AND ${DUE} <= parseDateTime64BestEffort({now:String}, 3, 'UTC')`;

const KPIS = `
  SELECT a.territory AS territory,
    count() AS opened,
    countIf(t.first_response > toDateTime64(0, 3, 'UTC')) AS acknowledged,
    countIf(a.status = 'resolved') AS resolved,
    countIf(a.status != 'resolved' AND a.due <= parseDateTime64BestEffort({now:String}, 3, 'UTC')) AS overdue_open,
    countIf(t.escalated > 0) AS escalated,
    medianIf((toUnixTimestamp64Milli(t.first_response) - toUnixTimestamp64Milli(a.created_at)) / 3600000, t.first_response > toDateTime64(0, 3, 'UTC')) AS hours_to_ack_median,
    medianIf((toUnixTimestamp64Milli(a.resolved_at) - toUnixTimestamp64Milli(a.created_at)) / 3600000, a.status = 'resolved' AND a.resolved_at IS NOT NULL) AS hours_to_resolve_median
  FROM (
    SELECT id, territory, status, created_at, assumeNotNull(resolved_at) AS resolved_at, ${DUE} AS due
    FROM alerts FINAL
    WHERE created_at >= parseDateTime64BestEffort({from:String}, 3, 'UTC') AND created_at < parseDateTime64BestEffort({to:String}, 3, 'UTC')
      AND (empty({stores:Array(String)}) OR store_id IN {stores:Array(String)})
      AND (empty({territories:Array(String)}) OR territory IN {territories:Array(String)})
  ) AS a
  LEFT JOIN (
    -- The first response is the first acknowledgement, or a resolve without one.
    SELECT alert_id, minIf(at, action IN ('ack', 'resolve')) AS first_response, maxIf(level, action = 'escalate') AS escalated
    FROM alert_actions FINAL GROUP BY alert_id
  ) AS t ON t.alert_id = a.id
  GROUP BY territory
  ORDER BY territory`;

/** A step as stored: with the alert's territory, which the KPIs group by. */
export type StoredAction = AlertAction & { territory: string };

export async function saveActions(warehouse: Warehouse, actions: readonly StoredAction[]): Promise<void> {
  if (actions.length > 0) await warehouse.insert('alert_actions', actions);
}

export async function alertTrail(warehouse: Warehouse, alertId: string): Promise<AlertAction[]> {
  return (await warehouse.query<AlertAction>(TRAIL, { id: alertId })).map((a) => ({ ...a, level: Number(a.level) }));
}

/** The highest escalation level recorded for each alert (absent: none). */
export async function escalationLevels(warehouse: Warehouse, alertIds: readonly string[]): Promise<Map<string, number>> {
  if (alertIds.length === 0) return new Map();
  const rows = await warehouse.query<{ alert_id: string; level: number }>(ESCALATION_LEVELS, { ids: alertIds });
  return new Map(rows.map((r) => [r.alert_id, Number(r.level)]));
}

/** The latest assignment a person or routing made of each alert (absent: never assigned). */
export async function lastAssignments(warehouse: Warehouse, alertIds: readonly string[]): Promise<Map<string, string>> {
  if (alertIds.length === 0) return new Map();
  const rows = await warehouse.query<{ alert_id: string; assignee: string }>(LAST_ASSIGNMENTS, { ids: alertIds });
  return new Map(rows.map((r) => [r.alert_id, r.assignee]));
}

const hoursParams = (hours: Readonly<Record<AlertType, number>>) => ({ types: Object.keys(hours), hours: Object.values(hours) });

export interface OverdueAlert {
  id: string;
  type: AlertType;
  status: 'open' | 'acknowledged';
  store_id: string;
  sku: string;
  territory: string;
  category: string;
  created_at: string;
  assignee: string;
}

export function overdueAlerts(warehouse: Warehouse, hours: Readonly<Record<AlertType, number>>, now: Date): Promise<OverdueAlert[]> {
  return warehouse.query<OverdueAlert>(OVERDUE, { ...hoursParams(hours), now: now.toISOString() });
}

/** Time to acknowledge and to resolve, per territory, over the alerts opened in [from, to) within the caller's scope. */
export async function workflowKpis(
  warehouse: Warehouse,
  q: { from: string; to: string; now: Date; hours: Readonly<Record<AlertType, number>>; stores: readonly string[]; territories: readonly string[] },
): Promise<WorkflowKpi[]> {
  const rows = await warehouse.query<Record<string, number | string | null>>(KPIS, {
    ...hoursParams(q.hours),
    from: q.from,
    to: q.to,
    now: q.now.toISOString(),
    stores: q.stores,
    territories: q.territories,
  });
  const hoursOrNull = (v: unknown) => (v === null || v === undefined || Number.isNaN(Number(v)) ? null : Math.round(Number(v) * 100) / 100);
  return rows.map((r) => ({
    territory: String(r.territory),
    opened: Number(r.opened),
    acknowledged: Number(r.acknowledged),
    resolved: Number(r.resolved),
    overdue_open: Number(r.overdue_open),
    escalated: Number(r.escalated),
    hours_to_ack_median: hoursOrNull(r.hours_to_ack_median),
    hours_to_resolve_median: hoursOrNull(r.hours_to_resolve_median),
  }));
}
