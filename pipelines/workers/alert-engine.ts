import type { Logger } from 'pino';
import type { CompetitorObservation } from '../../analytics/alerts/evaluate.ts';
import type { AlertService } from '../alert-service.ts';
import type { EventLog, Subscription } from '../event-log.ts';
import { CompetitorPriceRecord } from '../records.ts';
import { recordCheck } from '../validate.ts';

export const ALERT_ENGINE_GROUP = 'alert-engine';
const checkPrice = recordCheck(CompetitorPriceRecord);

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
export function localDay(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

export interface AlertEngineOptions {
  timezone: string;
  /** Injectable clock for tests. */
  now?: () => Date;
  /** How often the scheduler looks at the clock. */
  tickMs?: number;
}

/**
 * The alert engine: price gaps as competitor prices arrive, and the daily close of each store-local day once it
 * has ended (on start it closes yesterday; re-running a closed day changes nothing).
 */
export async function startAlertEngine(log: EventLog, alerts: AlertService, logger: Logger, options: AlertEngineOptions): Promise<Subscription> {
  const now = options.now ?? (() => new Date());
  const prices = await log.subscribe(ALERT_ENGINE_GROUP, ['competitor-prices'], async (_topic, records) => {
    const observations: CompetitorObservation[] = records.flatMap((r) => {
      const checked = checkPrice(r.value);
      if (!checked.ok) return []; // the warehouse sink dead-letters it with the reason
      const at = new Date(checked.value.ts);
      return [
        {
          store_id: checked.value.store_id,
          competitor_sku: checked.value.sku,
          price: checked.value.price,
          source: checked.value.source,
          observed_at: at.toISOString(),
          day: localDay(at, options.timezone),
        },
      ];
    });
    if (observations.length > 0) await alerts.priceObservations(observations);
  });

  let closed = '';
  let running: Promise<void> = Promise.resolve();
  const stopping = new AbortController();
  const tick = () => {
    const yesterday = previousDay(localDay(now(), options.timezone));
    if (yesterday === closed) return;
    closed = yesterday;
    running = alerts
      .closeDay(yesterday, stopping.signal)
      .then(({ summary }) => logger.info({ summary }, 'daily close'))
      .catch((err: unknown) => {
        closed = '';
        logger.error({ err, day: yesterday }, 'daily close failed; retrying at the next tick');
      });
  };
  tick();
  const timer = setInterval(tick, options.tickMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      // A close still waiting for the sink gives up; the next start closes that day again (idempotent).
      stopping.abort();
      await running;
      await prices.stop();
    },
  };
}
