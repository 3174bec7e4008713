import type { Logger } from 'pino';
import type { CompetitorObservation } from '../../analytics/alerts/price-gap-findings.ts';
import type { AlertService } from '../alert-service.ts';
import { addDays, dayRange, localDay, previousDay } from '../../lib/days.ts';
import { firstChangedDay } from '../../analytics/alerts/late-data.ts';
import type { EventLog, Subscription } from '../log/event-log.ts';
import { CompetitorPriceRecord } from '../../contracts/records.ts';
import { recordCheck } from '../validate.ts';
import { ALERT_ENGINE_GROUP } from '../log/topics.ts';

const checkPrice = recordCheck(CompetitorPriceRecord);

export interface AlertEngineOptions {
  /** The platform zone, for stores that name none. */
  timezone: string;
  /** Injectable clock for tests. */
  now?: () => Date;
  /** How often the scheduler looks at the clock. */
  tickMs?: number;
}

/**
 * The alert engine: price gaps as competitor prices arrive, and the daily close of each store-local day once it
 * has ended in the stores' time zone: the stores of each zone in use are closed after their own midnight (on
 * start each zone closes its yesterday; re-running a closed day changes nothing).
 */
export async function startAlertEngine(log: EventLog, alertService: AlertService, logger: Logger, options: AlertEngineOptions): Promise<Subscription> {
  const now = options.now ?? (() => new Date());
  const prices = await log.subscribe(ALERT_ENGINE_GROUP, ['competitor-prices'], async (_topic, records) => {
    const zones = await alertService.storeTimezones();
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
          day: localDay(at, zones.get(checked.value.store_id) ?? options.timezone),
        },
      ];
    });
    if (observations.length > 0) await alertService.priceObservations(observations);
  });

  // The day last closed in each time zone; a zone's close waits for the one before it.
  const closed = new Map<string, string>();
  let running: Promise<void> = Promise.resolve();
  const stopping = new AbortController();
  // Late rows: each zone's last K closed days are fingerprinted when closed; a later reading that differs
  // re-closes them from the first day that changed (analytics/alerts/late-data.ts).
  const reclosable = alertService.recloseWindow;
  const prints = new Map<string, Map<string, string>>();
  const lastDays = (timezone: string) => {
    const last = closed.get(timezone)!;
    return dayRange(addDays(last, 1 - reclosable), last);
  };
  const notePrints = async (timezone: string) => {
    if (!(reclosable > 0)) return;
    const days = lastDays(timezone);
    prints.set(timezone, await alertService.dayPrints(days[0]!, days.at(-1)!, timezone));
  };
  const recloseLate = (timezone: string) => {
    if (!prints.has(timezone)) return;
    running = running
      .then(async () => {
        // Read when it runs: a close queued before it has fingerprinted its own days.
        const before = prints.get(timezone)!;
        const days = lastDays(timezone);
        const after = await alertService.dayPrints(days[0]!, days.at(-1)!, timezone);
        const from = firstChangedDay(before, after);
        if (from === undefined) return;
        const { summary } = await alertService.recloseDays(
          days.filter((d) => d >= from),
          stopping.signal,
          timezone,
        );
        prints.set(timezone, after);
        logger.info({ summary, timezone, from }, 'late rows: days closed again');
      })
      .catch((err: unknown) => logger.error({ err, timezone }, 're-closing days after late rows failed; retrying at the next tick'));
  };
  const closeZone = (timezone: string) => {
    const yesterday = previousDay(localDay(now(), timezone));
    if (closed.get(timezone) === yesterday) return recloseLate(timezone);
    closed.set(timezone, yesterday);
    running = running
      // Read before the close: rows that land during it differ from these, and re-close the day at the next tick.
      .then(() => notePrints(timezone))
      .then(() => alertService.closeDay(yesterday, stopping.signal, timezone))
      .then(({ summary }) => logger.info({ summary, timezone }, 'daily close'))
      .catch((err: unknown) => {
        closed.delete(timezone);
        logger.error({ err, day: yesterday, timezone }, 'daily close failed; retrying at the next tick');
      });
  };
  let ticking: Promise<void> | undefined;
  const tick = () => {
    if (ticking || stopping.signal.aborted) return;
    ticking = alertService
      .timezones()
      .then((zones) => zones.forEach(closeZone))
      .catch((err: unknown) => logger.error({ err }, "reading the stores' time zones failed; retrying at the next tick"))
      .finally(() => {
        ticking = undefined;
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
      await ticking;
      await running;
      await prices.stop();
    },
  };
}
