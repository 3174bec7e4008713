import { Type, type Static } from '@sinclair/typebox';
import { DISTRIBUTION_STATUSES } from './enums.ts';
import { oneOf } from './one-of.ts';

const Ratio = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

export const RankedStoreSchema = Type.Object({
  rank: Type.Integer({ description: 'Rank in the chain (the reader’s scope): by pace, stores without a target after, by sales' }),
  rank_in_territory: Type.Integer(),
  store_id: Type.String(),
  name: Type.String(),
  territory: Type.String(),
  sales: Type.Number({ description: 'Sales in the month up to the latest sales day, CNY' }),
  sales_ly: Type.Number({ description: 'The same days 52 weeks earlier, CNY' }),
  sales_target: Type.Union([Type.Number(), Type.Null()], { description: 'The month’s target; null when none was uploaded' }),
  attainment: Ratio('sales / sales_target'),
  pace: Ratio('sales / (sales_target × days elapsed / days in the month): 1 = on track to meet the target'),
});
export type RankedStore = Static<typeof RankedStoreSchema>;

export const TerritoryAttainmentSchema = Type.Object({
  territory: Type.String(),
  stores: Type.Integer(),
  sales: Type.Number(),
  sales_target: Type.Union([Type.Number(), Type.Null()], { description: 'Sum of its stores’ targets; null when none has one' }),
  attainment: Ratio('sales of the stores with a target / their targets'),
  pace: Ratio('as for a store'),
});
export type TerritoryAttainment = Static<typeof TerritoryAttainmentSchema>;

export const RankingSchema = Type.Object({
  month: Type.String(),
  /** The month's days with sales so far: the basis of `pace`. */
  days_elapsed: Type.Integer(),
  days_in_month: Type.Integer(),
  stores: Type.Array(RankedStoreSchema),
  territories: Type.Array(TerritoryAttainmentSchema),
});
export type Ranking = Static<typeof RankingSchema>;

export const DistributionCellSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  brand: Type.String(),
  category: Type.String(),
  store_id: Type.String(),
  store_name: Type.String(),
  territory: Type.String(),
  status: oneOf(DISTRIBUTION_STATUSES, {
    description:
      'seen: on the shelf in a photo of the period; sold: sold, no photo showed it; missing: a photo of the store showed the bay without it and it did not sell; unchecked: no photo and no sale',
  }),
  facings: Type.Integer({ description: 'Most facings in one photo of the period' }),
  units: Type.Number({ description: 'Units sold in the period' }),
});
export type DistributionCell = Static<typeof DistributionCellSchema>;

export const DistributionSkuSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  brand: Type.String(),
  category: Type.String(),
  ranged: Type.Integer({ description: 'Stores that range it (assortment)' }),
  seen: Type.Integer(),
  sold: Type.Integer({ description: 'Stores where it sold but no photo showed it' }),
  missing: Type.Integer(),
  unchecked: Type.Integer(),
  distribution: Ratio('(seen + sold) / ranged: numeric distribution'),
  on_shelf: Ratio('seen / (seen + missing): on-shelf availability where a photo checked'),
});
export type DistributionSku = Static<typeof DistributionSkuSchema>;

export const DistributionSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  skus: Type.Array(DistributionSkuSchema),
  cells: Type.Array(DistributionCellSchema, { description: 'SKU × store, for every ranged pair in the reader’s scope' }),
});
export type Distribution = Static<typeof DistributionSchema>;
