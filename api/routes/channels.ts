import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { listUsers } from '../../analytics/access.ts';
import { channelById, listChannels, routingRules, saveChannel, saveRoutingRules, type StoredChannel } from '../../analytics/channels.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { deliver, type DeliveryOptions } from '../../pipelines/channels/delivery.ts';
import { testNotice } from '../../pipelines/channels/messages.ts';
import type { Clock } from '../../pipelines/clock.ts';
import { ApiError, notFound } from '../errors.ts';
import { ChannelChangeSchema, ChannelSchema, ChannelTestSchema, NewChannelSchema, RoutingRuleSchema, type Channel } from '../../contracts/workflow.ts';
import type { UserRole } from '../../contracts/enums.ts';
import type { Api } from '../instance.ts';

/** The channel by its id, or a 404 that names it: the channel routes and the digest routes look it up alike. */
export async function channelOr404(warehouse: Warehouse, id: string): Promise<StoredChannel> {
  const channel = await channelById(warehouse, id);
  if (!channel) throw notFound(`no channel ${id}`);
  return channel;
}

export interface ChannelRoutesDeps {
  warehouse: Warehouse;
  delivery: DeliveryOptions;
  clock: Clock;
}

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
const ADMIN: readonly UserRole[] = ['admin'];
/** Who assigns alerts (the picker lists the users they can assign to). */
const ASSIGNING: readonly UserRole[] = ['admin', 'sales_director', 'category_manager'];
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** A channel without its secret. */
function present(c: StoredChannel): Channel {
  const { secret, deleted: _deleted, ...rest } = c;
  return { ...rest, secret_set: secret !== '' } as Channel;
}

/** A DingTalk robot with 加签 needs its secret; a signed webhook always does (its receiver verifies the HMAC). */
function checkChannel(c: Pick<StoredChannel, 'kind' | 'url' | 'secret'>): void {
  const url = URL.canParse(c.url) ? new URL(c.url) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new ApiError(400, 'bad_channel', `url "${c.url}" is not an http(s) address: paste the robot's webhook address from the group settings`);
  if (c.kind === 'webhook' && c.secret.length < 16)
    throw new ApiError(400, 'bad_channel', 'a signed webhook needs a secret of 16+ characters to sign X-Shelfpulse-Signature');
}

/** Notification channels and alert routing rules: admins set them up; assigners read who can take alerts. */
export async function channelRoutes(app: Api, deps: ChannelRoutesDeps): Promise<void> {
  app.get(
    '/v1/channels',
    {
      schema: {
        summary: 'Notification channels (WeCom, DingTalk, signed webhooks)',
        tags: ['channels'],
        security,
        response: { 200: Type.Object({ channels: Type.Array(ChannelSchema) }) },
      },
      config: { roles: ADMIN },
    },
    async () => ({ channels: (await listChannels(deps.warehouse)).map(present) }),
  );

  app.post(
    '/v1/channels',
    {
      schema: {
        summary: 'Add a channel: a WeCom or DingTalk group robot, or a signed webhook, with its filter and language',
        tags: ['channels'],
        security,
        body: NewChannelSchema,
        response: { 201: ChannelSchema },
      },
      config: { roles: ADMIN },
    },
    async (request, reply) => {
      const b = request.body;
      const channel: Omit<StoredChannel, 'updated_at'> = {
        channel_id: randomUUID(),
        name: b.name,
        kind: b.kind,
        url: b.url,
        secret: b.secret ?? '',
        language: b.language ?? 'zh',
        alert_types: b.alert_types ?? [],
        territories: b.territories ?? [],
        categories: b.categories ?? [],
        min_severity: b.min_severity ?? 'low',
        levels: b.levels ?? [0],
        deleted: false,
        created_by: request.principal!.name,
        created_at: new Date().toISOString(),
      };
      checkChannel(channel);
      await saveChannel(deps.warehouse, channel);
      request.log.info({ channel: channel.channel_id, kind: channel.kind, by: request.principal!.name }, 'channel added');
      return reply.code(201).send(present({ ...channel, updated_at: channel.created_at }));
    },
  );

  const load = (id: string) => channelOr404(deps.warehouse, id);

  app.patch(
    '/v1/channels/:id',
    {
      schema: {
        summary: 'Change a channel (a secret left out is kept)',
        tags: ['channels'],
        security,
        params: IdParams,
        body: ChannelChangeSchema,
        response: { 200: ChannelSchema },
      },
      config: { roles: ADMIN },
    },
    async (request) => {
      const { updated_at: _u, ...current } = await load(request.params.id);
      const changed = { ...current, ...request.body } as Omit<StoredChannel, 'updated_at'>;
      checkChannel(changed);
      await saveChannel(deps.warehouse, changed);
      return present({ ...changed, updated_at: new Date().toISOString() });
    },
  );

  app.delete(
    '/v1/channels/:id',
    { schema: { summary: 'Remove a channel', tags: ['channels'], security, params: IdParams }, config: { roles: ADMIN } },
    async (request, reply) => {
      const { updated_at: _u, ...current } = await load(request.params.id);
      await saveChannel(deps.warehouse, { ...current, deleted: true });
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/channels/:id/test',
    {
      schema: {
        summary: 'Send a test message to a channel now, and say whether it arrived',
        description: "Tried up to 3 times; a refusal answers delivered: false with the robot's or the server's reason (nothing is dead-lettered).",
        tags: ['channels'],
        security,
        params: IdParams,
        response: { 200: ChannelTestSchema },
      },
      config: { roles: ADMIN },
    },
    async (request) => {
      const channel = await load(request.params.id);
      const notice = testNotice(channel.channel_id, deps.clock.now(), channel.territories[0] ?? '—');
      const options = { ...deps.delivery, attempts: 3, minTimeoutMs: 200 };
      try {
        return { delivered: true, attempts: await deliver(channel, notice, options) };
      } catch (err) {
        return { delivered: false, attempts: options.attempts, error: (err as Error).message };
      }
    },
  );

  app.get(
    '/v1/routing-rules',
    {
      schema: {
        summary: 'Who owns the alerts of each store, territory and category',
        tags: ['channels'],
        security,
        response: { 200: Type.Object({ rules: Type.Array(RoutingRuleSchema) }) },
      },
      config: { roles: ADMIN },
    },
    async () => ({ rules: await routingRules(deps.warehouse) }),
  );

  app.put(
    '/v1/routing-rules',
    {
      schema: {
        summary: 'Set routing rules (by kind and key; empty usernames removes a rule)',
        tags: ['channels'],
        security,
        body: Type.Object({ rules: Type.Array(RoutingRuleSchema, { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ rules: Type.Array(RoutingRuleSchema) }) },
      },
      config: { roles: ADMIN },
    },
    async (request) => {
      const known = new Set((await listUsers(deps.warehouse, 100_000)).filter((u) => !u.disabled).map((u) => u.username));
      const unknown = [...new Set(request.body.rules.flatMap((r) => r.usernames))].filter((n) => !known.has(n));
      if (unknown.length > 0) throw new ApiError(400, 'unknown_users', `no enabled user ${unknown.join(', ')}: create them with POST /v1/users first`);
      await saveRoutingRules(deps.warehouse, request.body.rules);
      return { rules: await routingRules(deps.warehouse) };
    },
  );

  app.get(
    '/v1/assignees',
    {
      schema: {
        summary: 'The users an alert can be assigned to (enabled users, by user name)',
        tags: ['alerts'],
        security,
        response: { 200: Type.Object({ users: Type.Array(Type.Object({ username: Type.String(), name: Type.String(), role: Type.String() })) }) },
      },
      config: { roles: ASSIGNING },
    },
    async () => ({
      users: (await listUsers(deps.warehouse, 100_000)).filter((u) => !u.disabled).map(({ username, name, role }) => ({ username, name, role })),
    }),
  );
}
