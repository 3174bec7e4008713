import type { ChannelKind, Language, Severity } from '../contracts/enums.ts';
import type { RoutingRule } from '../contracts/workflow.ts';
import type { Warehouse } from './warehouse.ts';

/** A notification channel as stored, secret included (only the delivery reads it). */
export interface StoredChannel {
  channel_id: string;
  name: string;
  kind: ChannelKind;
  url: string;
  secret: string;
  language: Language;
  alert_types: string[];
  territories: string[];
  categories: string[];
  min_severity: Severity;
  levels: number[];
  deleted: boolean;
  created_by: string;
  created_at: string;
  updated_at: string;
}

const COLUMNS = `channel_id, name, kind, url, secret, language, alert_types, territories, categories, min_severity, levels, deleted, created_by,
  formatDateTime(created_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS created_at, formatDateTime(updated_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS updated_at`;

const LIVE = `SELECT ${COLUMNS} FROM notification_channels FINAL WHERE NOT deleted ORDER BY name, channel_id`;
const BY_ID = `SELECT ${COLUMNS} FROM notification_channels FINAL WHERE channel_id = {id:String} AND NOT deleted`;

const fromRow = (row: StoredChannel): StoredChannel => ({ ...row, levels: row.levels.map(Number), deleted: Boolean(row.deleted) });

export async function listChannels(warehouse: Warehouse): Promise<StoredChannel[]> {
  return (await warehouse.query<StoredChannel>(LIVE)).map(fromRow);
}

export async function channelById(warehouse: Warehouse, id: string): Promise<StoredChannel | undefined> {
  const [row] = await warehouse.query<StoredChannel>(BY_ID, { id });
  return row && fromRow(row);
}

/** A new version of the channel (the latest write wins); removing is a version with `deleted`. */
export async function saveChannel(warehouse: Warehouse, channel: Omit<StoredChannel, 'updated_at'>): Promise<void> {
  await warehouse.insert('notification_channels', [{ ...channel, updated_at: new Date().toISOString() }]);
}

const RULES = `SELECT kind, key, usernames FROM routing_rules FINAL WHERE notEmpty(usernames) ORDER BY kind, key`;

export async function routingRules(warehouse: Warehouse): Promise<RoutingRule[]> {
  return warehouse.query<RoutingRule>(RULES);
}

/** Upserts rules by (kind, key); a rule with no user names removes it. */
export async function saveRoutingRules(warehouse: Warehouse, rules: readonly RoutingRule[]): Promise<void> {
  const now = new Date().toISOString();
  if (rules.length > 0)
    await warehouse.insert(
      'routing_rules',
      rules.map((r) => ({ ...r, updated_at: now })),
    );
}
