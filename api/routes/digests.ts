import { Type } from '@sinclair/typebox';
import { digestSubscriptions, lastDigestSends, saveDigestSubscription, type StoredDigestSubscription } from '../../analytics/digest-subscriptions.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import type { Clock } from '../../pipelines/clock.ts';
import type { DigestSchedule } from '../../pipelines/digest-schedule.ts';
import { DigestSettingsSchema, DigestSubscriptionSchema, type DigestSubscription } from '../../contracts/digests.ts';
import { ChannelTestSchema } from '../../contracts/workflow.ts';
import type { UserRole } from '../../contracts/enums.ts';
import { notFound } from '../errors.ts';
import type { Api } from '../instance.ts';
import { channelOr404 } from './channels.ts';

export interface DigestRoutesDeps {
  warehouse: Warehouse;
  digests: DigestSchedule;
  clock: Clock;
  /** The zone of the subscriptions' hours. */
  timezone: string;
}

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
const ADMIN: readonly UserRole[] = ['admin'];
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** The morning digest a channel carries: set, read, removed and sent now by admins. */
export async function digestRoutes(app: Api, deps: DigestRoutesDeps): Promise<void> {
  const present = (s: StoredDigestSubscription, last: { day: string; status: string; sent_at: string; error: string } | undefined): DigestSubscription => ({
    channel_id: s.channel_id,
    role: s.role,
    territories: s.territories,
    categories: s.categories,
    hour: s.hour,
    language: s.language,
    timezone: deps.timezone,
    last_sent: last ? { day: last.day, status: last.status, at: last.sent_at, error: last.error } : null,
  });
  const channelOf = (id: string) => channelOr404(deps.warehouse, id);
  const subscriptionOf = async (id: string) => {
    const subscription = (await digestSubscriptions(deps.warehouse)).find((s) => s.channel_id === id);
    if (!subscription) throw notFound(`channel ${id} carries no digest: set one with PUT /v1/channels/${id}/digest`);
    return subscription;
  };

  app.get(
    '/v1/digest-subscriptions',
    {
      schema: {
        summary: 'The channels that carry a morning digest: for whom, at which hour, and the last one sent',
        tags: ['channels'],
        security,
        response: { 200: Type.Object({ subscriptions: Type.Array(DigestSubscriptionSchema) }) },
      },
      config: { roles: ADMIN },
    },
    async () => {
      const [subscriptions, last] = await Promise.all([digestSubscriptions(deps.warehouse), lastDigestSends(deps.warehouse)]);
      return { subscriptions: subscriptions.map((s) => present(s, last.get(s.channel_id))) };
    },
  );

  app.put(
    '/v1/channels/:id/digest',
    {
      schema: {
        summary: "Set a channel's morning digest: the role it is for, its territories or categories, the hour and language",
        description: 'Sent once a day at `hour` in the platform zone (SHELFPULSE_TIMEZONE), by the notifier role.',
        tags: ['channels'],
        security,
        params: IdParams,
        body: DigestSettingsSchema,
        response: { 200: DigestSubscriptionSchema },
      },
      config: { roles: ADMIN },
    },
    async (request) => {
      const channel = await channelOf(request.params.id);
      const b = request.body;
      const subscription: StoredDigestSubscription = {
        channel_id: channel.channel_id,
        role: b.role,
        territories: b.territories ?? [],
        categories: b.role === 'category_manager' ? (b.categories ?? []) : [],
        hour: b.hour,
        language: b.language ?? channel.language,
        deleted: false,
        updated_by: request.principal!.name,
      };
      await saveDigestSubscription(deps.warehouse, subscription);
      return present(subscription, (await lastDigestSends(deps.warehouse)).get(channel.channel_id));
    },
  );

  app.delete(
    '/v1/channels/:id/digest',
    { schema: { summary: "Stop a channel's morning digest", tags: ['channels'], security, params: IdParams }, config: { roles: ADMIN } },
    async (request, reply) => {
      const subscription = await subscriptionOf(request.params.id);
      await saveDigestSubscription(deps.warehouse, { ...subscription, deleted: true, updated_by: request.principal!.name });
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/channels/:id/digest/send',
    {
      schema: {
        summary: "Send a channel's morning digest now, to test it, and say whether it arrived",
        description:
          "Marked a test; the day's scheduled digest still goes at its hour. Tried up to 3 times; a refusal answers delivered: false with the reason.",
        tags: ['channels'],
        security,
        params: IdParams,
        response: { 200: ChannelTestSchema },
      },
      config: { roles: ADMIN },
    },
    async (request) => {
      await channelOf(request.params.id);
      const subscription = await subscriptionOf(request.params.id);
      const retries = { attempts: 3, minTimeoutMs: 200 };
      try {
        return { delivered: true, attempts: await deps.digests.sendNow(request.params.id, subscription, deps.clock.now(), retries) };
      } catch (err) {
        return { delivered: false, attempts: retries.attempts, error: (err as Error).message };
      }
    },
  );
}
