import type { ProductInfo, RuleInputs, StoreInfo } from '../../../../analytics/alerts/day-close.ts';
import type { Alert } from '../../../../contracts/alerts.ts';
import type { AlertType } from '../../../../contracts/enums.ts';
import { DEFAULT_THRESHOLDS } from '../../../../analytics/rules/thresholds.ts';

/** A close's plain inputs for the toFindings tests: three stores (S2 without a manager), no products, no open alerts. */
export const AS_OF = '2026-11-20';

export const STORES: StoreInfo[] = [
  { store_id: 'S1', name: 'Riverside', territory: 'T1', region: 'North', manager: 'ann' },
  { store_id: 'S2', name: 'Old Town', territory: 'T2', region: 'North', manager: '' },
  { store_id: 'S3', name: 'Harbour', territory: 'T1', region: 'North', manager: 'cy' },
];

export function ruleInputs(more: { products?: ProductInfo[]; open?: Alert[]; scope?: RuleInputs['scope'] } = {}): RuleInputs {
  return {
    asOf: AS_OF,
    thresholds: DEFAULT_THRESHOLDS,
    stores: new Map(STORES.map((s) => [s.store_id, s])),
    products: new Map((more.products ?? []).map((p) => [p.sku, p])),
    scope: more.scope ?? {},
    open: more.open ?? [],
  };
}

/** An open alert as the store holds it; only what the families read matters (type, store, SKU, as_of). */
export function openAlert(type: AlertType, storeId: string, sku = '', asOf = '2026-11-18'): Alert {
  return {
    id: `${type}:${storeId}:${sku}:${asOf}`,
    type,
    status: 'open',
    store_id: storeId,
    sku,
    territory: '',
    category: '',
    created_at: `${asOf}T16:00:00.000Z`,
    updated_at: `${asOf}T16:00:00.000Z`,
    as_of: asOf,
    severity: 'low',
    evidence: {},
    assignee: '',
    resolved_at: null,
    message_zh: '',
    message_en: '',
    suggestion_zh: '',
    suggestion_en: '',
  };
}
