/**
 * What recognition knows of a chain's products, as plain data: the brand, name and words printed on each pack
 * (Chinese, pinyin, Latin) and reference images of its front face. Adding a product or a pack shot changes this
 * data, never a model. The product master and its stored reference images are turned into one of these.
 */
export interface ReferenceImage {
  id: string;
  /** JPEG or PNG of the pack's front face, cropped to the pack (a pack shot, or a box cut from a shelf photo). */
  image: Buffer;
}

export interface CatalogueProduct {
  sku: string;
  brand: string;
  name: string;
  /** Other words printed on the pack: a Latin or pinyin brand name, a sub-brand, a flavour ("Nongfu Spring", "纯牛奶"). */
  aliases: string[];
  /** The chain's own product; false for a competitor's. */
  own: boolean;
  references: ReferenceImage[];
}

export interface RecognitionCatalogue {
  products: CatalogueProduct[];
}

export const EMPTY_CATALOGUE: RecognitionCatalogue = { products: [] };
