import type { RuleThresholds } from '../rules/thresholds.ts';
import type { Warehouse } from '../warehouse.ts';
import { productsBySku, storesById, type DayClose, type Findings } from './day-close.ts';
import { dormantFindings, loadOrderHistories } from './dormant-findings.ts';
import { reconcile, type Reconciliation } from './model.ts';
import type { Alert } from '../../contracts/alerts.ts';
import type { AlertType } from '../../contracts/enums.ts';
import { loadLatestCompetitorPrices, loadOwnPrices, priceGapFindings, type CompetitorObservation } from './price-gap-findings.ts';
import type { StoreScope } from './scope.ts';
import { loadShelfRows, shelfFindings, VISION_TYPES } from './shelf-findings.ts';
import { loadStockRows, stockFindings } from './stock-findings.ts';
import { openAlerts, saveAlerts } from './alert-rows.ts';

// The daily close: each rule family reads its rows (load…) and decides from plain data (…Findings); this file runs
// them in turn, reconciles their findings with the open alerts and writes the changes.

export interface EvaluationSummary {
  as_of: string;
  opened: number;
  updated: number;
  resolved: number;
  by_type: Record<string, { opened: number; updated: number; resolved: number; open: number }>;
}

export interface Evaluation {
  summary: EvaluationSummary;
  /** Every alert written by this run (new versions), for the notifier. */
  changed: Alert[];
}

const DAILY_TYPES: AlertType[] = ['zero_sale', 'out_of_stock', 'no_data', 'price_gap', 'dormant_customer', ...VISION_TYPES];

function summarize(asOf: string, changes: Reconciliation, openAfter: Alert[]): EvaluationSummary {
  const byType: EvaluationSummary['by_type'] = {};
  const bump = (type: string, key: 'opened' | 'updated' | 'resolved' | 'open') => {
    byType[type] ??= { opened: 0, updated: 0, resolved: 0, open: 0 };
    byType[type][key]++;
  };
  for (const a of changes.opened) bump(a.type, 'opened');
  for (const a of changes.updated) bump(a.type, 'updated');
  for (const a of changes.resolved) bump(a.type, 'resolved');
  for (const a of openAfter) bump(a.type, 'open');
  return { as_of: asOf, opened: changes.opened.length, updated: changes.updated.length, resolved: changes.resolved.length, by_type: byType };
}

function openAfterChanges(open: readonly Alert[], changes: Reconciliation): Alert[] {
  const byId = new Map(open.map((a) => [a.id, a]));
  for (const a of [...changes.opened, ...changes.updated]) byId.set(a.id, a);
  for (const a of changes.resolved) byId.delete(a.id);
  return [...byId.values()];
}

/** Reconciles the families' findings with the open alerts, writes the changes and sums them up. */
async function settle(warehouse: Warehouse, asOf: string, open: readonly Alert[], families: readonly Findings[]): Promise<Evaluation> {
  const changes = reconcile({
    open,
    findings: families.flatMap((f) => f.findings),
    resolvedSlots: new Set(families.flatMap((f) => [...f.resolved])),
    asOf,
    now: new Date().toISOString(),
  });
  const changed = [...changes.opened, ...changes.updated, ...changes.resolved];
  await saveAlerts(warehouse, changed);
  return { summary: summarize(asOf, changes, openAfterChanges(open, changes)), changed };
}

/**
 * The daily close for the day `asOf` (store-local in `timezone`) of the stores in `scope` (default: every store):
 * runs every rule family over those stores, reconciles with their open alerts and writes the changes. Running the
 * same day again finds the same things and writes nothing.
 */
export async function evaluateDay(
  warehouse: Warehouse,
  asOf: string,
  thresholds: RuleThresholds,
  timezone: string,
  scope: StoreScope = {},
): Promise<Evaluation> {
  const [stores, products, open] = await Promise.all([storesById(warehouse), productsBySku(warehouse), openAlerts(warehouse, DAILY_TYPES, scope)]);
  const close: DayClose = { warehouse, asOf, thresholds, timezone, scope, stores, products, open };
  const stock = stockFindings(await loadStockRows(close), close);
  const prices = priceGapFindings(await loadOwnPrices(warehouse, products, await loadLatestCompetitorPrices(close)), close);
  const dormant = dormantFindings(await loadOrderHistories(close), close);
  const shelves = shelfFindings(await loadShelfRows(close), close);
  return settle(warehouse, asOf, open, [stock, prices, dormant, shelves]);
}

/** The price-gap trigger: competitor prices as they arrive, evaluated at once against the own effective price. */
export async function evaluatePriceObservations(
  warehouse: Warehouse,
  observations: readonly CompetitorObservation[],
  thresholds: RuleThresholds,
): Promise<Evaluation> {
  const [stores, products, open] = await Promise.all([storesById(warehouse), productsBySku(warehouse), openAlerts(warehouse, ['price_gap'])]);
  const prices = priceGapFindings(await loadOwnPrices(warehouse, products, observations), { thresholds, stores, products });
  const asOf =
    observations
      .map((o) => o.day)
      .sort()
      .at(-1) ?? new Date().toISOString().slice(0, 10);
  return settle(warehouse, asOf, open, [prices]);
}
