import { Type, type Static } from '@sinclair/typebox';
import { ALERT_STATUSES, ALERT_TYPES, LANGUAGES, SEVERITIES } from './enums.ts';
import { oneOf } from './one-of.ts';

export const AlertTypeSchema = oneOf(ALERT_TYPES);
export const AlertStatusSchema = oneOf(ALERT_STATUSES);
export const LanguageSchema = oneOf(LANGUAGES);

const AlertFields = {
  id: Type.String(),
  type: AlertTypeSchema,
  status: AlertStatusSchema,
  store_id: Type.String(),
  sku: Type.String({ description: "'' for a store-level alert" }),
  territory: Type.String(),
  category: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
  as_of: Type.String({ description: 'The day (store calendar) the alert was last confirmed' }),
  severity: oneOf(SEVERITIES),
  evidence: Type.Record(Type.String(), Type.Unknown(), { description: 'zero_sale: daily series vs last year; price_gap: both prices and the gap' }),
  assignee: Type.String(),
  resolved_at: Type.Union([Type.String(), Type.Null()]),
  resolved_reason: Type.Optional(Type.String({ description: "'late_data': withdrawn by a re-close over rows that arrived late; else ''" })),
};

export const AlertTextsSchema = Type.Object({
  message_zh: Type.String(),
  message_en: Type.String(),
  suggestion_zh: Type.String(),
  suggestion_en: Type.String(),
});
export type AlertTexts = Static<typeof AlertTextsSchema>;

/** An alert as stored and as it travels on the `alerts` topic: one row per version, the newest version wins. */
export const AlertSchema = Type.Object({ ...AlertFields, ...AlertTextsSchema.properties }, { title: 'StoredAlert' });
export type Alert = Static<typeof AlertSchema>;

/** An alert as readers get it (API, live stream, webhooks, web app): one language picked, both kept. */
export const AlertViewSchema = Type.Object(
  {
    ...AlertFields,
    message: Type.String(),
    suggestion: Type.String(),
    messages: Type.Object({ zh: Type.String(), en: Type.String() }),
    suggestions: Type.Object({ zh: Type.String(), en: Type.String() }),
    due_at: Type.Optional(Type.String({ description: "When it is due: its opening plus its type's hours (SHELFPULSE_ALERT_DUE_HOURS)" })),
    overdue: Type.Optional(Type.Boolean({ description: 'Not resolved and past due' })),
  },
  { title: 'Alert' },
);
export type AlertView = Static<typeof AlertViewSchema>;
