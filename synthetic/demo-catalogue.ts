import { catalogueProducts } from '../analytics/catalogue.ts';
import { upsertMasterData } from '../analytics/master-data.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import type { ProductCatalogue } from '../pipelines/product-catalogue.ts';
import type { RecognitionCatalogue } from '../vision/catalogue.ts';
import { CATALOG, demoAliases } from './demo-packs.ts';
import { renderPack } from './render.ts';

/** The demo categories of the packs' category numbers (P<c>nnn), as the demo chain names them. */
const CATEGORY_NAMES = ['饮料', '乳品', '零食', '方便食品'];

/**
 * The demo chain's packs as a recognition catalogue given straight to the models (the synthetic eval and the vision
 * tests): one rendered front per SKU as its reference image and its printed label as its words.
 */
export async function demoRecognitionCatalogue(): Promise<RecognitionCatalogue> {
  return {
    products: await Promise.all(
      CATALOG.map(async (sku) => ({
        sku: sku.sku,
        brand: sku.brand,
        name: sku.label,
        aliases: demoAliases(sku),
        own: !sku.is_competitor,
        references: [{ id: `${sku.sku}-render`, image: await renderPack(sku) }],
      })),
    ),
  };
}

/**
 * The demo packs registered as a chain registers its own: products the product master lacks are added with their
 * words, and each pack's rendered front is uploaded as its reference image through the product catalogue (skipped
 * for products that have references already, so a second start adds nothing).
 */
export async function registerDemoCatalogue(warehouse: Warehouse, catalogue: ProductCatalogue): Promise<void> {
  // The product master's counts, not the reference images themselves: a second start reads no image.
  const registered = new Map((await catalogueProducts(warehouse, '', 1_000_000)).map((p) => [p.sku, p]));
  const missing = CATALOG.filter((sku) => !registered.has(sku.sku)).map((sku) => ({
    sku: sku.sku,
    name: sku.label,
    brand: sku.brand,
    category: CATEGORY_NAMES[Number(sku.sku[1]) - 1] ?? '其他',
    regular_price: sku.regular_price,
    is_competitor: sku.is_competitor,
    aliases: demoAliases(sku),
  }));
  if (missing.length > 0) await upsertMasterData(warehouse, 'products', missing);
  for (const sku of CATALOG) {
    if ((registered.get(sku.sku)?.reference_images ?? 0) > 0) continue;
    await catalogue.addReference(sku.sku, { kind: 'upload', bytes: await renderPack(sku) }, 'demo');
  }
}
