import { decideLowShare, decidePlanogram, decideShelfGap, type PlanogramStatus, type ShelfDay } from '../rules/shelf.ts';
import type { ShelfFacings } from '../shelf-share.ts';
import { IN_SCOPE, storeManager, type DayClose, type Findings, type RuleInputs } from './day-close.ts';
import { slotOf, type Finding } from './model.ts';
import type { AlertType } from '../../contracts/enums.ts';
import { scopeParams } from './scope.ts';
import { lowShareTexts, planogramTexts, shelfGapTexts } from './texts.ts';

/**
 * Per store, its latest photographed day (store-local) within the look-back up to the close: the photos, their
 * holes and their facings by owner, as the photo intake stored them (the share of shelf the map shows).
 */
const SHELF_DAYS = `
  SELECT store_id, toString(s.day) AS day, photos, gaps, own_facings, recognised_facings, unknown_facings, photo_ids
  FROM shelf_share_days AS s
  WHERE s.day BETWEEN toDate({as_of:String}) + 1 - {lookback_days:UInt16} AND toDate({as_of:String}) AND ${IN_SCOPE}
  ORDER BY store_id, day DESC
  LIMIT 1 BY store_id`;

/**
 * Own SKUs the planogram check flagged (missing from the bay, or misplaced) on the given photos. A planned SKU that
 * is missing was never seen, so its row cannot tell a competitor's product: the product master does.
 */
const PLANOGRAM_ISSUES = `
  SELECT store_id, sku, argMax(planogram_status, taken_at) AS status, argMax(photo_id, taken_at) AS latest_photo,
    argMax(planogram_score, taken_at) AS score
  FROM shelf_observations FINAL
  WHERE photo_id IN {photos:Array(String)} AND NOT is_competitor AND planogram_status IN ('missing', 'misplaced')
    AND sku NOT IN (SELECT sku FROM products FINAL WHERE is_competitor)
  GROUP BY store_id, sku`;

export const VISION_TYPES: AlertType[] = ['shelf_gap', 'low_share_of_shelf', 'planogram'];

/** A store's latest photographed day in the look-back (SHELF_DAYS). */
export interface ShelfDayRow extends ShelfFacings {
  store_id: string;
  day: string;
  photos: number;
  gaps: number;
  photo_ids: string[];
}

/** An own SKU the planogram check flagged on those photos (PLANOGRAM_ISSUES). */
export interface PlanogramIssueRow {
  store_id: string;
  sku: string;
  status: PlanogramStatus;
  latest_photo: string;
  score: number | null;
}

export interface ShelfRows {
  days: ShelfDayRow[];
  issues: PlanogramIssueRow[];
}

export async function loadShelfRows({ warehouse, asOf, thresholds, scope }: DayClose): Promise<ShelfRows> {
  const days = await warehouse.query<ShelfDayRow>(SHELF_DAYS, { as_of: asOf, lookback_days: thresholds.shelfLookbackDays, ...scopeParams(scope) });
  const issues = days.length === 0 ? [] : await warehouse.query<PlanogramIssueRow>(PLANOGRAM_ISSUES, { photos: days.flatMap((d) => d.photo_ids) });
  return { days, issues };
}

/**
 * shelf_gap, low_share_of_shelf (store level) and planogram (per own SKU) from each store's latest photographed
 * day in the look-back. A store photographed again without the problem resolves its alert; a store without new
 * photos keeps what it has (no news is not a fix).
 */
export function shelfFindings({ days, issues }: ShelfRows, { thresholds, stores, products, open }: RuleInputs): Findings {
  const findings: Finding[] = [];
  const dayOf = new Map(days.map((d) => [d.store_id, d]));
  for (const d of days) {
    const store = stores.get(d.store_id);
    if (!store) continue;
    const shelf: ShelfDay = { storeId: d.store_id, day: d.day, photos: d.photos, gaps: d.gaps, ownFacings: d.own_facings, totalFacings: d.recognised_facings };
    const base = { store_id: d.store_id, sku: '', territory: store.territory, category: '', assignee: storeManager(store, d.store_id) };
    const gap = decideShelfGap(shelf, thresholds.minShelfGaps);
    if (gap.alert) {
      findings.push({
        ...base,
        type: 'shelf_gap',
        severity: gap.severity,
        evidence: { day: d.day, photos: d.photo_ids, gaps: d.gaps },
        ...shelfGapTexts({ storeName: store.name, day: d.day, gaps: d.gaps, photos: d.photos }),
      });
    }
    const share = decideLowShare(shelf, thresholds.minShareOfShelf);
    if (share.alert && share.share !== null) {
      findings.push({
        ...base,
        type: 'low_share_of_shelf',
        severity: share.severity,
        evidence: {
          day: d.day,
          photos: d.photo_ids,
          own_facings: d.own_facings,
          total_facings: d.recognised_facings,
          unknown_facings: d.unknown_facings,
          share: Number(share.share.toFixed(4)),
          target: thresholds.minShareOfShelf,
        },
        ...lowShareTexts({ storeName: store.name, day: d.day, share: share.share, target: thresholds.minShareOfShelf }),
      });
    }
  }
  for (const issue of issues) {
    const store = stores.get(issue.store_id);
    const decision = decidePlanogram(issue.status);
    if (!store || !decision.alert || (issue.status !== 'missing' && issue.status !== 'misplaced')) continue;
    const product = products.get(issue.sku);
    const day = dayOf.get(issue.store_id)!.day;
    findings.push({
      type: 'planogram',
      store_id: issue.store_id,
      sku: issue.sku,
      territory: store.territory,
      category: product?.category ?? '',
      severity: decision.severity,
      assignee: storeManager(store, issue.store_id),
      evidence: { day, photo_id: issue.latest_photo, status: issue.status, planogram_score: issue.score },
      ...planogramTexts({ storeName: store.name, productName: product?.name ?? issue.sku, sku: issue.sku, status: issue.status, day }),
    });
  }
  // Re-photographed stores: whatever their latest photos no longer show is resolved (a finding keeps its slot open).
  const resolved = new Set(open.filter((a) => VISION_TYPES.includes(a.type) && dayOf.has(a.store_id)).map(slotOf));
  return { findings, resolved };
}
