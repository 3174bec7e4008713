import {
  catalogueVersion,
  deleteReference,
  productExists,
  recognitionCatalogueRows,
  referencesOf,
  saveReference,
  type ReferenceRow,
} from '../analytics/catalogue.ts';
import { photoById } from '../analytics/photos.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import type { ProductReference } from '../contracts/records.ts';
import type { Bbox } from '../contracts/shelf-analysis.ts';
import type { RecognitionCatalogue } from '../vision/catalogue.ts';
import { packReferenceImage } from '../vision/reference-image.ts';
import { PhotoStore } from './photo-store.ts';

/** Why a reference image cannot be added or found; the route answers 404 (`missing`) or 400. */
export class CatalogueError extends Error {
  override name = 'CatalogueError';
  constructor(
    readonly kind: 'missing' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

export type ReferenceSource = { kind: 'upload'; bytes: Buffer } | { kind: 'photo'; photoId: string; bbox: Bbox };

/**
 * Reference images of the chain's products: pack shots uploaded by a category manager, or boxes taken from analysed
 * shelf photos. The image goes to the photo store under its content address, the row to the warehouse; recognition
 * reads both (analytics/catalogue.ts recognitionCatalogueRows).
 */
export class ProductCatalogue {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly photoFiles: PhotoStore,
  ) {}

  async addReference(sku: string, source: ReferenceSource, createdBy: string): Promise<ProductReference> {
    if (!(await productExists(this.warehouse, sku))) throw new CatalogueError('missing', `no product ${sku}: register it with POST /v1/products first`);
    let input = source.kind === 'upload' ? source.bytes : undefined;
    if (source.kind === 'photo') {
      const photo = await photoById(this.warehouse, source.photoId);
      input = photo ? await this.photoFiles.derivative(source.photoId) : undefined;
      if (!input) throw new CatalogueError('missing', `no photo ${source.photoId}`);
    }
    const image = await packReferenceImage(input!, source.kind === 'photo' ? source.bbox : undefined);
    const row: ReferenceRow = {
      sku,
      reference_id: PhotoStore.idOf(image.jpeg),
      source: source.kind,
      photo_id: source.kind === 'photo' ? source.photoId : '',
      bbox: source.kind === 'photo' ? [...source.bbox] : [],
      width: image.width,
      height: image.height,
      created_at: new Date().toISOString(),
      created_by: createdBy,
    };
    // The file first: a row never names an image that is not stored.
    await this.photoFiles.putImage(row.reference_id, image.jpeg);
    await saveReference(this.warehouse, row);
    return view(row);
  }

  async references(sku: string): Promise<ProductReference[]> {
    return (await referencesOf(this.warehouse, sku)).map(view);
  }

  async remove(sku: string, referenceId: string): Promise<void> {
    const reference = (await referencesOf(this.warehouse, sku)).find((r) => r.reference_id === referenceId);
    if (!reference) throw new CatalogueError('missing', `product ${sku} has no reference image ${referenceId}`);
    await deleteReference(this.warehouse, reference);
  }

  /**
   * What recognition needs of the catalogue, when it changed since `since` (a version this returned before): every
   * product with its words and the images of its live references. Undefined when nothing changed.
   */
  async recognitionCatalogue(since?: string): Promise<{ version: string; catalogue: RecognitionCatalogue } | undefined> {
    const version = await catalogueVersion(this.warehouse);
    if (version === since) return undefined;
    const { products, references } = await recognitionCatalogueRows(this.warehouse);
    const images = new Map<string, { id: string; image: Buffer }[]>();
    for (const reference of references) {
      const image = await this.photoFiles.derivative(reference.reference_id);
      // A row whose file is gone (a partial restore) is skipped rather than failing every photo.
      if (image) images.set(reference.sku, [...(images.get(reference.sku) ?? []), { id: reference.reference_id, image }]);
    }
    return {
      version,
      catalogue: {
        products: products.map((p) => ({
          sku: p.sku,
          brand: p.brand,
          name: p.name,
          aliases: p.aliases,
          own: !p.is_competitor,
          references: images.get(p.sku) ?? [],
        })),
      },
    };
  }

  /** The image of a live reference of the product, or undefined. */
  async image(sku: string, referenceId: string): Promise<Buffer | undefined> {
    const live = (await referencesOf(this.warehouse, sku)).some((r) => r.reference_id === referenceId);
    return live ? this.photoFiles.derivative(referenceId) : undefined;
  }
}

const view = (row: ReferenceRow): ProductReference => ({
  ...row,
  image_url: `/v1/products/${encodeURIComponent(row.sku)}/references/${row.reference_id}/image`,
});
