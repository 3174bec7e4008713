import { Type, type Static } from '@sinclair/typebox';
import { ProductReference } from './records.ts';

const Bbox = Type.Tuple([Type.Integer(), Type.Integer(), Type.Integer(), Type.Integer()], {
  description: '[x, y, w, h] in the pixels of the photo image (/v1/photos/:id/image)',
});

export const UnknownPackSchema = Type.Object({
  photo_id: Type.String(),
  store_id: Type.String(),
  taken_at: Type.String(),
  bbox: Bbox,
  text: Type.String({ description: 'The words read off the pack; empty when none' }),
});

/** Packs nobody recognised on recent photos, grouped by look-alike: what a category manager names. */
export const UnknownPackGroupsSchema = Type.Object({
  groups: Type.Array(
    Type.Object({
      group_id: Type.String({ description: 'Stable for the same packs: the first pack of the group' }),
      text: Type.String({ description: 'The words read most often off the group’s packs; empty when none' }),
      packs: Type.Array(UnknownPackSchema),
    }),
    { description: 'Largest group first' },
  ),
});
export type UnknownPackGroups = Static<typeof UnknownPackGroupsSchema>;

/** Naming packs: their crops become reference images of the SKU and recent photos are recognised again. */
export const AssignPacksSchema = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 128 }),
    packs: Type.Array(Type.Object({ photo_id: Type.String({ pattern: '^[0-9a-f]{64}$' }), bbox: Bbox }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 200,
    }),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 14, description: 'Photos of this many days back are recognised again' })),
  },
  { additionalProperties: false },
);
export type AssignPacks = Static<typeof AssignPacksSchema>;

export const RecognitionJobViewSchema = Type.Object({
  job_id: Type.String(),
  sku: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('finished')]),
  total: Type.Integer({ description: 'Photos to recognise again' }),
  done: Type.Integer(),
  failed: Type.Array(Type.String(), { description: 'Photos that could not be recognised again (their original is gone)' }),
  created_at: Type.String(),
  finished_at: Type.Union([Type.String(), Type.Null()]),
});
export type RecognitionJobView = Static<typeof RecognitionJobViewSchema>;

/** A product as GET /v1/products lists it: what a person picks the SKU of unknown packs from. */
export const CatalogueProductSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  brand: Type.String(),
  category: Type.String(),
  is_competitor: Type.Boolean(),
  aliases: Type.Array(Type.String()),
  reference_images: Type.Integer(),
});
export type CatalogueProduct = Static<typeof CatalogueProductSchema>;

/** The 202 answer of POST /v1/unknown-packs/assign: the references made and the job recognising photos again. */
export const AssignedPacksSchema = Type.Object({ references: Type.Array(ProductReference), job: RecognitionJobViewSchema });
export type AssignedPacks = Static<typeof AssignedPacksSchema>;
