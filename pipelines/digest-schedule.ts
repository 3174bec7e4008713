import type { Logger } from 'pino';
import { channelById, listChannels, type StoredChannel } from '../analytics/channels.ts';
import { digestSendsOn, digestSubscriptions, recordDigestSend, type StoredDigestSubscription } from '../analytics/digest-subscriptions.ts';
import { categoryDigest } from '../analytics/kpi/category-digest.ts';
import { morningDigest } from '../analytics/kpi/digest.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import { localDay } from '../lib/days.ts';
import { deliverRequest, type DeliveryOptions } from './channels/delivery.ts';
import { digestRequest, type DigestContent } from './channels/digest-messages.ts';
import type { Clock } from './clock.ts';
import type { Subscription } from './log/event-log.ts';

/** The hour of the day (0–23) of an instant in a time zone. */
export function localHour(at: Date, timezone: string): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', hourCycle: 'h23' }).format(at));
}

/**
 * The subscriptions whose digest is due: their hour has come on this local day and the day's digest has not gone
 * (sent, or given up on after its retries). A process that was down at the hour sends it when it is back the same
 * day; a day it was down throughout is not sent the next (its figures would be a day old).
 */
export function digestsDue<T extends Pick<StoredDigestSubscription, 'channel_id' | 'hour'>>(
  subscriptions: readonly T[],
  done: ReadonlySet<string>,
  hour: number,
): T[] {
  return subscriptions.filter((s) => s.hour <= hour && !done.has(s.channel_id));
}

export interface DigestRun {
  day: string;
  sent: { channel_id: string; attempts: number }[];
  failed: { channel_id: string; error: string }[];
}

export interface DigestScheduleOptions {
  delivery: DeliveryOptions;
  dormantAfterDays: number;
}

/**
 * The morning digest of each subscribed channel, once a local day at its hour. Each outcome is recorded
 * (`digest_sends`) after the delivery, and runs never overlap, so neither a second check nor a restart sends a day's
 * digest twice. A crash between the robot's answer and that record would send it again after the restart
 * (at least once, as every channel delivery).
 */
export class DigestSchedule {
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly warehouse: Warehouse,
    private readonly options: DigestScheduleOptions,
    private readonly logger: Logger,
  ) {}

  /** Sends the digests due at `now`; one run at a time. */
  run(now: Date): Promise<DigestRun> {
    const run = this.running.then(() => this.runOnce(now));
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Waits for the run in hand (stopping). */
  async idle(): Promise<void> {
    await this.running;
  }

  private async runOnce(now: Date): Promise<DigestRun> {
    const { timezone } = this.options.delivery;
    const day = localDay(now, timezone);
    const [subscriptions, sends, channels] = await Promise.all([
      digestSubscriptions(this.warehouse),
      digestSendsOn(this.warehouse, day),
      listChannels(this.warehouse),
    ]);
    const due = digestsDue(subscriptions, new Set(sends.map((s) => s.channel_id)), localHour(now, timezone));
    const run: DigestRun = { day, sent: [], failed: [] };
    for (const subscription of due) {
      const channel = channels.find((c) => c.channel_id === subscription.channel_id);
      if (!channel) continue;
      try {
        const attempts = await this.send(channel, subscription, now, false);
        await recordDigestSend(this.warehouse, { channel_id: channel.channel_id, day, status: 'sent', attempts, error: '', sent_at: now.toISOString() });
        run.sent.push({ channel_id: channel.channel_id, attempts });
      } catch (err) {
        const error = `${(err as Error).message} (after ${this.options.delivery.attempts} attempts)`;
        this.logger.warn({ channel: channel.channel_id, day, err: error }, 'digest not delivered; "send digest now" on the admin page tries again');
        await recordDigestSend(this.warehouse, {
          channel_id: channel.channel_id,
          day,
          status: 'failed',
          attempts: this.options.delivery.attempts,
          error,
          sent_at: now.toISOString(),
        });
        run.failed.push({ channel_id: channel.channel_id, error });
      }
    }
    return run;
  }

  /** "Send digest now": today's digest of a channel's subscription, marked a test, not recorded as the day's. */
  async sendNow(
    channelId: string,
    subscription: StoredDigestSubscription,
    now: Date,
    retries: Pick<DeliveryOptions, 'attempts' | 'minTimeoutMs'>,
  ): Promise<number> {
    const channel = await channelById(this.warehouse, channelId);
    if (!channel) throw new Error(`no channel ${channelId}`);
    return this.send(channel, subscription, now, true, retries);
  }

  private async send(
    channel: StoredChannel,
    s: StoredDigestSubscription,
    now: Date,
    test: boolean,
    retries: Pick<DeliveryOptions, 'attempts' | 'minTimeoutMs'> = this.options.delivery,
  ): Promise<number> {
    const { delivery } = this.options;
    const content: DigestContent =
      s.role === 'category_manager'
        ? {
            role: s.role,
            digest: await categoryDigest(this.warehouse, {
              categories: s.categories,
              territories: s.territories,
              now,
              dueHours: delivery.dueHours,
              lang: s.language,
            }),
          }
        : {
            role: s.role,
            digest: await morningDigest(this.warehouse, {
              storeIds: [],
              territories: s.territories,
              dormantAfterDays: this.options.dormantAfterDays,
              lang: s.language,
            }),
          };
    const request = digestRequest(channel, content, { language: s.language, day: localDay(now, delivery.timezone), publicUrl: delivery.publicUrl, test });
    return deliverRequest(channel, request, retries);
  }
}

/** Checks every minute whether a digest is due (the notifier role runs it; a test calls `run` on its moved clock). */
export function startDigestSchedule(schedule: DigestSchedule, clock: Clock, logger: Logger, everyMs = 60_000): Subscription {
  const check = () =>
    void schedule.run(clock.now()).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'digest check failed; next minute retries'));
  check();
  const timer = setInterval(check, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await schedule.idle();
    },
  };
}
