import type { MapStore } from './types';

/** Why a store is on the director's short list. */
export type AttentionReason = 'no_data' | 'drop' | 'alerts';

export interface StoreNeedingAttention {
  store: MapStore;
  reasons: AttentionReason[];
}

/** A drop smaller than this against the compare-to period is ordinary noise, not a reason to call the store. */
const DROP_FROM = -0.05;
/** Fewer open alerts than this are a normal day's work for a store. */
const ALERTS_FROM = 3;

/** The store's till feed stopped (an open `no_data` alert): its fall in sales is missing data, not lost sales. */
export const feedStopped = (store: Pick<MapStore, 'open_alerts'>): boolean => (store.open_alerts.no_data ?? 0) > 0;

/**
 * The stores a director should look at first, at most `limit`: those whose till feed stopped (an open `no_data`
 * alert: their fall is missing data, not lost sales, so they are named for what they are), then the biggest drops
 * against the map's compare-to period (`vs_compare`: last year unless another was chosen) and the most open alerts,
 * taken in turn so neither crowds out the other.
 */
export function storesNeedingAttention(stores: MapStore[], limit = 8): StoreNeedingAttention[] {
  const reasonsOf = (store: MapStore): AttentionReason[] => {
    const reasons: AttentionReason[] = [];
    if (feedStopped(store)) reasons.push('no_data');
    else if (store.vs_compare !== null && store.vs_compare <= DROP_FROM) reasons.push('drop');
    if (store.open_alerts_total >= ALERTS_FROM) reasons.push('alerts');
    return reasons;
  };
  const flagged = stores.map((store) => ({ store, reasons: reasonsOf(store) })).filter((s) => s.reasons.length > 0);
  const outages = flagged.filter((s) => s.reasons.includes('no_data'));
  const drops = flagged.filter((s) => s.reasons.includes('drop')).sort((a, b) => a.store.vs_compare! - b.store.vs_compare!);
  const busiest = flagged.filter((s) => s.reasons.includes('alerts')).sort((a, b) => b.store.open_alerts_total - a.store.open_alerts_total);
  const chosen = new Map<string, StoreNeedingAttention>();
  for (const s of outages) chosen.set(s.store.store_id, s);
  for (let i = 0; i < Math.max(drops.length, busiest.length); i++)
    for (const s of [drops[i], busiest[i]]) if (s && !chosen.has(s.store.store_id)) chosen.set(s.store.store_id, s);
  return [...chosen.values()].slice(0, limit);
}
