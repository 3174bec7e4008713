import { Type, type Static } from '@sinclair/typebox';
import { AlertViewSchema } from './alerts.ts';
import { COMPARE_KINDS, MAP_METRICS, PERIOD_KINDS } from './enums.ts';
import { oneOf } from './one-of.ts';

/** The dashboard's answers: the map, the store list, the store page and a SKU's trend. */

export const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
export const Period = Type.Object({ from: Day, to: Day }, { description: 'The period the figures cover (inclusive)' });

/** A store as the master data has it, and where it is. */
const StorePlace = {
  store_id: Type.String(),
  name: Type.String(),
  city: Type.String(),
  territory: Type.String(),
  lat: Type.Number(),
  lon: Type.Number(),
};

const StoreFields = { ...StorePlace, region: Type.String(), format: Type.String() };

export const Ratio = Type.Union([Type.Number(), Type.Null()], { description: '0.05 = +5%; null when there is no base' });

/** A shelf's packs by owner: the base of share of shelf, with the packs not recognised beside it. */
const SHELF_FACINGS = {
  own_facings: Type.Integer(),
  recognised_facings: Type.Integer(),
  unknown_facings: Type.Integer({ description: 'Packs in the photos of the period that were not recognised: not in share_of_shelf' }),
};

/** The KPIs a store and a territory share. */
const KPI_FIELDS = {
  sales: Type.Number({ description: 'Revenue in the period (CNY)' }),
  sales_prev: Type.Number({ description: 'Revenue in the previous period of equal length' }),
  sales_ly: Type.Number({ description: 'Revenue on the same weekdays a year earlier (364 days back)' }),
  vs_prev: Ratio,
  vs_ly: Ratio,
  sales_compare: Type.Number({ description: 'Revenue in the compare-to period (`compare`)' }),
  vs_compare: Type.Union([Type.Number(), Type.Null()], {
    description:
      'Sales per open day against the compare-to period (closed days left out, so months of unequal length compare fairly); null when there is no base',
  }),
  sell_through: Type.Union([Type.Number(), Type.Null()], { description: 'units / (units + latest on-hand)' }),
  share_of_shelf: Type.Union([Type.Number(), Type.Null()], {
    description: 'Own facings / recognised facings in the photos of the period (own per the product master); null when nothing was recognised',
  }),
  ...SHELF_FACINGS,
  open_alerts_total: Type.Integer(),
  value: Type.Union([Type.Number(), Type.Null()], { description: 'The chosen metric' }),
};

/** One schema for the map answer: it documents GET /v1/map and types the code that builds it. */
export const StoreKpisSchema = Type.Object({
  ...StoreFields,
  units: Type.Number(),
  open_alerts: Type.Record(Type.String(), Type.Integer()),
  dormant: Type.Boolean(),
  days_since_last_order: Type.Union([Type.Integer(), Type.Null()]),
  historical_margin: Type.Number(),
  ...KPI_FIELDS,
});

export const TerritoryKpisSchema = Type.Object({
  territory: Type.String(),
  region: Type.String(),
  stores: Type.Integer(),
  lat: Type.Number(),
  lon: Type.Number(),
  dormant_stores: Type.Integer(),
  ...KPI_FIELDS,
  daily_sales: Type.Array(Type.Number(), { description: 'Revenue of each day of the period, from `from` to `to` (a spark line)' }),
});

export const MapViewSchema = Type.Object({
  metric: oneOf(MAP_METRICS),
  unit: Type.Union([Type.Literal('ratio'), Type.Literal('count'), Type.Literal('CNY')]),
  from: Type.String(),
  to: Type.String(),
  previous: Type.Object({ from: Type.String(), to: Type.String() }),
  last_year: Type.Object({ from: Type.String(), to: Type.String() }),
  period: oneOf(PERIOD_KINDS, { description: 'How from/to were chosen: the default rolling days, the last complete ISO week or month, or custom' }),
  compare: Type.Object({ kind: oneOf(COMPARE_KINDS), from: Day, to: Day }, { description: 'The compare-to period of sales_compare and vs_compare' }),
  filter: Type.Object(
    { category: Type.String(), brand: Type.String() },
    { description: 'The product filter of the sales figures, sell-through and open alerts; empty = every product' },
  ),
  options: Type.Object(
    { categories: Type.Array(Type.String()), brands: Type.Array(Type.String()) },
    { description: 'The own products’ categories and brands a filter may name' },
  ),
  stores: Type.Array(StoreKpisSchema),
  territories: Type.Array(TerritoryKpisSchema),
});

export type StoreKpis = Static<typeof StoreKpisSchema>;
export type TerritoryKpis = Static<typeof TerritoryKpisSchema>;
export type MapView = Static<typeof MapViewSchema>;

export const StoreListItemSchema = Type.Object({
  ...StorePlace,
  distance_km: Type.Union([Type.Number(), Type.Null()], { description: 'Great-circle distance from `near`; null without it' }),
});
export type StoreListItem = Static<typeof StoreListItemSchema>;
export const StoreListResponse = Type.Object({ stores: Type.Array(StoreListItemSchema) });

/** A store's master record as its page shows it. */
export const StoreSchema = Type.Object({
  ...StoreFields,
  manager: Type.String(),
  timezone: Type.String({ description: 'IANA time zone of the store (its page counts days in it); empty = the platform zone' }),
});
export type Store = Static<typeof StoreSchema>;

export const StoreOverviewSchema = Type.Object({
  store: StoreSchema,
  from: Day,
  to: Day,
  kpis: Type.Object({
    sales: KPI_FIELDS.sales,
    sales_prev: KPI_FIELDS.sales_prev,
    sales_ly: KPI_FIELDS.sales_ly,
    vs_prev: Ratio,
    vs_ly: Ratio,
    units: Type.Number(),
    sell_through: KPI_FIELDS.sell_through,
    open_alerts_total: Type.Integer(),
    share_of_shelf: KPI_FIELDS.share_of_shelf,
    ...SHELF_FACINGS,
  }),
  sales_by_category: Type.Array(Type.Object({ date: Day, category: Type.String(), sales: Type.Number(), units: Type.Number() })),
  open_alerts: Type.Array(AlertViewSchema),
  photos: Type.Array(
    Type.Object({
      photo_id: Type.String(),
      taken_at: Type.String(),
      status: Type.String(),
      image_url: Type.String(),
      share_of_shelf: Type.Union([Type.Number(), Type.Null()], { description: 'Own facings / recognised facings; null when nothing was recognised' }),
      ...SHELF_FACINGS,
    }),
    { description: 'The 12 latest photos, newest first' },
  ),
  share_of_shelf_trend: Type.Array(
    Type.Object({
      date: Day,
      brand: Type.String(),
      share: Type.Number({ description: 'The brand’s facings over the recognised facings of the day’s photos, 0..1' }),
    }),
  ),
  competitor_prices: Type.Array(
    Type.Object({
      date: Day,
      sku: Type.String({ description: 'Own SKU' }),
      competitor_sku: Type.String(),
      own_price: Type.Number({ description: 'Own effective price that day (store promotion, else region promotion, else regular)' }),
      competitor_price: Type.Number(),
      gap: Type.Number({ description: '(own − competitor) / own' }),
    }),
  ),
});
export type StoreOverview = Static<typeof StoreOverviewSchema>;

export const SkuTrendSchema = Type.Object({
  store_id: Type.String(),
  sku: Type.String(),
  from: Day,
  to: Day,
  series: Type.Array(
    Type.Object({
      date: Day,
      units: Type.Number(),
      revenue: Type.Number(),
      on_hand: Type.Union([Type.Number(), Type.Null()], { description: 'Latest stock count up to that day; null before the first count' }),
    }),
  ),
  last_year: Type.Array(Type.Object({ date: Day, units: Type.Number() }), { description: 'The same weekdays 364 days earlier; [] without history' }),
});
export type SkuTrend = Static<typeof SkuTrendSchema>;

/** A store in the morning digest: where it stands against last year. */
const DigestStore = Type.Object({
  store_id: Type.String(),
  name: Type.String(),
  territory: Type.String(),
  sales: Type.Number(),
  vs_ly: Ratio,
  open_alerts_total: Type.Integer(),
});

/** The morning digest: the last days against last year, where problems are, and the alerts to act on first. */
export const DigestSchema = Type.Object({
  from: Day,
  to: Day,
  chain: Type.Object({ sales: Type.Number(), sales_ly: Type.Number(), vs_ly: Ratio }, { description: 'The reader’s stores together' }),
  territories: Type.Array(Type.Object({ territory: Type.String(), sales: Type.Number(), vs_ly: Ratio, open_alerts_total: Type.Integer() }), {
    description: 'Every territory in scope, the biggest fall against last year first',
  }),
  stores_down: Type.Array(DigestStore, { description: 'The biggest falls against last year (feed outages apart)' }),
  stores_up: Type.Array(DigestStore, { description: 'The biggest rises' }),
  feed_outages: Type.Array(DigestStore, { description: 'Stores whose till feed stopped: their fall is missing data' }),
  dormant_customers: Type.Integer({ description: 'Stores that ordered before and have not for the dormancy window' }),
  open_alerts: Type.Integer(),
  alerts: Type.Array(AlertViewSchema, { description: 'The open alerts to act on first: high severity first, then the newest' }),
});
export type Digest = Static<typeof DigestSchema>;
