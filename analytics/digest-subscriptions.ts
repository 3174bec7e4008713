import type { DigestRole, Language } from '../contracts/enums.ts';
import type { Warehouse } from './warehouse.ts';

/** A channel's digest subscription as stored. */
export interface StoredDigestSubscription {
  channel_id: string;
  role: DigestRole;
  territories: string[];
  categories: string[];
  hour: number;
  language: Language;
  deleted: boolean;
  updated_by: string;
}

/** The outcome of one channel's digest of one local day. */
export interface DigestSend {
  channel_id: string;
  day: string;
  status: 'sent' | 'failed';
  attempts: number;
  error: string;
  sent_at: string;
}

// The live subscriptions of live channels: removing a channel ends its digest too.
const LIVE = `
  SELECT d.channel_id AS channel_id, d.role AS role, d.territories AS territories, d.categories AS categories, d.hour AS hour,
    d.language AS language, d.deleted AS deleted, d.updated_by AS updated_by
  FROM (SELECT * FROM digest_subscriptions FINAL WHERE NOT deleted) AS d
  INNER JOIN (SELECT channel_id FROM notification_channels FINAL WHERE NOT deleted) AS c ON c.channel_id = d.channel_id
  ORDER BY d.channel_id`;

// `day` is the text of the date from here on (YYYY-MM-DD sorts as the date does).
const SEND_COLUMNS = `channel_id, toString(day) AS day, status, attempts, error, formatDateTime(sent_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS sent_at`;
const SENDS_ON = `SELECT ${SEND_COLUMNS} FROM digest_sends FINAL WHERE day = {day:String}`;
const LAST_SENDS = `SELECT ${SEND_COLUMNS} FROM digest_sends FINAL ORDER BY channel_id, day DESC LIMIT 1 BY channel_id`;

const fromRow = (row: StoredDigestSubscription): StoredDigestSubscription => ({ ...row, hour: Number(row.hour), deleted: Boolean(row.deleted) });

export async function digestSubscriptions(warehouse: Warehouse): Promise<StoredDigestSubscription[]> {
  return (await warehouse.query<StoredDigestSubscription>(LIVE)).map(fromRow);
}

/** A new version of a channel's subscription (the latest write wins); removing is a version with `deleted`. */
export async function saveDigestSubscription(warehouse: Warehouse, subscription: StoredDigestSubscription): Promise<void> {
  await warehouse.insert('digest_subscriptions', [{ ...subscription, updated_at: new Date().toISOString() }]);
}

/** The digests already sent or given up on for a local day. */
export async function digestSendsOn(warehouse: Warehouse, day: string): Promise<DigestSend[]> {
  return (await warehouse.query<DigestSend>(SENDS_ON, { day })).map((s) => ({ ...s, attempts: Number(s.attempts) }));
}

/** Each channel's latest digest day and its outcome. */
export async function lastDigestSends(warehouse: Warehouse): Promise<Map<string, DigestSend>> {
  const rows = await warehouse.query<DigestSend>(LAST_SENDS);
  return new Map(rows.map((s) => [s.channel_id, { ...s, attempts: Number(s.attempts) }]));
}

export async function recordDigestSend(warehouse: Warehouse, send: DigestSend): Promise<void> {
  await warehouse.insert('digest_sends', [{ ...send }]);
}
