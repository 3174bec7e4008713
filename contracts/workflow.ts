import { Type, type Static } from '@sinclair/typebox';
import { AlertViewSchema } from './alerts.ts';
import { ALERT_ACTIONS, ALERT_TYPES, CHANNEL_KINDS, LANGUAGES, SEVERITIES } from './enums.ts';
import { oneOf } from './one-of.ts';

/** What a channel takes: each list empty = all; levels 0 = new alerts, 1 / 2 = escalations to the territory lead / director. */
export const ChannelFilterSchema = Type.Object({
  alert_types: Type.Array(oneOf(ALERT_TYPES), { maxItems: 20 }),
  territories: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 }),
  categories: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 }),
  min_severity: oneOf(SEVERITIES),
  levels: Type.Array(Type.Integer({ minimum: 0, maximum: 2 }), { minItems: 1, maxItems: 3 }),
});
export type ChannelFilter = Static<typeof ChannelFilterSchema>;

const ChannelFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  kind: oneOf(CHANNEL_KINDS, { description: 'wecom: 企业微信 group robot; dingtalk: 钉钉 group robot; webhook: signed JSON POST' }),
  url: Type.String({ minLength: 8, maxLength: 2000, description: 'The robot webhook address (with its key or access_token), or your endpoint' }),
  language: oneOf(LANGUAGES),
};

/** A channel as an admin sees it: the secret is never shown back, only whether one is set. */
export const ChannelSchema = Type.Object(
  {
    channel_id: Type.String(),
    ...ChannelFields,
    ...ChannelFilterSchema.properties,
    secret_set: Type.Boolean(),
    created_by: Type.String(),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  { title: 'Channel' },
);
export type Channel = Static<typeof ChannelSchema>;

const Secret = Type.String({
  minLength: 16,
  maxLength: 200,
  description: "dingtalk: the robot's signing secret (SEC…), for timestamp + sign; webhook: the HMAC key of X-Shelfpulse-Signature",
});

export const NewChannelSchema = Type.Object(
  {
    ...ChannelFields,
    // No schema default: it would fill a PATCH that leaves the language out. The route applies 'zh'.
    language: Type.Optional(oneOf(LANGUAGES, { description: "The messages' language; default zh" })),
    secret: Type.Optional(Secret),
    alert_types: Type.Optional(ChannelFilterSchema.properties.alert_types),
    territories: Type.Optional(ChannelFilterSchema.properties.territories),
    categories: Type.Optional(ChannelFilterSchema.properties.categories),
    min_severity: Type.Optional(ChannelFilterSchema.properties.min_severity),
    levels: Type.Optional(ChannelFilterSchema.properties.levels),
  },
  { additionalProperties: false, title: 'NewChannel' },
);
export type NewChannel = Static<typeof NewChannelSchema>;

export const ChannelChangeSchema = Type.Partial(NewChannelSchema, { additionalProperties: false, minProperties: 1, title: 'ChannelChange' });
export type ChannelChange = Static<typeof ChannelChangeSchema>;

/** The outcome of a test message. */
export const ChannelTestSchema = Type.Object({ delivered: Type.Boolean(), attempts: Type.Integer(), error: Type.Optional(Type.String()) });

/** Who owns the alerts of a store, a territory, a category, or leads a territory (escalation level 1). */
export const ROUTING_KINDS = ['store', 'territory', 'category', 'territory_lead'] as const;
export const RoutingRuleSchema = Type.Object(
  {
    kind: oneOf(ROUTING_KINDS),
    key: Type.String({ minLength: 1, maxLength: 200, description: 'The store id, territory or category' }),
    usernames: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100, description: 'Empty removes the rule' }),
  },
  { additionalProperties: false, title: 'RoutingRule' },
);
export type RoutingRule = Static<typeof RoutingRuleSchema>;

/** One step of an alert's audit trail. */
export const AlertActionSchema = Type.Object(
  {
    action_id: Type.String(),
    alert_id: Type.String(),
    action: oneOf(ALERT_ACTIONS),
    actor: Type.String({ description: 'The user or token name; "routing" / "escalation" for the platform' }),
    at: Type.String(),
    assignee: Type.String({ description: 'assign: the users, comma-separated; escalate: who it went to' }),
    level: Type.Integer({ description: 'escalate: the level reached' }),
    note: Type.String(),
  },
  { title: 'AlertAction' },
);
export type AlertAction = Static<typeof AlertActionSchema>;

/** The deadline of an alert as of now. */
export const DeadlineSchema = Type.Object({
  due_at: Type.String(),
  overdue: Type.Boolean(),
  escalation_level: Type.Integer({ description: 'Reached so far: 0 none, 1 territory lead, 2 sales director' }),
});
export type Deadline = Static<typeof DeadlineSchema>;

export const AlertTrailSchema = Type.Object(
  { alert: AlertViewSchema, deadline: DeadlineSchema, trail: Type.Array(AlertActionSchema) },
  { title: 'AlertTrail' },
);
export type AlertTrail = Static<typeof AlertTrailSchema>;

/** How fast a territory's alerts are taken up and closed, over alerts opened in the period. */
export const WorkflowKpiSchema = Type.Object(
  {
    territory: Type.String(),
    opened: Type.Integer(),
    acknowledged: Type.Integer(),
    resolved: Type.Integer(),
    overdue_open: Type.Integer({ description: 'Not resolved and past due now' }),
    escalated: Type.Integer(),
    hours_to_ack_median: Type.Union([Type.Number(), Type.Null()]),
    hours_to_resolve_median: Type.Union([Type.Number(), Type.Null()]),
  },
  { title: 'WorkflowKpi' },
);
export type WorkflowKpi = Static<typeof WorkflowKpiSchema>;
