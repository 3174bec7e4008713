import type { TSchema } from '@sinclair/typebox';
import { CompetitorPriceRecord, InventoryRecord, OrderRecord, ScanRecord } from '../../contracts/records.ts';

/** Every topic of the event log, in one place. */
export const TOPICS = [
  'scans',
  'orders',
  'inventory',
  'competitor-prices',
  'photos',
  'shelf-observations',
  'alerts',
  'dead-letter',
  'channel-notices',
] as const;
export type Topic = (typeof TOPICS)[number];

/** The event streams the warehouse sink stores, with their record schema and table. */
export const EVENT_STREAMS = {
  scans: { topic: 'scans', schema: ScanRecord, table: 'scans' },
  orders: { topic: 'orders', schema: OrderRecord, table: 'orders' },
  inventory: { topic: 'inventory', schema: InventoryRecord, table: 'inventory' },
  'competitor-prices': { topic: 'competitor-prices', schema: CompetitorPriceRecord, table: 'competitor_prices' },
} as const satisfies Record<string, { topic: Topic; schema: TSchema; table: string }>;
export type EventStream = keyof typeof EVENT_STREAMS;
export const EVENT_TOPICS = Object.values(EVENT_STREAMS).map((s) => s.topic);

/** A record that a consumer could not handle, as it travels on `dead-letter`. */
export interface DeadLetter {
  dead_letter_id: string;
  topic: string;
  reason: string;
  record: unknown;
  failed_at: string;
}

/** Consumer groups: each worker's offsets on its topics. */
export const SINK_GROUP = 'warehouse-sink';
export const VISION_GROUP = 'vision-worker';
export const ALERT_ENGINE_GROUP = 'alert-engine';
export const NOTIFIER_GROUP = 'notifier';
export const CHANNEL_NOTIFIER_GROUP = 'channel-notifier';
