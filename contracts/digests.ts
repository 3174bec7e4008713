import { Type, type Static } from '@sinclair/typebox';
import { DIGEST_ROLES, LANGUAGES } from './enums.ts';
import { oneOf } from './one-of.ts';

const Names = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 });

/** A channel's morning digest as an admin sets it. */
export const DigestSettingsSchema = Type.Object(
  {
    role: oneOf(DIGEST_ROLES, {
      description:
        "director: the chain's (or the territories') change and the top problems; territory_lead: the same for its territories; category_manager: the new and overdue alerts of its categories",
    }),
    territories: Type.Optional({ ...Names, description: 'director / territory_lead: the territories it covers (empty = all)' }),
    categories: Type.Optional({ ...Names, description: 'category_manager: its categories (empty = all)' }),
    hour: Type.Integer({ minimum: 0, maximum: 23, description: 'The hour of the day it goes, in the platform zone (SHELFPULSE_TIMEZONE)' }),
    language: Type.Optional(oneOf(LANGUAGES, { description: "The digest's language; default the channel's" })),
  },
  { additionalProperties: false, title: 'DigestSettings' },
);
export type DigestSettings = Static<typeof DigestSettingsSchema>;

/** A channel's digest subscription, with the last digest it sent. */
export const DigestSubscriptionSchema = Type.Object(
  {
    channel_id: Type.String(),
    role: oneOf(DIGEST_ROLES),
    territories: Type.Array(Type.String()),
    categories: Type.Array(Type.String()),
    hour: Type.Integer(),
    language: oneOf(LANGUAGES),
    timezone: Type.String({ description: 'The zone of `hour`' }),
    last_sent: Type.Union([Type.Object({ day: Type.String(), status: Type.String(), at: Type.String(), error: Type.String() }), Type.Null()]),
  },
  { title: 'DigestSubscription' },
);
export type DigestSubscription = Static<typeof DigestSubscriptionSchema>;
