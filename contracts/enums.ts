/**
 * The plain enums of the contracts: no TypeBox here, so the web app imports these values without bundling it.
 * The schemas in the other contracts files are built from them.
 */

/** The SKU (and brand) recognition gives a pack it could not name: its own share-of-shelf slice, never hidden. */
export const UNRECOGNISED = 'unknown';

/**
 * What named a pack: its text read against brands, names and aliases, its look against reference images, both, or
 * (`look_alike`, brand only) its look against packs in the same photo whose text named their brand.
 */
export const RECOGNIZED_BY = ['text', 'appearance', 'both', 'look_alike', 'none'] as const;
export type RecognizedBy = (typeof RECOGNIZED_BY)[number];

export const ALERT_TYPES = ['zero_sale', 'out_of_stock', 'no_data', 'price_gap', 'dormant_customer', 'shelf_gap', 'low_share_of_shelf', 'planogram'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const LANGUAGES = ['zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const USER_ROLES = ['admin', 'sales_director', 'category_manager', 'store_manager', 'merchandiser'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const MAP_METRICS = ['sales_vs_ly', 'sales_vs_prev', 'sell_through', 'open_alerts', 'share_of_shelf', 'sales', 'sales_vs_compare'] as const;
export type MapMetric = (typeof MAP_METRICS)[number];

/** The map's calendar periods (a custom one is from/to; none = the 28 days up to the latest sales day). */
export const MAP_PERIODS = ['week', 'month'] as const;
export type MapPeriod = (typeof MAP_PERIODS)[number];
/** How the map's period was chosen: rolling days, a calendar week or month, or custom from/to. */
export const PERIOD_KINDS = ['days', 'week', 'month', 'custom'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];
/** What the map's figures are compared with. */
export const COMPARE_KINDS = ['last_year', 'previous_period', 'custom'] as const;
export type CompareKind = (typeof COMPARE_KINDS)[number];

/** Where a ranged SKU stands in a store over a period, from photos and scans (the distribution report). */
export const DISTRIBUTION_STATUSES = ['seen', 'sold', 'missing', 'unchecked'] as const;
export type DistributionStatus = (typeof DISTRIBUTION_STATUSES)[number];

/** What a merchandiser notes by hand during a store visit. */
export const VISIT_NOTE_KINDS = ['competitor_price', 'activity'] as const;
export type VisitNoteKind = (typeof VISIT_NOTE_KINDS)[number];

/** Where alert messages go: a WeCom group robot, a DingTalk group robot, or a signed JSON webhook. */
export const CHANNEL_KINDS = ['wecom', 'dingtalk', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** The steps kept in an alert's audit trail. */
export const ALERT_ACTIONS = ['assign', 'ack', 'resolve', 'reopen', 'comment', 'escalate'] as const;
export type AlertActionKind = (typeof ALERT_ACTIONS)[number];

/** Escalation of an overdue alert: 0 its owners (store manager, reps), 1 the territory lead, 2 the sales director. */
export const ESCALATION_LEVELS = [0, 1, 2] as const;

/** What a person who acted on an alert says of it: the precision of each rule, as the people it reaches see it. */
export const FEEDBACK_VERDICTS = ['confirmed', 'false_alarm'] as const;
export type FeedbackVerdict = (typeof FEEDBACK_VERDICTS)[number];

/** Whom a channel's morning digest is for: the chain's director, a territory lead, a category manager. */
export const DIGEST_ROLES = ['director', 'territory_lead', 'category_manager'] as const;
export type DigestRole = (typeof DIGEST_ROLES)[number];
