import { Type, type Static } from '@sinclair/typebox';
import { ALERT_STATUSES, ALERT_TYPES, FEEDBACK_VERDICTS, LANGUAGES, SEVERITIES } from './enums.ts';
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

export const AlertFeedbackSchema = Type.Object(
  {
    verdict: oneOf(FEEDBACK_VERDICTS, { description: 'confirmed: the problem was real; false_alarm: it was not' }),
    reason: Type.String({ maxLength: 500, default: '', description: 'Why, in a few words (e.g. 门店装修 / the store was refitting)' }),
  },
  { additionalProperties: false },
);
export type AlertFeedback = Static<typeof AlertFeedbackSchema>;

export const AlertFeedbackRecordSchema = Type.Object({
  alert_id: Type.String(),
  verdict: oneOf(FEEDBACK_VERDICTS),
  reason: Type.String(),
  given_by: Type.String(),
  given_at: Type.String(),
});
export type AlertFeedbackRecord = Static<typeof AlertFeedbackRecordSchema>;

const Share = Type.Union([Type.Number(), Type.Null()]);

/** How one group of alerts (a type, a territory or a category) did, by what people said and what sales did after. */
export const AlertQualityRowSchema = Type.Object({
  key: Type.String({ description: 'The type, territory or category' }),
  alerts: Type.Integer({ description: 'Alerts raised in the period' }),
  confirmed: Type.Integer(),
  false_alarms: Type.Integer(),
  precision: Type.Union([Type.Number(), Type.Null()], { description: 'confirmed / (confirmed + false_alarms); null without feedback' }),
  resolved: Type.Integer(),
  median_hours_to_resolve: Share,
  measured: Type.Integer({ description: 'Resolved SKU alerts whose 14 days after the action have passed: the base of the recovered sales' }),
  recovered_sales_7d: Type.Number({
    description: 'CNY: units in the 7 days after the action over what the 7 days before and the matched stores predict, × regular price',
  }),
  recovered_sales_14d: Type.Number(),
});
export type AlertQualityRow = Static<typeof AlertQualityRowSchema>;

/** A stricter zero-sale threshold for one category, with what it would have changed on the period's alerts. */
export const ThresholdSuggestionSchema = Type.Object({
  category: Type.String(),
  current: Type.Number({ description: 'The P(0) threshold the category alerts under now' }),
  suggested: Type.Number({ description: 'A stricter P(0) threshold: only more improbable zero-sale streaks alert' }),
  feedback: Type.Integer({ description: 'Zero-sale / out-of-stock alerts of the category with a verdict: the evidence' }),
  precision_now: Type.Number(),
  precision_after: Type.Number({ description: 'On the same verdicts, had the suggested threshold applied' }),
  false_alarms_avoided: Type.Integer(),
  confirmed_lost: Type.Integer(),
  alerts_avoided: Type.Integer({ description: 'Alerts of the period (with a verdict or not) the suggested threshold would not have raised' }),
  setting: Type.String({ description: 'What an admin sets to apply it (SHELFPULSE_MAX_ZERO_PROBABILITY_BY_CATEGORY entry)' }),
});
export type ThresholdSuggestion = Static<typeof ThresholdSuggestionSchema>;

export const AlertQualitySchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  by_type: Type.Array(AlertQualityRowSchema),
  by_territory: Type.Array(AlertQualityRowSchema),
  by_category: Type.Array(AlertQualityRowSchema),
  suggestions: Type.Array(ThresholdSuggestionSchema, {
    description: 'Stricter zero-sale thresholds for categories whose feedback says they raise too many false alarms; a person applies them',
  }),
});
export type AlertQuality = Static<typeof AlertQualitySchema>;
