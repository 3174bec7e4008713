import { Type, type Static } from '@sinclair/typebox';
import { RECOGNIZED_BY } from './enums.ts';
import { oneOf } from './one-of.ts';

/**
 * The shelf analysis of one photo as one TypeBox schema: the TypeScript type the pipeline builds, the JSON kept in
 * photos.analysis and (with the upload's own fields, contracts/records.ts PhotoAnalysis) the photo routes' answer.
 */

const Bbox = Type.Tuple([Type.Integer(), Type.Integer(), Type.Integer(), Type.Integer()], { description: '[x, y, w, h] in pixels of the stored image' });
export type Bbox = Static<typeof Bbox>;

/** Why a photo should be taken again, in the merchandiser's language. */
export const RetakeReason = Type.Object({
  code: Type.Union([Type.Literal('blurred'), Type.Literal('too_dark'), Type.Literal('too_bright'), Type.Literal('too_small'), Type.Literal('tilted')]),
  message_zh: Type.String(),
  message_en: Type.String(),
});
export type RetakeReason = Static<typeof RetakeReason>;

export const ShelfAnalysis = Type.Object(
  {
    status: Type.Union([Type.Literal('analyzed'), Type.Literal('retake'), Type.Literal('pending')], {
      description: '`pending`: the quality gate passed and the vision worker has not analysed the photo yet (distributed shape)',
    }),
    retake: Type.Array(RetakeReason, { description: 'Why the photo should be taken again (status `retake`)' }),
    width: Type.Integer({ description: 'Width of the photo as uploaded' }),
    height: Type.Integer(),
    format: Type.String({ description: 'Image format as decoded, e.g. jpeg' }),
    quality: Type.Object({
      sharpness: Type.Number({ description: 'Variance of the Laplacian of the greyscale image: low = blurred' }),
      brightness: Type.Number({ description: 'Mean grey level, 0–255' }),
    }),
    detector: Type.Union([Type.String(), Type.Null()], {
      description: 'The detector model that ran; null when none is installed or the gate sent the photo back',
    }),
    image_width: Type.Integer({ description: 'Width of the stored (upright) image the boxes refer to' }),
    image_height: Type.Integer(),
    detections: Type.Array(
      Type.Object({
        bbox: Bbox,
        score: Type.Number(),
        sku: Type.String({ description: '`unknown` when neither the pack text nor its look names a catalogue product for sure' }),
        brand: Type.String({ description: 'Known from the pack text alone for some packs whose SKU is `unknown`' }),
        is_competitor: Type.Boolean(),
        row: Type.Integer({ description: 'Shelf row, 0 = top' }),
        confidence: Type.Number({ description: '0..1: how sure the SKU (or, for an unknown SKU, the brand) is; 0 for an unknown pack' }),
        recognized_by: oneOf(RECOGNIZED_BY, {
          description:
            'Which signal named the pack: its text read against brands, names and aliases, its look against reference images, both, or (`look_alike`: brand only) its look against packs of the same photo whose text named their brand',
        }),
        text: Type.String({ description: "The pack's text as read ('' when it was not read)" }),
      }),
    ),
    facings: Type.Array(Type.Object({ sku: Type.String(), brand: Type.String(), facings: Type.Integer(), linear_px: Type.Number() })),
    share_of_shelf: Type.Array(Type.Object({ brand: Type.String(), by_facings: Type.Number(), by_width: Type.Number() })),
    gaps: Type.Array(Type.Object({ row: Type.Integer(), bbox: Bbox }), { description: 'Empty facings' }),
    prices: Type.Array(
      Type.Object({
        text: Type.String({ description: 'The tag as read' }),
        price: Type.Number({ description: 'The selling price (not a price per litre or kilogram, not a member price)' }),
        member_price: Type.Optional(Type.Number({ description: 'The member (loyalty card) price printed beside it (会员价), where the tag has one' })),
        promo: Type.Boolean(),
        bbox: Bbox,
        sku: Type.Union([Type.String(), Type.Null()], { description: 'The pack above the tag; null when none is' }),
      }),
    ),
    planogram: Type.Union(
      [
        Type.Object({ score: Type.Number(), missing: Type.Array(Type.String()), misplaced: Type.Array(Type.String()), extra: Type.Array(Type.String()) }),
        Type.Null(),
      ],
      { description: "Compliance with the bay's stored planogram; null when the photo names no bay with one" },
    ),
    timings_ms: Type.Record(Type.String(), Type.Number()),
    warnings: Type.Array(Type.Object({ code: Type.Literal('price_reading_off'), message: Type.String() }), {
      description: 'What this analysis could not do with the installed detector (e.g. `price_reading_off`: it has no price_tag class)',
    }),
  },
  { title: 'ShelfAnalysis' },
);
export type ShelfAnalysis = Static<typeof ShelfAnalysis>;
