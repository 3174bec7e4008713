import { demoRecognitionCatalogue } from '../../synthetic/demo-catalogue.ts';
import { CATALOG } from '../../synthetic/demo-packs.ts';
import { demoRenderOptions } from '../../synthetic/demo-shelves.ts';
import { renderShelf } from '../../synthetic/render.ts';
import { analyzeShelfPhoto, loadVisionModels } from '../../vision/analyze.ts';
import type { RecognitionCatalogue } from '../../vision/catalogue.ts';
import type { TestServer } from './server.ts';

export type Box = [number, number, number, number];

export const iou = (a: Box, b: Box) => {
  const w = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  return (w * h) / (a[2] * a[3] + b[2] * b[3] - w * h);
};

const OWN = new Set(CATALOG.filter((p) => !p.is_competitor).map((p) => p.sku));
const OWN_BRANDS = new Set(CATALOG.filter((p) => !p.is_competitor).map((p) => p.brand));
export const isOwn = (sku: string) => OWN.has(sku);

/** Own facings over recognised facings of an analysis as analytics/shelf-share.ts counts them, "own" as the demo packs say. */
export function ownShare(detections: { sku: string; brand: string }[]): number {
  const recognised = detections.filter((d) => d.sku !== 'unknown' || d.brand !== 'unknown');
  return recognised.filter((d) => (d.sku === 'unknown' ? OWN_BRANDS.has(d.brand) : OWN.has(d.sku))).length / recognised.length;
}

/**
 * The catalogue as a chain has it before teaching these products: no reference image, no words, and a name in the
 * product master their packs do not print, as the server's will be.
 */
export const unregistered = (catalogue: RecognitionCatalogue, skus: ReadonlySet<string>): RecognitionCatalogue => ({
  products: catalogue.products.map((p) => (skus.has(p.sku) ? { ...p, name: '未登记包装', aliases: [], references: [] } : p)),
});

/** Facings per SKU of a bay's packs. */
export function facingsBySku(packs: readonly { sku: string }[]): Map<string, number> {
  const facings = new Map<string, number>();
  for (const p of packs) facings.set(p.sku, (facings.get(p.sku) ?? 0) + 1);
  return facings;
}

/** A held-out bay (a seed outside the detector's training range), photographed square on like the demo's. */
const SEED = 900_077;

export interface UntaughtBay {
  jpeg: Buffer;
  /** The own or competitor SKU the chain has not taught yet: no reference image, no words. */
  taught: string;
  /** Where its packs stand on the bay. */
  truthBoxes: Box[];
  /** The bay's own share of shelf before and after the chain taught it, from the same models the server runs. */
  shareBefore: number;
  shareAfter: number;
}

/**
 * The bay, and the product to teach: of its SKUs, most faced first, the first whose packs stay unknown without its
 * references and words (a look-alike sibling may otherwise take them) and whose packs move the share.
 */
export async function untaughtBay(): Promise<UntaughtBay> {
  const shelf = await renderShelf(SEED, demoRenderOptions('none'));
  const full = await demoRecognitionCatalogue();
  const models = await loadVisionModels({ catalogue: full });
  const shareAfter = ownShare((await analyzeShelfPhoto(shelf.jpeg, { models })).analysis.detections);
  for (const [sku] of [...facingsBySku(shelf.truth.products)].sort((a, b) => b[1] - a[1])) {
    await models.recognizer.setCatalogue(unregistered(full, new Set([sku])));
    const { detections } = (await analyzeShelfPhoto(shelf.jpeg, { models })).analysis;
    const boxes = shelf.truth.products.filter((p) => p.sku === sku).map((p) => p.bbox as Box);
    const unknownThere = detections.filter((d) => d.sku === 'unknown' && boxes.some((b) => iou(d.bbox, b) > 0.5)).length;
    if (unknownThere >= 2 && Math.abs(ownShare(detections) - shareAfter) > 0.02) {
      return { jpeg: shelf.jpeg, taught: sku, truthBoxes: boxes, shareBefore: ownShare(detections), shareAfter };
    }
  }
  throw new Error('no SKU of the bay whose packs stay unknown without its references');
}

/**
 * The server's catalogue as a chain has it before teaching: the demo packs registered, but this product with a name
 * its pack does not print, no words and no pack shot.
 */
export async function registerAllBut(server: TestServer, sku: string): Promise<void> {
  await server.useDemoCatalogue();
  const get = (url: string) => server.app.inject({ method: 'GET', url, headers: server.admin() });
  const product = (await get(`/v1/products?q=${sku}`)).json().products[0];
  const { reference_images: _references, ...record } = product;
  const upsert = await server.app.inject({
    method: 'POST',
    url: '/v1/products',
    headers: server.admin(),
    payload: [{ ...record, name: '未登记包装', aliases: [], regular_price: 5 }],
  });
  if (upsert.json().rejected.length > 0) throw new Error(`product ${sku} refused: ${upsert.body}`);
  for (const r of (await get(`/v1/products/${sku}/references`)).json().references) {
    await server.app.inject({
      method: 'DELETE',
      url: `/v1/products/${sku}/references/${r.reference_id}`,
      headers: { authorization: server.admin().authorization! },
    });
  }
}
