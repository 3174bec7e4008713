import { describe, expect, it } from 'vitest';
import type { ProductInfo } from '../../../../analytics/alerts/day-close.ts';
import { priceGapFindings, type CompetitorObservation } from '../../../../analytics/alerts/price-gap-findings.ts';
import { priceGapTexts } from '../../../../analytics/alerts/texts.ts';
import { priceKey, type EffectivePrice } from '../../../../analytics/effective-prices.ts';
import { AS_OF, ruleInputs } from './inputs.ts';

const PRODUCTS: ProductInfo[] = [
  { sku: 'COLA', name: 'Cola 330ml', category: 'Drinks', regular_price: 19.9, is_competitor: false, matches_sku: '' },
  { sku: 'RIVAL-COLA', name: 'Rival Cola', category: 'Drinks', regular_price: 19.5, is_competitor: true, matches_sku: 'COLA' },
  { sku: 'RIVAL-COLA-XL', name: 'Rival Cola XL', category: 'Drinks', regular_price: 19.9, is_competitor: true, matches_sku: 'COLA' },
  { sku: 'CHIPS', name: 'Chips', category: 'Snacks', regular_price: 10, is_competitor: false, matches_sku: '' },
  { sku: 'RIVAL-CHIPS', name: 'Rival Chips', category: 'Snacks', regular_price: 9.5, is_competitor: true, matches_sku: 'CHIPS' },
];

const seen = (store_id: string, competitor_sku: string, price: number): CompetitorObservation => ({
  store_id,
  competitor_sku,
  price,
  source: 'photo',
  observed_at: '2026-11-20T03:00:00Z',
  day: AS_OF,
});

const ownPrices = (prices: EffectivePrice[]) => new Map(prices.map((p) => [priceKey(p), p]));

describe('the price-gap family from plain rows', () => {
  it('raises a gap of exactly 5% (19.90 vs 18.905, 4.9999…% in floating point), the cheapest competitor deciding', () => {
    const rows = {
      observations: [seen('S1', 'RIVAL-COLA-XL', 19.5), seen('S1', 'RIVAL-COLA', 18.905)],
      ownPrices: ownPrices([{ store_id: 'S1', sku: 'COLA', day: AS_OF, price: 19.9, source: 'regular' }]),
    };
    const gap = (19.9 - 18.905) / 19.9;
    expect(priceGapFindings(rows, ruleInputs({ products: PRODUCTS }))).toEqual({
      findings: [
        {
          type: 'price_gap',
          store_id: 'S1',
          sku: 'COLA',
          territory: 'T1',
          category: 'Drinks',
          severity: 'low',
          assignee: 'reps:T1',
          evidence: {
            own_sku: 'COLA',
            competitor_sku: 'RIVAL-COLA',
            own_price: 19.9,
            own_price_source: 'regular',
            regular_price: 19.9,
            competitor_price: 18.905,
            gap: 0.05,
            observed_at: '2026-11-20T03:00:00Z',
            source: 'photo',
          },
          ...priceGapTexts({
            storeName: 'Riverside',
            productName: 'Cola 330ml',
            competitorName: 'Rival Cola',
            ownPrice: 19.9,
            competitorPrice: 18.905,
            gap,
            territory: 'T1',
          }),
          message_en: 'Riverside: competitor Rival Cola sells at ¥18.91, 5.0% under our Cola 330ml at ¥19.90.',
        },
      ],
      // The 2% gap of the other competitor product does not close the slot the 5% one holds open.
      resolved: new Set(),
    });
  });

  it('compares with the own effective price, grades by the gap and resolves a slot whose latest price shows none', () => {
    const rows = {
      observations: [seen('S2', 'RIVAL-COLA', 8.4), seen('S1', 'RIVAL-CHIPS', 9.51), seen('S3', 'RIVAL-CHIPS', 5)],
      // S2 sells COLA on a store promotion; S3's CHIPS price is unknown, so nothing is judged there.
      ownPrices: ownPrices([
        { store_id: 'S2', sku: 'COLA', day: AS_OF, price: 10, source: 'store_promotion' },
        { store_id: 'S1', sku: 'CHIPS', day: AS_OF, price: 10, source: 'regular' },
      ]),
    };
    const { findings, resolved } = priceGapFindings(rows, ruleInputs({ products: PRODUCTS }));
    const graded = findings.map((f) => [f.store_id, f.sku, f.severity, f.evidence.gap, f.evidence.own_price_source]);
    expect(graded).toEqual([['S2', 'COLA', 'high', 0.16, 'store_promotion']]);
    expect(resolved).toEqual(new Set(['price_gap:S1:CHIPS']));
  });
});
