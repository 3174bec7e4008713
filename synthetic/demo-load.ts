import type { Logger } from 'pino';
import { evaluateDay, type EvaluationSummary } from '../analytics/alerts/evaluate.ts';
import { countRows, upsertMasterData } from '../analytics/master-data.ts';
import type { RuleThresholds } from '../analytics/rules/thresholds.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import { demoChain } from './chain.ts';
import { generateHistory, type DemoStory } from './history.ts';
import { previousDay } from '../lib/days.ts';

export interface DemoOptions {
  timezone: string;
  thresholds: RuleThresholds;
  /** The last closed day; default yesterday in the platform time zone. */
  asOf?: string;
  /** Told as each stage begins, for the starting page of a first `npm start`. */
  onStage?: (stage: DemoStage) => void;
}

export type DemoStage = 'master data' | 'sales history' | 'daily close';

function yesterday(timezone: string): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  return previousDay(today);
}

export interface DemoLoad {
  ms: number;
  /** The demo stores' codes, in order. */
  storeIds: string[];
  story: DemoStory;
  alerts: EvaluationSummary;
}

/**
 * Loads the demo chain on first start (an empty warehouse): master data, 420 days of history up to yesterday with
 * injected problems, and the daily close of yesterday so the inbox has its alerts. A warehouse with stores is left alone.
 * The shelf photos come after (synthetic/demo-shelves.ts: photos are analysed outside analytics) and close the day again.
 */
export async function loadDemoIfEmpty(warehouse: Warehouse, logger: Logger, options: DemoOptions): Promise<DemoLoad | undefined> {
  if ((await countRows(warehouse, 'stores')) > 0) return undefined;
  const started = Date.now();
  const chain = demoChain();
  options.onStage?.('master data');
  await upsertMasterData(warehouse, 'stores', chain.stores);
  await upsertMasterData(warehouse, 'products', chain.products);
  await upsertMasterData(warehouse, 'assortment', chain.assortment);
  const asOf = options.asOf ?? yesterday(options.timezone);
  options.onStage?.('sales history');
  const story = await generateHistory(warehouse, chain, asOf, options.timezone);
  options.onStage?.('daily close');
  const { summary } = await evaluateDay(warehouse, asOf, options.thresholds, options.timezone);
  const ms = Date.now() - started;
  logger.info(
    {
      stores: chain.stores.length,
      products: chain.products.length,
      asOf,
      injected: {
        display: story.displayProblems.length,
        stockOuts: story.stockOuts.length,
        priceDrops: story.priceDrops.length,
        dormant: story.dormantStores.length,
      },
      alerts: summary.by_type,
      ms,
    },
    'demo chain loaded',
  );
  return { ms, storeIds: chain.stores.map((s) => s.store_id as string), story, alerts: summary };
}
