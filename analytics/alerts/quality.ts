import type { AlertFeedback, AlertFeedbackRecord, AlertQuality, AlertQualityRow, ThresholdSuggestion } from '../../contracts/alerts.ts';
import { maxZeroProbabilityFor, type RuleThresholds } from '../rules/thresholds.ts';
import type { FeedbackVerdict } from '../../contracts/enums.ts';
import { addDays } from '../../lib/days.ts';
import { latestSalesDay, round2 } from '../kpi/map.ts';
import type { Warehouse } from '../warehouse.ts';

export async function saveFeedback(warehouse: Warehouse, alertId: string, feedback: AlertFeedback, givenBy: string): Promise<AlertFeedbackRecord> {
  const record = { alert_id: alertId, verdict: feedback.verdict, reason: feedback.reason, given_by: givenBy, given_at: new Date().toISOString() };
  await warehouse.insert('alert_feedback', [record]);
  return record;
}

/** The days after the action over which an alert's outcome is measured. */
const OUTCOME_DAYS = 14;

/** When a person first resolved each alert, from its audit trail: the action whose outcome is measured. */
const PERSON_RESOLVED = `SELECT alert_id, min(at) AS resolved_at FROM alert_actions WHERE action = 'resolve' GROUP BY alert_id`;

/**
 * Every alert raised in the period within the scope, with the latest word on it, when a person resolved it, and, for
 * a SKU alert a person resolved whose 14 days after have passed, the units of its pair and of the matched stores (same territory and format,
 * the same SKU, never alerted on it) in the 14 days before and the 7 and 14 days after the action.
 */
const ALERT_OUTCOMES = `
  WITH toDate({from:String}) AS f, toDate({to:String}) AS t, toDate({measured_until:String}) AS m
  SELECT a.id AS id, a.type AS type, a.territory AS territory, a.category AS category,
    a.resolved_at IS NOT NULL AS resolved,
    if(a.resolved_at IS NULL, NULL, dateDiff('second', a.created_at, a.resolved_at) / 3600) AS hours_to_resolve,
    ifNull(fb.verdict, '') AS verdict,
    o.id != '' AS measured,
    ifNull(o.own_before, 0) AS own_before, ifNull(o.own_after7, 0) AS own_after7, ifNull(o.own_after14, 0) AS own_after14,
    ifNull(o.matched_before, 0) AS matched_before, ifNull(o.matched_after7, 0) AS matched_after7, ifNull(o.matched_after14, 0) AS matched_after14,
    ifNull(p.regular_price, 0) AS regular_price
  FROM (
    SELECT al.id AS id, al.type AS type, al.territory AS territory, al.category AS category, al.sku AS sku, al.created_at AS created_at, r.resolved_at AS resolved_at
    FROM alerts AS al FINAL LEFT JOIN (${PERSON_RESOLVED}) AS r ON r.alert_id = al.id
    WHERE toDate(al.created_at) BETWEEN f AND t
      AND (empty({stores:Array(String)}) OR al.store_id IN {stores:Array(String)})
      AND (empty({territories:Array(String)}) OR al.territory IN {territories:Array(String)})
  ) AS a
  LEFT JOIN (SELECT alert_id, argMax(verdict, given_at) AS verdict FROM alert_feedback GROUP BY alert_id) AS fb ON fb.alert_id = a.id
  LEFT JOIN (SELECT sku, regular_price FROM products FINAL) AS p ON p.sku = a.sku
  LEFT JOIN (
    SELECT x.id AS id,
      sumIf(d.units, d.store_id = x.store_id AND d.day < x.r) AS own_before,
      sumIf(d.units, d.store_id = x.store_id AND d.day BETWEEN x.r AND x.r + 6) AS own_after7,
      sumIf(d.units, d.store_id = x.store_id AND d.day >= x.r) AS own_after14,
      sumIf(d.units, d.store_id != x.store_id AND d.day < x.r) AS matched_before,
      sumIf(d.units, d.store_id != x.store_id AND d.day BETWEEN x.r AND x.r + 6) AS matched_after7,
      sumIf(d.units, d.store_id != x.store_id AND d.day >= x.r) AS matched_after14
    FROM (
      SELECT al.id AS id, al.store_id AS store_id, al.sku AS sku, toDate(pr.resolved_at) AS r, st.territory AS territory, st.format AS format
      FROM alerts AS al FINAL
      INNER JOIN (${PERSON_RESOLVED}) AS pr ON pr.alert_id = al.id
      INNER JOIN (SELECT store_id, territory, format FROM stores FINAL) AS st ON st.store_id = al.store_id
      WHERE al.sku != '' AND toDate(al.created_at) BETWEEN f AND t AND toDate(pr.resolved_at) + ${OUTCOME_DAYS - 1} <= m
    ) AS x
    INNER JOIN daily_sales AS d ON d.sku = x.sku
    INNER JOIN (SELECT store_id, territory, format FROM stores FINAL) AS ds ON ds.store_id = d.store_id
    WHERE d.day BETWEEN x.r - ${OUTCOME_DAYS} AND x.r + ${OUTCOME_DAYS - 1}
      AND (d.store_id = x.store_id
        OR (ds.territory = x.territory AND ds.format = x.format
          AND (d.store_id, d.sku) NOT IN (SELECT store_id, sku FROM alerts FINAL WHERE sku != '')))
    GROUP BY x.id
  ) AS o ON o.id = a.id
  SETTINGS join_use_nulls = 1`;

export interface AlertOutcome {
  id: string;
  type: string;
  territory: string;
  category: string;
  resolved: boolean;
  hours_to_resolve: number | null;
  verdict: FeedbackVerdict | '';
  /** Whether the 14 days after the action have passed: the units below are measured. */
  measured: boolean;
  own_before: number;
  own_after7: number;
  own_after14: number;
  matched_before: number;
  matched_after7: number;
  matched_after14: number;
  regular_price: number;
}

/**
 * What the action brought, in CNY, over `days` after it: the pair's units then, less what its 14 days before predict
 * for as many days, scaled by how the matched stores' sales of the SKU moved over the same days (1 without matched
 * stores). For a zero-sale alert the days before sold little, so what sold after counts nearly whole.
 */
export function recoveredSales(o: AlertOutcome, days: 7 | 14): number {
  const after = days === 7 ? o.own_after7 : o.own_after14;
  const matchedAfter = days === 7 ? o.matched_after7 : o.matched_after14;
  const perDay = (units: number, n: number) => units / n;
  const trend = o.matched_before > 0 ? perDay(matchedAfter, days) / perDay(o.matched_before, OUTCOME_DAYS) : 1;
  const expected = perDay(o.own_before, OUTCOME_DAYS) * days * trend;
  return (after - expected) * o.regular_price;
}

const median = (values: number[]) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** One row per value of `key`: precision from feedback, time to resolve, what the measured actions brought. */
export function qualityRows(outcomes: readonly AlertOutcome[], key: 'type' | 'territory' | 'category'): AlertQualityRow[] {
  const groups = new Map<string, AlertOutcome[]>();
  for (const o of outcomes) groups.set(o[key], [...(groups.get(o[key]) ?? []), o]);
  return [...groups]
    .map(([value, group]) => {
      const confirmed = group.filter((o) => o.verdict === 'confirmed').length;
      const falseAlarms = group.filter((o) => o.verdict === 'false_alarm').length;
      const measured = group.filter((o) => o.measured);
      return {
        key: value,
        alerts: group.length,
        confirmed,
        false_alarms: falseAlarms,
        precision: confirmed + falseAlarms > 0 ? confirmed / (confirmed + falseAlarms) : null,
        resolved: group.filter((o) => o.resolved).length,
        median_hours_to_resolve: median(group.flatMap((o) => (o.hours_to_resolve === null ? [] : [Number(o.hours_to_resolve)]))),
        measured: measured.length,
        recovered_sales_7d: round2(measured.reduce((sum, o) => sum + recoveredSales(o, 7), 0)),
        recovered_sales_14d: round2(measured.reduce((sum, o) => sum + recoveredSales(o, 14), 0)),
      };
    })
    .sort((a, b) => b.alerts - a.alerts || a.key.localeCompare(b.key));
}

/** The zero-sale streak alerts of the period in the scope: how improbable each streak was, and the word on it. */
const STREAK_ALERTS = `
  SELECT a.category AS category, JSONExtractFloat(a.evidence, 'p_zero') AS p_zero, ifNull(fb.verdict, '') AS verdict
  FROM alerts AS a FINAL
  LEFT JOIN (SELECT alert_id, argMax(verdict, given_at) AS verdict FROM alert_feedback GROUP BY alert_id) AS fb ON fb.alert_id = a.id
  WHERE a.type IN ('zero_sale', 'out_of_stock') AND JSONHas(a.evidence, 'p_zero')
    AND toDate(a.created_at) BETWEEN toDate({from:String}) AND toDate({to:String})
    AND (empty({stores:Array(String)}) OR a.store_id IN {stores:Array(String)})
    AND (empty({territories:Array(String)}) OR a.territory IN {territories:Array(String)})
  SETTINGS join_use_nulls = 1`;

export interface StreakAlert {
  category: string;
  p_zero: number;
  verdict: FeedbackVerdict | '';
}

/** Verdicts a category needs before a threshold is suggested for it: fewer say too little. */
const MIN_FEEDBACK = 5;
/** Precision a suggestion aims at, and the share of confirmed alerts it may give up on the way. */
const TARGET_PRECISION = 0.9;
const MAX_CONFIRMED_LOST = 0.1;
const STRICTER = [0.02, 0.01, 0.005, 0.002, 0.001, 0.0005, 0.0001];

/**
 * For each category whose verdicts put the zero-sale rule's precision under 90 %: the loosest stricter P(0)
 * threshold that lifts it to 90 % on those verdicts while giving up at most a tenth of the confirmed alerts, with
 * its effect on the period's alerts. None where no such threshold exists: the rule's misses there are not about
 * how improbable the streak was (a calendar, a listing), which the verdicts' reasons tell.
 */
export function suggestThresholds(alerts: readonly StreakAlert[], thresholds: RuleThresholds): ThresholdSuggestion[] {
  const byCategory = new Map<string, StreakAlert[]>();
  for (const a of alerts) byCategory.set(a.category, [...(byCategory.get(a.category) ?? []), a]);
  const suggestions: ThresholdSuggestion[] = [];
  for (const [category, group] of byCategory) {
    const judged = group.filter((a) => a.verdict !== '');
    const confirmed = judged.filter((a) => a.verdict === 'confirmed');
    if (judged.length < MIN_FEEDBACK) continue;
    const precisionNow = confirmed.length / judged.length;
    if (precisionNow >= TARGET_PRECISION) continue;
    const current = maxZeroProbabilityFor(thresholds, category);
    for (const suggested of STRICTER.filter((p) => p < current)) {
      const kept = judged.filter((a) => a.p_zero <= suggested);
      const keptConfirmed = kept.filter((a) => a.verdict === 'confirmed').length;
      const lost = confirmed.length - keptConfirmed;
      if (kept.length === 0 || lost > confirmed.length * MAX_CONFIRMED_LOST) break;
      const precisionAfter = keptConfirmed / kept.length;
      if (precisionAfter < TARGET_PRECISION) continue;
      suggestions.push({
        category,
        current,
        suggested,
        feedback: judged.length,
        precision_now: precisionNow,
        precision_after: precisionAfter,
        false_alarms_avoided: judged.length - confirmed.length - (kept.length - keptConfirmed),
        confirmed_lost: lost,
        alerts_avoided: group.filter((a) => a.p_zero > suggested).length,
        setting: `${category}=${suggested}`,
      });
      break;
    }
  }
  return suggestions.sort((a, b) => b.false_alarms_avoided - a.false_alarms_avoided || a.category.localeCompare(b.category));
}

/** The alert quality of a period (default: the 90 days up to today), within the reader's scope. */
export async function alertQuality(
  warehouse: Warehouse,
  options: { from?: string; to?: string; today: string; scope: { stores: readonly string[]; territories: readonly string[] }; thresholds: RuleThresholds },
): Promise<AlertQuality> {
  const latest = await latestSalesDay(warehouse);
  // Alerts are dated when they were raised (today's close raises yesterday's), sales by their day.
  const to = options.to ?? options.today;
  const from = options.from ?? addDays(to, -89);
  const scope = { stores: [...options.scope.stores], territories: [...options.scope.territories] };
  const [rows, streaks] = await Promise.all([
    warehouse.query<AlertOutcome>(ALERT_OUTCOMES, { from, to, measured_until: latest, ...scope }),
    warehouse.query<StreakAlert>(STREAK_ALERTS, { from, to, ...scope }),
  ]);
  const outcomes = rows.map((r) => ({
    ...r,
    resolved: Boolean(Number(r.resolved)),
    measured: Boolean(Number(r.measured)),
    own_before: Number(r.own_before),
    own_after7: Number(r.own_after7),
    own_after14: Number(r.own_after14),
    matched_before: Number(r.matched_before),
    matched_after7: Number(r.matched_after7),
    matched_after14: Number(r.matched_after14),
    regular_price: Number(r.regular_price),
  }));
  return {
    from,
    to,
    by_type: qualityRows(outcomes, 'type'),
    by_territory: qualityRows(outcomes, 'territory'),
    by_category: qualityRows(outcomes, 'category'),
    suggestions: suggestThresholds(
      streaks.map((a) => ({ ...a, p_zero: Number(a.p_zero) })),
      options.thresholds,
    ),
  };
}
