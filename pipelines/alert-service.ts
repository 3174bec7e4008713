import { evaluateDay, evaluatePriceObservations, type CompetitorObservation, type Evaluation } from '../analytics/alerts/evaluate.ts';
import type { Alert } from '../analytics/alerts/model.ts';
import type { RuleThresholds } from '../analytics/rules/thresholds.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import { waitForConsumers, type EventLog } from './event-log.ts';
import { alertChanges } from './metrics.ts';
import { EVENT_TOPICS } from './topics.ts';
import { SINK_GROUP } from './workers/warehouse-sink.ts';

/**
 * Runs the alert rules and tells the rest of the platform: every new or changed alert is published on `alerts`
 * (the notifier delivers it to webhooks and the web app).
 */
export class AlertService {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly log: EventLog,
    private readonly thresholds: RuleThresholds,
    private readonly timezone: string,
  ) {}

  /** The daily close for `asOf`, after the warehouse has stored every event accepted before the call. */
  async closeDay(asOf: string, signal?: AbortSignal): Promise<Evaluation> {
    await waitForConsumers(this.log, SINK_GROUP, EVENT_TOPICS, 120_000, signal);
    const evaluation = await evaluateDay(this.warehouse, asOf, this.thresholds, this.timezone);
    await this.announce(evaluation.changed);
    return evaluation;
  }

  /** Competitor prices as they arrive. */
  async priceObservations(observations: readonly CompetitorObservation[]): Promise<Evaluation> {
    const evaluation = await evaluatePriceObservations(this.warehouse, observations, this.thresholds);
    await this.announce(evaluation.changed);
    return evaluation;
  }

  async announce(alerts: readonly Alert[]): Promise<void> {
    for (const alert of alerts) alertChanges.inc({ type: alert.type, status: alert.status });
    if (alerts.length > 0) await this.log.publish('alerts', alerts.map((a) => ({ key: a.store_id, value: a })));
  }
}
