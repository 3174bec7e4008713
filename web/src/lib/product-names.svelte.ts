import { UNRECOGNISED } from '../../../contracts/enums.ts';
import { api } from './api';
import { t } from './i18n.svelte';
import type { CatalogueProduct } from './types';

/**
 * Product names by SKU, loaded once per page load from the catalogue, so tables and alerts show "name (code)"
 * instead of bare codes a category manager would have to look up. Until they arrive (or where the catalogue cannot
 * be read) the code alone is shown.
 */
const names = $state<{ bySku: Record<string, string> }>({ bySku: {} });
let requested = false;

function load() {
  if (requested) return;
  requested = true;
  api<{ products: CatalogueProduct[] }>('/v1/products?limit=5000')
    .then((answer) => (names.bySku = Object.fromEntries(answer.products.map((p) => [p.sku, p.name]))))
    .catch(() => (requested = false));
}

/** The product's name with its code, e.g. "蒙牛纯牛奶 250ml (P4026)"; the code alone when the catalogue has no name for it. */
export function productLabel(sku: string): string {
  if (sku === UNRECOGNISED) return t('photo.unknown');
  load();
  const name = names.bySku[sku];
  return name ? `${name} (${sku})` : sku;
}

/** A brand as shown in legends and share-of-shelf lists: the packs no one recognised in the page's language. */
export const brandLabel = (brand: string): string => (brand === UNRECOGNISED ? t('photo.unknown') : brand);
