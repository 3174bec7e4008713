import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { catalogueProducts } from '../../analytics/catalogue.ts';
import { photoById } from '../../analytics/photos.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { USER_ROLES, type UserRole } from '../../contracts/enums.ts';
import { ProductReference } from '../../contracts/records.ts';
import { CatalogueProductSchema } from '../../contracts/teaching.ts';
import { CatalogueError, type ProductCatalogue, type ReferenceSource } from '../../pipelines/product-catalogue.ts';
import { UnreadableImageError } from '../../vision/image.ts';
import { BoxOutsideImageError } from '../../vision/reference-image.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { storeInScope } from '../scopes.ts';
import { readUploads } from '../uploads.ts';
import type { Api } from '../instance.ts';

export interface ProductRoutesDeps {
  warehouse: Warehouse;
  catalogue: ProductCatalogue;
}

/** Who curates what recognition knows of the chain's products. */
const CATALOGUE_ROLES: readonly UserRole[] = ['admin', 'category_manager'];

const SkuParams = Type.Object({ sku: Type.String({ minLength: 1, maxLength: 128 }) });
const ReferenceParams = Type.Object({ sku: Type.String({ minLength: 1, maxLength: 128 }), reference_id: Type.String({ pattern: '^[0-9a-f]{64}$' }) });
const FromPhoto = Type.Object(
  {
    photo_id: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'An analysed shelf photo' }),
    bbox: Type.Tuple([Type.Integer(), Type.Integer(), Type.Integer(), Type.Integer()], {
      description: '[x, y, w, h] of the pack on that photo (as its analysis gives boxes)',
    }),
  },
  { additionalProperties: false },
);

/** What a person does about a reference image that cannot be added: the catalogue's and the image's refusals as 4xx. */
export const catalogueError = (err: unknown) => {
  if (err instanceof CatalogueError) return err.kind === 'missing' ? notFound(err.message) : badRequest(err.message);
  if (err instanceof BoxOutsideImageError) return badRequest(err.message);
  if (err instanceof UnreadableImageError) return new ApiError(422, `photo_${err.reason}`, err.message);
  return err;
};

/** The product catalogue as recognition uses it: products with their pack words, and reference images of their packs. */
export async function productRoutes(app: Api, deps: ProductRoutesDeps): Promise<void> {
  app.get(
    '/v1/products',
    {
      schema: {
        summary: 'Products of the catalogue, own first, with their aliases and how many reference images recognition has',
        tags: ['catalogue'],
        security: [{ bearer: [] }],
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 128, description: 'Part of the SKU, name, brand or an alias' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })),
        }),
        response: { 200: Type.Object({ products: Type.Array(CatalogueProductSchema) }) },
      },
      config: { roles: USER_ROLES },
    },
    async (request) => ({ products: await catalogueProducts(deps.warehouse, request.query.q?.trim() ?? '', request.query.limit ?? 500) }),
  );

  app.get(
    '/v1/products/:sku/references',
    {
      schema: {
        summary: "A product's reference images (pack fronts that shelf photos are matched against)",
        tags: ['catalogue'],
        security: [{ bearer: [] }],
        params: SkuParams,
        response: { 200: Type.Object({ references: Type.Array(ProductReference) }) },
      },
      config: { roles: USER_ROLES },
    },
    async (request) => ({ references: await deps.catalogue.references(request.params.sku) }),
  );

  app.post(
    '/v1/products/:sku/references',
    {
      schema: {
        summary: 'Add reference images of a product: pack shots (multipart files) or a box on an analysed shelf photo (JSON)',
        description:
          'Multipart: one or more image files of the pack, front face (JPEG, PNG, WebP). JSON: {"photo_id", "bbox": [x, y, w, h]} takes the box from a stored ' +
          'shelf photo (the boxes of its analysis). Each image is kept upright, cropped, at most 512 px. Shelf photos analysed from then on are matched against it.',
        tags: ['catalogue'],
        security: [{ bearer: [] }],
        params: SkuParams,
        response: { 201: Type.Object({ references: Type.Array(ProductReference) }) },
      },
      config: { roles: CATALOGUE_ROLES },
    },
    async (request, reply) => {
      const { sku } = request.params;
      const sources: ReferenceSource[] = [];
      if (request.isMultipart()) {
        const { uploads } = await readUploads(request, 'pack images');
        if (uploads.length === 0) throw badRequest('attach at least one image of the pack');
        sources.push(...uploads.map((u) => ({ kind: 'upload' as const, bytes: u.bytes })));
      } else {
        const body = request.body;
        if (!Value.Check(FromPhoto, body)) throw badRequest('send pack images as multipart/form-data, or JSON {"photo_id": "…", "bbox": [x, y, w, h]}');
        const photo = await photoById(deps.warehouse, body.photo_id);
        if (!photo || !(await storeInScope(deps.warehouse, request.principal!, photo.store_id))) throw notFound(`no photo ${body.photo_id}`);
        sources.push({ kind: 'photo', photoId: body.photo_id, bbox: body.bbox });
      }
      try {
        const references = [];
        for (const source of sources) references.push(await deps.catalogue.addReference(sku, source, request.principal!.name));
        return reply.code(201).send({ references });
      } catch (err) {
        throw catalogueError(err);
      }
    },
  );

  app.delete(
    '/v1/products/:sku/references/:reference_id',
    {
      schema: { summary: 'Stop matching shelf photos against this reference image', tags: ['catalogue'], security: [{ bearer: [] }], params: ReferenceParams },
      config: { roles: CATALOGUE_ROLES },
    },
    async (request, reply) => {
      try {
        await deps.catalogue.remove(request.params.sku, request.params.reference_id);
      } catch (err) {
        throw catalogueError(err);
      }
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/products/:sku/references/:reference_id/image',
    {
      schema: { summary: 'A reference image (JPEG)', tags: ['catalogue'], security: [{ bearer: [] }], params: ReferenceParams },
      config: { roles: USER_ROLES },
    },
    async (request, reply) => {
      const image = await deps.catalogue.image(request.params.sku, request.params.reference_id);
      if (!image) throw notFound(`product ${request.params.sku} has no reference image ${request.params.reference_id}`);
      return reply.type('image/jpeg').header('cache-control', 'private, max-age=86400, immutable').send(image);
    },
  );
}
