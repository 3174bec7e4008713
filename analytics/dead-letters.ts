import type { Warehouse } from './warehouse.ts';

export interface StoredDeadLetter {
  dead_letter_id: string;
  topic: string;
  reason: string;
  record: string;
  failed_at: string;
}

const LIST = `
  SELECT dead_letter_id, topic, reason, record, failed_at
  FROM dead_letters FINAL
  WHERE ({topic:String} = '' OR topic = {topic:String})
  ORDER BY failed_at DESC
  LIMIT {limit:UInt32}`;

const BY_IDS = `
  SELECT dead_letter_id, topic, reason, record, failed_at
  FROM dead_letters FINAL
  WHERE dead_letter_id IN {ids:Array(String)}`;

export function listDeadLetters(warehouse: Warehouse, topic: string, limit: number): Promise<StoredDeadLetter[]> {
  return warehouse.query<StoredDeadLetter>(LIST, { topic, limit });
}

export function deadLettersByIds(warehouse: Warehouse, ids: readonly string[]): Promise<StoredDeadLetter[]> {
  return warehouse.query<StoredDeadLetter>(BY_IDS, { ids });
}
