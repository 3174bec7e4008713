import { effectivePrices, priceKey, type EffectivePrice } from '../effective-prices.ts';
import { isPriceGap, priceGap, priceGapSeverity } from '../rules/price-gap.ts';
import type { Warehouse } from '../warehouse.ts';
import { IN_SCOPE, type DayClose, type Findings, type ProductInfo, type RuleInputs } from './day-close.ts';
import { slotOf, type Finding } from './model.ts';
import { scopeParams } from './scope.ts';
import { priceGapTexts } from './texts.ts';

/** The newest competitor price per store × competitor product within the last 30 days, with the own SKU it matches. */
const LATEST_COMPETITOR_PRICES = `
  SELECT cp.store_id AS store_id, cp.sku AS competitor_sku, cp.price AS price, cp.source AS source,
    formatDateTime(cp.observed_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS observed_at,
    toString(toDate(cp.observed_at, {timezone:String})) AS day
  FROM (
    SELECT store_id, sku, argMax(price, ts) AS price, argMax(source, ts) AS source, max(ts) AS observed_at
    FROM competitor_prices
    WHERE ts < toDateTime64(toDate({as_of:String}) + 1, 3, {timezone:String})
      AND ts >= toDateTime64(toDate({as_of:String}) - 29, 3, {timezone:String})
      AND ${IN_SCOPE}
    GROUP BY store_id, sku
  ) AS cp`;

export interface CompetitorObservation {
  store_id: string;
  competitor_sku: string;
  price: number;
  source: string;
  observed_at: string;
  /** Store-local day of the observation. */
  day: string;
}

/** What the price-gap family reads: competitor observations and the own effective price on each one's day. */
export interface PriceGapRows {
  observations: readonly CompetitorObservation[];
  /** By priceKey of the own SKU the competitor product matches, at the observation's store and day. */
  ownPrices: ReadonlyMap<string, EffectivePrice>;
}

/** The daily close's observations: the newest competitor price per store and product of the last 30 days. */
export async function loadLatestCompetitorPrices({ warehouse, asOf, timezone, scope }: DayClose): Promise<CompetitorObservation[]> {
  return warehouse.query<CompetitorObservation>(LATEST_COMPETITOR_PRICES, { as_of: asOf, timezone, ...scopeParams(scope) });
}

/** The own effective prices the observations are compared with. */
export async function loadOwnPrices(
  warehouse: Warehouse,
  products: ReadonlyMap<string, ProductInfo>,
  observations: readonly CompetitorObservation[],
): Promise<PriceGapRows> {
  const asked = observations.flatMap((o) => {
    const sku = products.get(o.competitor_sku)?.matches_sku;
    return sku ? [{ store_id: o.store_id, sku, day: o.day }] : [];
  });
  return { observations, ownPrices: await effectivePrices(warehouse, asked) };
}

/** price_gap findings for competitor observations; slots whose latest observation shows no gap resolve. */
export function priceGapFindings(
  { observations, ownPrices }: PriceGapRows,
  { thresholds, stores, products }: Pick<RuleInputs, 'thresholds' | 'stores' | 'products'>,
): Findings {
  // Several competitor products can match one own SKU at a store: the cheapest observation decides.
  const best = new Map<string, Finding & { gapValue: number }>();
  const closed = new Set<string>();
  for (const o of observations) {
    const competitor = products.get(o.competitor_sku);
    const own = competitor?.matches_sku ? products.get(competitor.matches_sku) : undefined;
    const store = stores.get(o.store_id);
    if (!competitor || !own || !store) continue;
    const ownPrice = ownPrices.get(priceKey({ store_id: o.store_id, sku: own.sku, day: o.day }));
    if (!ownPrice) continue;
    const gap = priceGap(ownPrice.price, o.price);
    const slot = slotOf({ type: 'price_gap', store_id: o.store_id, sku: own.sku });
    if (!isPriceGap(gap, thresholds.minPriceGap)) {
      closed.add(slot);
      continue;
    }
    if ((best.get(slot)?.gapValue ?? -Infinity) >= gap) continue;
    best.set(slot, {
      gapValue: gap,
      type: 'price_gap',
      store_id: o.store_id,
      sku: own.sku,
      territory: store.territory,
      category: own.category,
      severity: priceGapSeverity(gap),
      assignee: `reps:${store.territory}`,
      evidence: {
        own_sku: own.sku,
        competitor_sku: competitor.sku,
        own_price: ownPrice.price,
        own_price_source: ownPrice.source,
        regular_price: own.regular_price,
        competitor_price: o.price,
        gap: Number(gap.toFixed(4)),
        observed_at: o.observed_at,
        source: o.source,
      },
      ...priceGapTexts({
        storeName: store.name,
        productName: own.name,
        competitorName: competitor.name,
        ownPrice: ownPrice.price,
        competitorPrice: o.price,
        gap,
        territory: store.territory,
      }),
    });
  }
  const findings = [...best.values()].map(({ gapValue: _gap, ...finding }) => finding);
  for (const f of findings) closed.delete(slotOf(f));
  return { findings, resolved: closed };
}
