import { createHmac, randomUUID } from 'node:crypto';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { presentAlert } from '../../analytics/alerts-read.ts';
import type { Alert } from '../../contracts/alerts.ts';
import type { AlertBus } from '../alert-bus.ts';
import type { EventLog, Subscription } from '../log/event-log.ts';
import { NOTIFIER_GROUP, type DeadLetter } from '../log/topics.ts';

export interface WebhookOptions {
  urls: string[];
  secret: string;
  /** Attempts per delivery before it goes to dead-letter. */
  attempts?: number;
  /** First pause between attempts (doubling after each). */
  minTimeoutMs?: number;
}

/** `sha256=<hex>`: HMAC-SHA256 of the exact body with the shared secret, for the receiver to verify. */
export function signature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function deliver(url: string, body: string, secret: string, deliveryId: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shelfpulse-signature': signature(body, secret),
      'x-shelfpulse-delivery': deliveryId,
      'x-shelfpulse-event': 'alert',
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
}

/**
 * The notifier: every new or changed alert on `alerts` goes to each configured webhook, signed, with retries and
 * a growing pause; a delivery that still fails goes to dead-letter with the reason (and can be replayed).
 */
export async function startNotifier(log: EventLog, webhooks: WebhookOptions, logger: Logger): Promise<Subscription> {
  return log.subscribe(NOTIFIER_GROUP, ['alerts'], async (_topic, records) => {
    if (webhooks.urls.length === 0) return;
    const failed: DeadLetter[] = [];
    await Promise.all(
      records.flatMap((record) => {
        const alert = record.value as Alert;
        // The same shape as GET /v1/alerts/:id, with both languages (a webhook has no reader to ask).
        const body = JSON.stringify(presentAlert(alert, undefined));
        return webhooks.urls.map(async (url) => {
          const deliveryId = randomUUID();
          try {
            await pRetry(() => deliver(url, body, webhooks.secret, deliveryId), {
              retries: (webhooks.attempts ?? 5) - 1,
              minTimeout: webhooks.minTimeoutMs ?? 500,
              factor: 2,
            });
          } catch (err) {
            logger.warn({ url, alert: alert.id, err: (err as Error).message }, 'webhook delivery failed; sent to dead-letter');
            failed.push({
              dead_letter_id: `webhook:${url}:${record.offset}:${record.partition}`,
              topic: 'alerts',
              reason: `webhook ${url} failed after ${webhooks.attempts ?? 5} attempts: ${(err as Error).message}`,
              record: alert,
              failed_at: new Date().toISOString(),
            });
          }
        });
      }),
    );
    if (failed.length > 0)
      await log.publish(
        'dead-letter',
        failed.map((d) => ({ key: d.topic, value: d })),
      );
  });
}

/** Feeds this process's live views from `alerts` (one group per process, so every process sees every alert). */
export async function startLiveAlerts(log: EventLog, bus: AlertBus, group: string): Promise<Subscription> {
  return log.subscribe(group, ['alerts'], async (_topic, records) => {
    for (const record of records) bus.emit(record.value as Alert);
  });
}
