import { CATALOG } from './catalog.ts';
import type { RecognitionCatalogue } from './catalogue.ts';
import { renderPack } from './render.ts';

/**
 * The demo chain's packs as a recognition catalogue: one rendered front per SKU as its reference image and the
 * Latin label the renderer prints as its name (the demo's own data; it moves to synthetic/ with the renderer).
 */
export async function demoRecognitionCatalogue(): Promise<RecognitionCatalogue> {
  return {
    products: await Promise.all(
      CATALOG.map(async (sku) => ({
        sku: sku.sku,
        brand: sku.brand,
        name: sku.label,
        aliases: [],
        own: !sku.is_competitor,
        references: [{ id: `${sku.sku}-render`, image: await renderPack(sku) }],
      })),
    ),
  };
}
