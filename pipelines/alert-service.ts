import { randomUUID } from 'node:crypto';
import { saveActions, type StoredAction } from '../analytics/alerts/trail.ts';
import type { AlertActionKind } from '../contracts/enums.ts';
import { routeAlerts } from './alert-routing.ts';
import { evaluateDay, evaluatePriceObservations, recloseDays, type Evaluation } from '../analytics/alerts/evaluate.ts';
import { dayPrints } from '../analytics/alerts/late-data.ts';
import type { CompetitorObservation } from '../analytics/alerts/price-gap-findings.ts';
import { saveAlerts } from '../analytics/alerts/alert-rows.ts';
import { applyWorkflow, type WorkflowAction } from '../analytics/alerts/workflow.ts';
import type { Alert } from '../contracts/alerts.ts';
import { storeTimezones } from '../analytics/master-data.ts';
import type { RuleThresholds } from '../analytics/rules/thresholds.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import { closeScopes } from '../analytics/alerts/scope.ts';
import { waitForConsumers, type EventLog } from './log/event-log.ts';
import { alertChanges } from './metrics.ts';
import { EVENT_TOPICS, SINK_GROUP } from './log/topics.ts';

/**
 * Runs the alert rules and tells the rest of the platform: every new or changed alert is published on `alerts`
 * (the notifier delivers it to webhooks and the web app).
 */
export class AlertService {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly log: EventLog,
    private readonly thresholds: RuleThresholds,
    /** The platform zone: stores that name no zone of their own keep it. */
    readonly timezone: string,
  ) {}

  /** The time zone of each store that names one of its own. */
  storeTimezones(): Promise<Map<string, string>> {
    return storeTimezones(this.warehouse);
  }

  /** The time zones the stores' days are in: the platform zone first. */
  async timezones(): Promise<string[]> {
    return closeScopes(await this.storeTimezones(), this.timezone).map((s) => s.timezone);
  }

  /**
   * The daily close for `asOf`, after the warehouse has stored every event accepted before the call: the stores of
   * `timezone` only, or every store (one close per time zone in use, each on its stores' own calendar).
   */
  async closeDay(asOf: string, signal?: AbortSignal, timezone?: string): Promise<Evaluation> {
    await waitForConsumers(this.log, SINK_GROUP, EVENT_TOPICS, 120_000, signal);
    const scopes = closeScopes(await this.storeTimezones(), this.timezone).filter((s) => timezone === undefined || s.timezone === timezone);
    const runs: Evaluation[] = [];
    for (const scope of scopes) runs.push(await evaluateDay(this.warehouse, asOf, this.thresholds, scope.timezone, scope));
    const evaluation = mergeEvaluations(asOf, runs);
    evaluation.changed = await routeAlerts(this.warehouse, evaluation.changed, new Date().toISOString());
    await this.announce(evaluation.changed);
    return evaluation;
  }

  /** How many of the last closed days rows arriving late re-close (0: none). */
  get recloseWindow(): number {
    return this.thresholds.recloseDays;
  }

  /** Fingerprints of the days from..to of the stores of `timezone` (analytics/alerts/late-data.ts). */
  async dayPrints(from: string, to: string, timezone: string): Promise<Map<string, string>> {
    const scopes = closeScopes(await this.storeTimezones(), this.timezone).filter((s) => s.timezone === timezone);
    const prints = new Map<string, string>();
    for (const scope of scopes) for (const [key, print] of await dayPrints(this.warehouse, from, to, timezone, scope)) prints.set(key, print);
    return prints;
  }

  /**
   * Closes `days` (ascending, closed before) again for the stores of `timezone` after rows for them came late: the
   * alerts become what an on-time feed would have produced; the changes are announced like a close's.
   */
  async recloseDays(days: readonly string[], signal?: AbortSignal, timezone?: string): Promise<Evaluation> {
    await waitForConsumers(this.log, SINK_GROUP, EVENT_TOPICS, 120_000, signal);
    const scopes = closeScopes(await this.storeTimezones(), this.timezone).filter((s) => timezone === undefined || s.timezone === timezone);
    const runs: Evaluation[] = [];
    for (const scope of scopes) runs.push(await recloseDays(this.warehouse, days, this.thresholds, scope.timezone, scope));
    const evaluation = mergeEvaluations(days.at(-1) ?? '', runs);
    // Alerts a re-close opens go to their people like a close's.
    evaluation.changed = await routeAlerts(this.warehouse, evaluation.changed, new Date().toISOString());
    await this.announce(evaluation.changed);
    return evaluation;
  }

  /** Competitor prices as they arrive. */
  async priceObservations(observations: readonly CompetitorObservation[]): Promise<Evaluation> {
    const evaluation = await evaluatePriceObservations(this.warehouse, observations, this.thresholds);
    evaluation.changed = await routeAlerts(this.warehouse, evaluation.changed, new Date().toISOString());
    await this.announce(evaluation.changed);
    return evaluation;
  }

  /**
   * A person's step on an alert (acknowledge, resolve, reopen, assign): its next version is stored and announced, so
   * webhooks and live views see it, and the step goes into the alert's trail with who took it. Throws WorkflowError
   * when the step does not apply to the alert as it is.
   */
  async recordWorkflowStep(alert: Alert, action: WorkflowAction, now = new Date().toISOString(), actor = 'system'): Promise<Alert> {
    const changed = applyWorkflow(alert, action, now);
    await saveAlerts(this.warehouse, [changed]);
    await saveActions(this.warehouse, [{ ...step(alert, action.kind, actor, now), assignee: action.kind === 'assign' ? action.assignee : '' }]);
    await this.announce([changed]);
    return changed;
  }

  /** A comment on an alert: kept in its trail, the alert itself unchanged. */
  async comment(alert: Alert, note: string, actor: string, now = new Date().toISOString()): Promise<void> {
    await saveActions(this.warehouse, [{ ...step(alert, 'comment', actor, now), note }]);
  }

  private async announce(alerts: readonly Alert[]): Promise<void> {
    for (const alert of alerts) alertChanges.inc({ type: alert.type, status: alert.status });
    if (alerts.length > 0)
      await this.log.publish(
        'alerts',
        alerts.map((a) => ({ key: a.store_id, value: a })),
      );
  }
}

function step(alert: Alert, action: AlertActionKind, actor: string, at: string): StoredAction {
  return { action_id: randomUUID(), alert_id: alert.id, action, actor, at, assignee: '', level: 0, note: '', territory: alert.territory };
}

/** The closes of one day in several time zones, as one (they cover different stores, so counts add up). */
export function mergeEvaluations(asOf: string, runs: readonly Evaluation[]): Evaluation {
  if (runs.length === 1) return runs[0]!;
  const merged: Evaluation = { summary: { as_of: asOf, opened: 0, updated: 0, resolved: 0, by_type: {} }, changed: [] };
  for (const run of runs) {
    merged.changed.push(...run.changed);
    merged.summary.opened += run.summary.opened;
    merged.summary.updated += run.summary.updated;
    merged.summary.resolved += run.summary.resolved;
    for (const [type, counts] of Object.entries(run.summary.by_type)) {
      const total = (merged.summary.by_type[type] ??= { opened: 0, updated: 0, resolved: 0, open: 0 });
      total.opened += counts.opened;
      total.updated += counts.updated;
      total.resolved += counts.resolved;
      total.open += counts.open;
    }
  }
  return merged;
}
