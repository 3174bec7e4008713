import type { Logger } from 'pino';
import { assignees } from '../../analytics/alerts/routing.ts';
import { listChannels, type StoredChannel } from '../../analytics/channels.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import type { Alert } from '../../contracts/alerts.ts';
import { deliver, type DeliveryOptions } from '../channels/delivery.ts';
import { channelTakes, type ChannelNotice } from '../channels/messages.ts';
import type { EventLog, Subscription } from '../log/event-log.ts';
import { CHANNEL_NOTIFIER_GROUP, type DeadLetter } from '../log/topics.ts';

/** A version of an alert that is its opening (a close writes created_at = updated_at, and routing keeps it). */
export function isOpening(alert: Alert): boolean {
  return alert.status === 'open' && alert.created_at === alert.updated_at;
}

/** The notice of a new alert for its owners' channels. */
export function openingNotice(alert: Alert): ChannelNotice {
  return { notice_id: `opened:${alert.id}`, event: 'opened', alert, level: 0, recipients: assignees(alert.assignee) };
}

/** The dead letter of a notice one channel did not take: replaying it sends it to that channel only. */
function deadLetter(channel: StoredChannel, notice: ChannelNotice, reason: string): DeadLetter {
  return {
    dead_letter_id: `channel:${channel.channel_id}:${notice.notice_id}`,
    topic: 'channel-notices',
    reason,
    record: { ...notice, channel_id: channel.channel_id },
    failed_at: new Date().toISOString(),
  };
}

/**
 * The channels' notifier: new alerts (from `alerts`) and escalations, tests and replays (from `channel-notices`)
 * go to every channel whose filter takes them, in its platform's format, retried with a growing pause; a delivery
 * that still fails is dead-lettered with the reason (`POST /v1/dead-letters/replay` sends it again).
 */
export async function startChannelNotifier(log: EventLog, warehouse: Warehouse, options: DeliveryOptions, logger: Logger): Promise<Subscription> {
  return log.subscribe(CHANNEL_NOTIFIER_GROUP, ['alerts', 'channel-notices'], async (topic, records) => {
    const notices =
      topic === 'alerts'
        ? records
            .map((r) => r.value as Alert)
            .filter(isOpening)
            .map(openingNotice)
        : records.map((r) => r.value as ChannelNotice);
    if (notices.length === 0) return;
    const channels = await listChannels(warehouse);
    const failed: DeadLetter[] = [];
    await Promise.all(
      notices.flatMap((notice) =>
        channels
          .filter((c) => (notice.channel_id ? c.channel_id === notice.channel_id : channelTakes(c, notice)))
          .map(async (channel) => {
            try {
              await deliver(channel, notice, options);
            } catch (err) {
              const reason = `${(err as Error).message} (after ${options.attempts} attempts)`;
              logger.warn(
                { channel: channel.channel_id, notice: notice.notice_id, err: (err as Error).message },
                'channel delivery failed; sent to dead-letter',
              );
              failed.push(deadLetter(channel, notice, reason));
            }
          }),
      ),
    );
    if (failed.length > 0)
      await log.publish(
        'dead-letter',
        failed.map((d) => ({ key: d.topic, value: d })),
      );
  });
}
