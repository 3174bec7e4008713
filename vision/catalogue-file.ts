import fs from 'node:fs';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { RecognitionCatalogue } from './catalogue.ts';

/**
 * A recognition catalogue kept as a JSON file beside its pack shots, for trying recognition on local photos
 * (`shelfpulse analyze --catalogue FILE`): reference images are paths relative to the file.
 */
export const CatalogueFile = Type.Object({
  products: Type.Array(
    Type.Object({
      sku: Type.String({ minLength: 1 }),
      brand: Type.String({ minLength: 1 }),
      name: Type.String(),
      aliases: Type.Optional(Type.Array(Type.String())),
      /** The chain's own product (default true); false for a competitor's. */
      own: Type.Optional(Type.Boolean()),
      /** JPEG or PNG files of the pack's front, relative to the catalogue file. */
      references: Type.Optional(Type.Array(Type.String())),
    }),
  ),
});
export type CatalogueFile = Static<typeof CatalogueFile>;

export class CatalogueFileError extends Error {
  override name = 'CatalogueFileError';
}

export function readCatalogueFile(file: string): RecognitionCatalogue {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CatalogueFileError(`cannot read the catalogue ${file}: ${(err as Error).message}`);
  }
  if (!Value.Check(CatalogueFile, json)) {
    const first = Value.Errors(CatalogueFile, json).First();
    throw new CatalogueFileError(
      `the catalogue ${file} is not {"products":[{"sku","brand","name","aliases"?,"own"?,"references"?}]}: ${first?.path || '/'} ${first?.message}`,
    );
  }
  const dir = path.dirname(file);
  return {
    products: json.products.map((p) => ({
      sku: p.sku,
      brand: p.brand,
      name: p.name,
      aliases: p.aliases ?? [],
      own: p.own ?? true,
      references: (p.references ?? []).map((ref) => {
        const image = path.resolve(dir, ref);
        if (!fs.existsSync(image)) throw new CatalogueFileError(`${p.sku}: reference image ${ref} is not there (looked for ${image})`);
        return { id: ref, image: fs.readFileSync(image) };
      }),
    })),
  };
}
