import { FormatRegistry, Type, type Static, type TSchema } from '@sinclair/typebox';
import { ShelfAnalysis } from './shelf-analysis.ts';
import { isTimeZone } from '../lib/days.ts';

// ISO-8601 with an explicit offset: a POS timestamp without one cannot be placed on the store's calendar.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
FormatRegistry.Set('date-time', (value) => ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
FormatRegistry.Set('date', (value) => ISO_DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)));
FormatRegistry.Set('time-zone', (value) => value === '' || isTimeZone(value));

const Id = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });
const Text = (description: string) => Type.String({ maxLength: 512, description });
const Money = (description: string) => Type.Number({ minimum: 0, maximum: 1e9, description });
const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 with offset, e.g. 2026-11-20T09:30:00+08:00' });
const Day = (description: string) => Type.String({ format: 'date', description });

export const StoreRecord = Type.Object(
  {
    store_id: Id('Store code'),
    name: Text('Store name'),
    territory: Text('Sales territory the store belongs to'),
    region: Text('Region (promotions can target a region)'),
    city: Text('City'),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    format: Type.Optional(Text('Store format, e.g. hypermarket, convenience')),
    manager: Type.Optional(Text('Store manager')),
    timezone: Type.Optional(
      Type.String({
        format: 'time-zone',
        maxLength: 64,
        description:
          'IANA time zone of the store, e.g. Asia/Urumqi; empty or absent = the platform zone. Sales and orders stored from then on fall on its calendar days',
      }),
    ),
  },
  { title: 'StoreRecord', additionalProperties: false },
);

export const ProductRecord = Type.Object(
  {
    sku: Id('SKU code'),
    name: Text('Product name'),
    brand: Text('Brand'),
    category: Text('Category'),
    regular_price: Money('Regular shelf price'),
    is_competitor: Type.Boolean({ description: 'true for a competitor product' }),
    matches_sku: Type.Optional(Type.String({ maxLength: 128, description: 'For a competitor product: the own SKU it competes with' })),
    aliases: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        maxItems: 32,
        description:
          'Words printed on the pack that name it (Chinese, pinyin, Latin), e.g. ["伊利", "yili", "纯牛奶"]: shelf photos read them to recognise the pack',
      }),
    ),
  },
  { title: 'ProductRecord', additionalProperties: false },
);

export const AssortmentRecord = Type.Object(
  { store_id: Id('Store code'), sku: Id('SKU ranged in the store') },
  { title: 'AssortmentRecord', additionalProperties: false },
);

export const PromotionRecord = Type.Object(
  {
    promo_id: Id('Promotion code'),
    sku: Id('SKU on promotion'),
    start_date: Day('First day (store calendar)'),
    end_date: Day('Last day, inclusive'),
    promo_price: Money('Promotion price'),
    region: Type.Optional(Type.String({ maxLength: 512, description: 'Region the promotion runs in' })),
    store_id: Type.Optional(Type.String({ maxLength: 128, description: 'Store the promotion runs in (wins over a region promotion)' })),
  },
  { title: 'PromotionRecord', additionalProperties: false },
);

/** A store's sales target for one calendar month: what attainment and the store ranking measure against. */
export const SalesTargetRecord = Type.Object(
  {
    store_id: Id('Store code'),
    month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'Calendar month, YYYY-MM (store calendar)' }),
    sales_target: Money('Sales target for the month, CNY'),
  },
  { title: 'SalesTargetRecord', additionalProperties: false },
);

/** A closed day of the chain's calendar: a store's, a region's, or (neither given) the whole chain's. */
export const ClosureRecord = Type.Object(
  {
    date: Day('The closed day (store calendar)'),
    reason: Text('Why, e.g. 春节, refit, typhoon'),
    store_id: Type.Optional(Type.String({ maxLength: 128, description: 'The store closed; empty with region empty = the whole chain' })),
    region: Type.Optional(Type.String({ maxLength: 512, description: 'The region closed (every store in it)' })),
  },
  { title: 'ClosureRecord', additionalProperties: false },
);

export const ScanRecord = Type.Object(
  {
    event_id: Id('Unique id of this POS line; re-sending it never counts twice'),
    store_id: Id('Store code'),
    sku: Id('SKU code'),
    ts: Timestamp,
    qty: Type.Number({ minimum: -1e6, maximum: 1e6, description: 'Units (negative for a return)' }),
    unit_price: Money('Price paid per unit'),
  },
  { title: 'ScanRecord', additionalProperties: false },
);

export const OrderRecord = Type.Object(
  {
    event_id: Id('Unique id of this order line'),
    order_id: Id('Order number'),
    store_id: Id('Store (customer) code'),
    sku: Id('SKU code'),
    ts: Timestamp,
    qty: Type.Number({ minimum: 0, maximum: 1e7 }),
    unit_price: Money('Price per unit on the order'),
  },
  { title: 'OrderRecord', additionalProperties: false },
);

export const InventoryRecord = Type.Object(
  {
    event_id: Id('Unique id of this stock count'),
    store_id: Id('Store code'),
    sku: Id('SKU code'),
    ts: Timestamp,
    on_hand: Type.Number({ minimum: -1e7, maximum: 1e7, description: 'Units on hand' }),
  },
  { title: 'InventoryRecord', additionalProperties: false },
);

export const CompetitorPriceRecord = Type.Object(
  {
    event_id: Id('Unique id of this observation'),
    store_id: Id('Store where the price was seen'),
    sku: Id('The competitor product'),
    ts: Timestamp,
    price: Money('Observed shelf price'),
    source: Type.Union([Type.Literal('photo'), Type.Literal('manual'), Type.Literal('feed')]),
  },
  { title: 'CompetitorPriceRecord', additionalProperties: false },
);

/** The expected layout of one store bay; photos uploaded with the bay's name are checked against it. */
export const PlanogramRecord = Type.Object(
  {
    store_id: Id('Store code'),
    bay: Id('Bay code within the store, as merchandisers name it when they upload its photo (e.g. "A3", "饮料-2")'),
    shelf_rows: Type.Array(Type.Array(Id('SKU code'), { maxItems: 200 }), {
      minItems: 1,
      maxItems: 20,
      description: 'The SKUs of each shelf row, top row first, left to right, one entry per facing (JSON or NDJSON bodies: rows are nested)',
    }),
  },
  { title: 'PlanogramRecord', additionalProperties: false },
);

/** A stored shelf photo waiting for the vision worker (topic `photos`); its bytes are in the photo store. */
export const PhotoRecord = Type.Object(
  {
    photo_id: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the original, its key in the photo store' }),
    store_id: Id('Store where the photo was taken'),
    visit_id: Type.String({ maxLength: 128, description: 'Store visit the photo belongs to, or empty' }),
    bay: Type.Optional(Type.String({ maxLength: 128, description: 'Bay the photo shows (its planogram, if one is stored, is checked)' })),
    taken_at: Timestamp,
    lat: Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()]),
    lon: Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()]),
  },
  { title: 'PhotoRecord', additionalProperties: false },
);

/**
 * A photo as POST /v1/photos and GET /v1/photos/:id answer it: the upload's own fields (its bay '' when it named
 * none), where to fetch the image, and the shelf analysis.
 */
export const PhotoAnalysis = Type.Composite(
  [
    Type.Omit(PhotoRecord, ['bay']),
    Type.Object({
      bay: Type.String({ description: "Bay the photo shows, '' when the upload named none" }),
      image_url: Type.String({ description: 'The photo upright and without metadata (JPEG)' }),
    }),
    ShelfAnalysis,
  ],
  { title: 'PhotoAnalysis' },
);

/** A reference image of a product: its pack's front face, which shelf photos are matched against. */
export const ProductReference = Type.Object(
  {
    reference_id: Type.String({ description: 'SHA-256 of the stored reference image' }),
    sku: Type.String(),
    source: Type.Union([Type.Literal('upload'), Type.Literal('photo')], { description: 'A pack shot uploaded, or a box taken from an analysed shelf photo' }),
    photo_id: Type.String({ description: "The shelf photo the box was taken from; '' for an upload" }),
    bbox: Type.Array(Type.Integer(), { description: '[x, y, width, height] of the box on that photo; [] for an upload' }),
    width: Type.Integer(),
    height: Type.Integer(),
    image_url: Type.String(),
    created_at: Type.String(),
    created_by: Type.String(),
  },
  { title: 'ProductReference' },
);

export type StoreRecord = Static<typeof StoreRecord>;
export type ProductRecord = Static<typeof ProductRecord>;
export type AssortmentRecord = Static<typeof AssortmentRecord>;
export type PromotionRecord = Static<typeof PromotionRecord>;
export type SalesTargetRecord = Static<typeof SalesTargetRecord>;
export type ClosureRecord = Static<typeof ClosureRecord>;
export type PlanogramRecord = Static<typeof PlanogramRecord>;
export type ScanRecord = Static<typeof ScanRecord>;
export type OrderRecord = Static<typeof OrderRecord>;
export type InventoryRecord = Static<typeof InventoryRecord>;
export type CompetitorPriceRecord = Static<typeof CompetitorPriceRecord>;
export type PhotoRecord = Static<typeof PhotoRecord>;
export type PhotoAnalysis = Static<typeof PhotoAnalysis>;
export type ProductReference = Static<typeof ProductReference>;

/** Master data: upserted by key straight into the warehouse, so it is readable the moment the request returns. */
export const MASTER_DATA = {
  stores: { schema: StoreRecord, table: 'stores', key: ['store_id'] },
  products: { schema: ProductRecord, table: 'products', key: ['sku'] },
  assortment: { schema: AssortmentRecord, table: 'assortment', key: ['store_id', 'sku'] },
  promotions: { schema: PromotionRecord, table: 'promotions', key: ['promo_id'] },
  planograms: { schema: PlanogramRecord, table: 'planograms', key: ['store_id', 'bay'] },
  targets: { schema: SalesTargetRecord, table: 'sales_targets', key: ['store_id', 'month'] },
  closures: { schema: ClosureRecord, table: 'closures', key: ['date', 'region', 'store_id'] },
} as const satisfies Record<string, { schema: TSchema; table: string; key: readonly string[] }>;
export type MasterDataKind = keyof typeof MASTER_DATA;

/** The answer of the master-data and event routes (202), once the accepted rows are durable. */
export const IngestResult = Type.Object(
  {
    accepted: Type.Integer({ description: 'Rows stored (durable before this answer)' }),
    duplicates: Type.Integer({ description: 'Rows whose event_id was already received' }),
    rejected: Type.Array(Type.Object({ line: Type.Integer({ description: '1-based line/element of the body' }), error: Type.String() })),
    ignored_fields: Type.Array(Type.String(), {
      description: 'Fields (columns) of the body the record does not have: ignored, not a reason to reject the row; [] when none',
    }),
  },
  { title: 'IngestResult' },
);
export type IngestResult = Static<typeof IngestResult>;
