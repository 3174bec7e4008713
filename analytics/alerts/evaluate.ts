import type { RuleThresholds } from '../rules/thresholds.ts';
import type { Warehouse } from '../warehouse.ts';
import { productsBySku, storesById, type DayClose, type Findings } from './day-close.ts';
import { dormantFindings, loadOrderHistories } from './dormant-findings.ts';
import { openingDay, reconcile, type Finding, type Reconciliation } from './model.ts';
import type { Alert } from '../../contracts/alerts.ts';
import type { AlertType } from '../../contracts/enums.ts';
import { loadLatestCompetitorPrices, loadOwnPrices, priceGapFindings, type CompetitorObservation } from './price-gap-findings.ts';
import type { StoreScope } from './scope.ts';
import { loadShelfRows, shelfFindings, VISION_TYPES } from './shelf-findings.ts';
import { loadStockRows, stockFindings } from './stock-findings.ts';
import { alertsOpenedOn, openAlerts, saveAlerts } from './alert-rows.ts';

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
  const changes = reconcile({ open, ...merged(families), asOf, now: new Date().toISOString() });
  const changed = [...changes.opened, ...changes.updated, ...changes.resolved];
  await saveAlerts(warehouse, changed);
  return { summary: summarize(asOf, changes, openAfterChanges(open, changes)), changed };
}

function merged(families: readonly Findings[]): { findings: Finding[]; resolvedSlots: Set<string> } {
  return { findings: families.flatMap((f) => f.findings), resolvedSlots: new Set(families.flatMap((f) => [...f.resolved])) };
}

/** Every rule family's findings for one close. */
async function closeFindings(close: DayClose): Promise<Findings[]> {
  const stock = stockFindings(await loadStockRows(close), close);
  const prices = priceGapFindings(await loadOwnPrices(close.warehouse, close.products, await loadLatestCompetitorPrices(close)), close);
  const dormant = dormantFindings(await loadOrderHistories(close), close);
  const shelves = shelfFindings(await loadShelfRows(close), close);
  return [stock, prices, dormant, shelves];
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
  return settle(warehouse, asOf, open, await closeFindings(close));
}

/** What a person reads in an alert: two versions that differ only in when they were written are the same. */
function sameAlert(a: Alert, b: Alert): boolean {
  const plain = ({ created_at: _c, updated_at: _u, resolved_at, ...rest }: Alert) => JSON.stringify({ ...rest, resolved: resolved_at !== null });
  return plain(a) === plain(b);
}

/**
 * Closes the days given (ascending, already closed) again after rows for them arrived late, so that the alerts
 * become what an on-time feed would have produced. Each day is closed as it would have been on time: the alerts
 * opened after it are left to their own day, those an earlier close of it opened (open, or resolved by the
 * engine since) continue only if the day finds them again, else they are withdrawn (resolved, reason `late_data`,
 * kept in the history). The days run in memory; only the alerts whose end state differs are written, so a
 * re-close over unchanged rows writes nothing.
 */
export async function recloseDays(
  warehouse: Warehouse,
  days: readonly string[],
  thresholds: RuleThresholds,
  timezone: string,
  scope: StoreScope = {},
): Promise<Evaluation> {
  const [stores, products, open] = await Promise.all([storesById(warehouse), productsBySku(warehouse), openAlerts(warehouse, DAILY_TYPES, scope)]);
  const before = new Map(open.map((a) => [a.id, a]));
  for (const day of days) for (const a of await alertsOpenedOn(warehouse, DAILY_TYPES, day, scope)) before.set(a.id, a);
  const alerts = new Map(before);
  const now = new Date().toISOString();
  for (const asOf of days) {
    const known = [...alerts.values()];
    const openThen = known.filter((a) => a.status !== 'resolved' && openingDay(a) < asOf);
    const tentative = known.filter((a) => openingDay(a) === asOf);
    const close: DayClose = { warehouse, asOf, thresholds, timezone, scope, stores, products, open: openThen };
    const changes = reconcile({ open: openThen, ...merged(await closeFindings(close)), asOf, now, tentative });
    for (const a of [...changes.opened, ...changes.updated, ...changes.resolved]) alerts.set(a.id, a);
  }
  const net: Reconciliation = { opened: [], updated: [], resolved: [] };
  for (const [id, after] of alerts) {
    const earlier = before.get(id);
    if (earlier && sameAlert(earlier, after)) continue;
    if (!earlier) net.opened.push(after);
    else if (after.status === 'resolved' && (earlier.status !== 'resolved' || earlier.resolved_reason !== after.resolved_reason)) net.resolved.push(after);
    else net.updated.push(after);
  }
  const changed = [...net.opened, ...net.updated, ...net.resolved];
  await saveAlerts(warehouse, changed);
  const last = days.at(-1) ?? '';
  return {
    summary: summarize(
      last,
      net,
      [...alerts.values()].filter((a) => a.status !== 'resolved'),
    ),
    changed,
  };
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
