import type { Warehouse } from './warehouse.ts';

/**
 * The product catalogue as recognition sees it: the product master with the words printed on each pack, and the
 * reference images of pack fronts (rows here; the image files are in the photo store).
 */

/** A reference image row: the image itself is in the photo store under `reference_id`. */
export interface ReferenceRow {
  sku: string;
  reference_id: string;
  source: 'upload' | 'photo';
  photo_id: string;
  bbox: number[];
  width: number;
  height: number;
  created_at: string;
  created_by: string;
}

const COLUMNS = `sku, reference_id, source, photo_id, bbox, width, height,
  formatDateTime(created_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS created_at, created_by`;

const REFERENCES_OF_SKU = `
  SELECT ${COLUMNS} FROM product_references FINAL
  WHERE sku = {sku:String} AND NOT deleted ORDER BY created_at, reference_id`;

const LIVE_REFERENCES = `SELECT ${COLUMNS} FROM product_references FINAL WHERE NOT deleted ORDER BY sku, created_at, reference_id`;

/** What recognition reads of the product master: every product with the words on its pack. */
const RECOGNITION_PRODUCTS = `SELECT sku, name, brand, aliases, is_competitor FROM products FINAL ORDER BY sku`;

/** Changes whenever a product or a reference image is written: the vision side reloads its catalogue then. */
const CATALOGUE_VERSION = `
  SELECT toString(greatest(
    (SELECT max(updated_at) FROM products),
    (SELECT max(updated_at) FROM product_references)
  )) || '/' || toString((SELECT count() FROM products) + (SELECT count() FROM product_references)) AS version`;

const CATALOGUE_PRODUCTS = `
  SELECT p.sku AS sku, p.name AS name, p.brand AS brand, p.category AS category, p.is_competitor AS is_competitor, p.aliases AS aliases,
    ifNull(r.n, 0) AS reference_images
  FROM (SELECT sku, name, brand, category, is_competitor, aliases FROM products FINAL) AS p
  LEFT JOIN (SELECT sku, count() AS n FROM product_references FINAL WHERE NOT deleted GROUP BY sku) AS r ON r.sku = p.sku
  WHERE empty({q:String}) OR positionCaseInsensitiveUTF8(concat(p.sku, ' ', p.name, ' ', p.brand, ' ', arrayStringConcat(p.aliases, ' ')), {q:String}) > 0
  ORDER BY p.is_competitor, p.brand, p.sku
  LIMIT {limit:UInt32}
  SETTINGS join_use_nulls = 1`;

const PRODUCT_EXISTS = `SELECT count() AS n FROM products FINAL WHERE sku = {sku:String}`;

export interface CatalogueProduct {
  sku: string;
  name: string;
  brand: string;
  category: string;
  is_competitor: boolean;
  aliases: string[];
  reference_images: number;
}

/** Products for a person picking one (teaching, reference images): matching `q` in the SKU, name, brand or aliases. */
export async function catalogueProducts(warehouse: Warehouse, q: string, limit: number): Promise<CatalogueProduct[]> {
  const rows = await warehouse.query<CatalogueProduct>(CATALOGUE_PRODUCTS, { q, limit });
  return rows.map((r) => ({ ...r, is_competitor: Boolean(r.is_competitor), reference_images: Number(r.reference_images) }));
}

export async function productExists(warehouse: Warehouse, sku: string): Promise<boolean> {
  const [row] = await warehouse.query<{ n: string }>(PRODUCT_EXISTS, { sku });
  return Number(row?.n ?? 0) > 0;
}

export interface RecognitionProductRow {
  sku: string;
  name: string;
  brand: string;
  aliases: string[];
  is_competitor: boolean;
}

export async function saveReference(warehouse: Warehouse, reference: ReferenceRow): Promise<void> {
  await warehouse.insert('product_references', [{ ...reference, deleted: false, updated_at: new Date().toISOString() }]);
}

export async function referencesOf(warehouse: Warehouse, sku: string): Promise<ReferenceRow[]> {
  return warehouse.query<ReferenceRow>(REFERENCES_OF_SKU, { sku });
}

/** Removes a reference image from recognition (the row is kept as deleted: the file may be another reference's too). */
export async function deleteReference(warehouse: Warehouse, reference: ReferenceRow): Promise<void> {
  await warehouse.insert('product_references', [{ ...reference, deleted: true, updated_at: new Date().toISOString() }]);
}

export async function recognitionCatalogueRows(warehouse: Warehouse): Promise<{ products: RecognitionProductRow[]; references: ReferenceRow[] }> {
  const [products, references] = await Promise.all([
    warehouse.query<RecognitionProductRow>(RECOGNITION_PRODUCTS),
    warehouse.query<ReferenceRow>(LIVE_REFERENCES),
  ]);
  return { products: products.map((p) => ({ ...p, is_competitor: Boolean(p.is_competitor) })), references };
}

export async function catalogueVersion(warehouse: Warehouse): Promise<string> {
  const [row] = await warehouse.query<{ version: string }>(CATALOGUE_VERSION);
  return row?.version ?? '';
}
