import { UNRECOGNISED } from '../contracts/enums.ts';
import type { Warehouse } from './warehouse.ts';

/**
 * Share of shelf, the one definition the map, the store page and the low_share_of_shelf alert read: own facings
 * over recognised facings. A pack counts as recognised when its brand is known (its SKU, or only its brand read off
 * the pack); packs of no known brand are counted beside it, never in it (they would dilute the share with packs of
 * no known owner). "Own" comes from the product master: a registered SKU is own
 * unless it is a competitor's; an SKU not registered is own when its brand is an own brand there. Counted once per
 * photo when it is recorded and stored on its row (migration 019 counted the photos stored before by the same rule).
 */
export interface ShelfFacings {
  own_facings: number;
  recognised_facings: number;
  unknown_facings: number;
}

export const NO_FACINGS: ShelfFacings = { own_facings: 0, recognised_facings: 0, unknown_facings: 0 };

/** Whether a pack's owner can be told: its SKU, or at least its brand, is known. */
const recognised = (pack: { sku: string; brand: string }) => pack.sku !== UNRECOGNISED || pack.brand !== UNRECOGNISED;

/** What the product master says about who owns the SKUs and brands on a shelf. */
export interface ProductOwnership {
  registered: ReadonlySet<string>;
  ownSkus: ReadonlySet<string>;
  ownBrands: ReadonlySet<string>;
}

export function isOwn(pack: { sku: string; brand: string }, master: ProductOwnership): boolean {
  return master.registered.has(pack.sku) ? master.ownSkus.has(pack.sku) : master.ownBrands.has(pack.brand);
}

/** A photo's facings by owner, from its facings per SKU. */
export function countShelfFacings(facings: readonly { sku: string; brand: string; facings: number }[], master: ProductOwnership): ShelfFacings {
  const counts = { ...NO_FACINGS };
  for (const f of facings) {
    if (!recognised(f)) counts.unknown_facings += f.facings;
    else {
      counts.recognised_facings += f.facings;
      if (isOwn(f, master)) counts.own_facings += f.facings;
    }
  }
  return counts;
}

/** Own facings over recognised facings, 0..1 to four places; null when nothing was recognised (no base). */
export function ownShare(f: Pick<ShelfFacings, 'own_facings' | 'recognised_facings'>): number | null {
  return f.recognised_facings > 0 ? Number((f.own_facings / f.recognised_facings).toFixed(4)) : null;
}

/** Facings summed, e.g. the stores of a territory (the share of a sum is facing-weighted). */
export function addFacings(a: ShelfFacings, b: ShelfFacings): ShelfFacings {
  return {
    own_facings: a.own_facings + b.own_facings,
    recognised_facings: a.recognised_facings + b.recognised_facings,
    unknown_facings: a.unknown_facings + b.unknown_facings,
  };
}

const OWNERSHIP = `
  SELECT sku, brand, is_competitor FROM products FINAL
  WHERE sku IN {skus:Array(String)} OR (brand IN {brands:Array(String)} AND NOT is_competitor)`;

/** The product master's word on the SKUs and brands given (one small query). */
export async function productOwnership(warehouse: Warehouse, packs: readonly { sku: string; brand: string }[]): Promise<ProductOwnership> {
  const known = packs.filter(recognised);
  if (known.length === 0) return { registered: new Set(), ownSkus: new Set(), ownBrands: new Set() };
  const skus = [...new Set(known.map((p) => p.sku))];
  const rows = await warehouse.query<{ sku: string; brand: string; is_competitor: boolean | number }>(OWNERSHIP, {
    skus,
    brands: [...new Set(known.map((p) => p.brand))],
  });
  const asked = new Set(skus);
  return {
    registered: new Set(rows.filter((r) => asked.has(r.sku)).map((r) => r.sku)),
    ownSkus: new Set(rows.filter((r) => asked.has(r.sku) && !r.is_competitor).map((r) => r.sku)),
    ownBrands: new Set(rows.filter((r) => !r.is_competitor).map((r) => r.brand)),
  };
}

/** A photo's facings by owner, the product master asked. */
export async function shelfFacingsOf(warehouse: Warehouse, facings: readonly { sku: string; brand: string; facings: number }[]): Promise<ShelfFacings> {
  return countShelfFacings(facings, await productOwnership(warehouse, facings));
}
