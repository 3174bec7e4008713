/** Every threshold of the alert rules, configurable (zero-sale window per category). */
export interface RuleThresholds {
  /** Days in the zero-sale window W, by default… */
  zeroSaleWindowDays: number;
  /** …and per category. */
  zeroSaleWindowDaysByCategory: Record<string, number>;
  /** Days of history before W that set the expected units. */
  baselineDays: number;
  /** The baseline's days are looked for this many days back before W (closed and promotion days skipped). */
  baselineLookbackDays: number;
  /** A pair needs this many baseline days (a new listing: days since its first sale) before it may alert. */
  minExposureDays: number;
  /** Rows that arrive late re-close this many of the last closed days. */
  recloseDays: number;
  /** Alert only when P(0 units over W) under a Poisson model is at most this, by default… */
  maxZeroProbability: number;
  /** …and per category (a person applies what the alert quality page suggests). */
  maxZeroProbabilityByCategory: Record<string, number>;
  /** Open a price-gap alert when (own − competitor) / own is at least this. */
  minPriceGap: number;
  /** A customer is dormant after this many days without an order. */
  dormantAfterDays: number;
  /** Vision alerts read a store's latest photographed day within this many days up to the close. */
  shelfLookbackDays: number;
  /** shelf_gap from this many empty facings on those photos. */
  minShelfGaps: number;
  /** low_share_of_shelf when the own brands hold less than this share of the facings recognised. */
  minShareOfShelf: number;
}

export const DEFAULT_THRESHOLDS: RuleThresholds = {
  zeroSaleWindowDays: 3,
  zeroSaleWindowDaysByCategory: {},
  baselineDays: 28,
  baselineLookbackDays: 56,
  minExposureDays: 7,
  recloseDays: 3,
  maxZeroProbability: 0.05,
  maxZeroProbabilityByCategory: {},
  minPriceGap: 0.05,
  dormantAfterDays: 90,
  shelfLookbackDays: 7,
  minShelfGaps: 1,
  minShareOfShelf: 0.3,
};

export function windowDaysFor(thresholds: RuleThresholds, category: string): number {
  return thresholds.zeroSaleWindowDaysByCategory[category] ?? thresholds.zeroSaleWindowDays;
}

export function maxZeroProbabilityFor(thresholds: RuleThresholds, category: string): number {
  return thresholds.maxZeroProbabilityByCategory[category] ?? thresholds.maxZeroProbability;
}

/** The loosest P(0) threshold of any category: what a pre-filter over all pairs may assume. */
export function loosestZeroProbability(thresholds: RuleThresholds): number {
  return Math.max(thresholds.maxZeroProbability, ...Object.values(thresholds.maxZeroProbabilityByCategory));
}
