import { deadLettersByIds } from '../analytics/dead-letters.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import type { DeliveredRecord, EventLog } from './log/event-log.ts';
import { TOPICS, type DeadLetter, type Topic } from './log/topics.ts';

export interface ReplayOutcome {
  replayed: string[];
  not_found: string[];
}

/**
 * Sends dead-lettered records back to the topic they failed on, as they were or as corrected by the caller
 * (`corrections` by dead_letter_id). The consumers handle them again; event ids keep them from counting twice.
 */
export async function replayDeadLetters(
  log: EventLog,
  warehouse: Warehouse,
  ids: readonly string[],
  corrections: Record<string, unknown> = {},
): Promise<ReplayOutcome> {
  const letters = await deadLettersByIds(warehouse, ids);
  const found = new Set(letters.map((l) => l.dead_letter_id));
  for (const letter of letters) {
    if (!(TOPICS as readonly string[]).includes(letter.topic)) continue;
    const value = letter.dead_letter_id in corrections ? corrections[letter.dead_letter_id] : JSON.parse(letter.record);
    const key = typeof value === 'object' && value && 'store_id' in value ? String(value.store_id) : undefined;
    await log.publish(letter.topic as Topic, [{ key, value }]);
  }
  return { replayed: [...found], not_found: ids.filter((id) => !found.has(id)) };
}

/** The dead letter of a record a consumer could not handle, with the reason a person reads to fix it. */
export function deadLetterFor(record: DeliveredRecord, reason: string): DeadLetter {
  return {
    // Derived from the log position, so a re-delivered batch dead-letters the same id (stored once).
    dead_letter_id: `${record.topic}:${record.partition}:${record.offset}`,
    topic: record.topic,
    reason,
    record: record.value,
    failed_at: new Date().toISOString(),
  };
}
