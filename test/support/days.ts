import { addDays } from '../../lib/days.ts';

/** The day the integration tests close: their sales, photos and alerts are written relative to it. */
export const AS_OF = '2026-11-20';

/** The day `offset` days after `from` (before it when negative). */
export const day = (offset: number, from = AS_OF): string => addDays(from, offset);
