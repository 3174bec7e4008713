import { describe, expect, it } from 'vitest';
import { addFacings, countShelfFacings, ownShare, type ProductOwnership } from '../../../analytics/shelf-share.ts';

const master: ProductOwnership = { registered: new Set(['P1', 'P2', 'C1', 'X1']), ownSkus: new Set(['P1', 'P2']), ownBrands: new Set(['清泉', '牧原']) };

describe('share of shelf', () => {
  it('own facings over recognised facings; unrecognised packs are counted beside it, not in it', () => {
    const facings = countShelfFacings(
      [
        { sku: 'P1', brand: '清泉', facings: 2 },
        { sku: 'C1', brand: '恒泰', facings: 5 },
        { sku: 'P9', brand: '清泉', facings: 1 }, // not registered: own by its brand
        { sku: 'unknown', brand: 'unknown', facings: 2 },
      ],
      master,
    );
    expect(facings).toEqual({ own_facings: 3, recognised_facings: 8, unknown_facings: 2 });
    expect(ownShare(facings)).toBe(0.375);
  });

  it('"own" is the product master\'s word: a registered competitor SKU of an own brand is not own, an unregistered SKU of another brand neither', () => {
    const facings = countShelfFacings(
      [
        { sku: 'X1', brand: '清泉', facings: 4 }, // registered as a competitor's product under an own brand name
        { sku: 'Z9', brand: '无名', facings: 1 },
        { sku: 'P2', brand: '牧原', facings: 5 },
      ],
      master,
    );
    expect(facings).toEqual({ own_facings: 5, recognised_facings: 10, unknown_facings: 0 });
  });

  it('a pack whose SKU is unknown but whose brand was read counts by its brand', () => {
    const facings = countShelfFacings(
      [
        { sku: 'unknown', brand: '清泉', facings: 2 },
        { sku: 'unknown', brand: '恒泰', facings: 1 },
        { sku: 'unknown', brand: 'unknown', facings: 4 },
      ],
      master,
    );
    expect(facings).toEqual({ own_facings: 2, recognised_facings: 3, unknown_facings: 4 });
  });

  it('has no share when nothing was recognised, and sums facing-weighted', () => {
    expect(ownShare(countShelfFacings([{ sku: 'unknown', brand: 'unknown', facings: 7 }], master))).toBeNull();
    const day = addFacings({ own_facings: 1, recognised_facings: 10, unknown_facings: 0 }, { own_facings: 9, recognised_facings: 10, unknown_facings: 3 });
    expect(day).toEqual({ own_facings: 10, recognised_facings: 20, unknown_facings: 3 });
    expect(ownShare(day)).toBe(0.5);
  });
});
