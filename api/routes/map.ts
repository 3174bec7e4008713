import { Type } from '@sinclair/typebox';
import { presentAlert } from '../../analytics/alerts-read.ts';
import { morningDigest } from '../../analytics/kpi/digest.ts';
import { mapView, UnknownProductFilter } from '../../analytics/kpi/map.ts';
import { MAX_PERIOD_DAYS, periodProblem } from '../../analytics/kpi/periods.ts';
import { skuTrend, storeList, storeOverview } from '../../analytics/kpi/stores.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { reaches, type Principal } from '../auth.ts';
import { badRequest, notFound } from '../errors.ts';
import { storeInScope } from '../scopes.ts';
import { alertLanguage } from './alerts.ts';
import {
  Day,
  DigestSchema,
  MapViewSchema,
  SkuTrendSchema,
  StoreKpisSchema,
  StoreListItemSchema,
  StoreListResponse,
  StoreOverviewSchema,
  TerritoryKpisSchema,
} from '../../contracts/dashboard.ts';
import { LanguageSchema } from '../../contracts/alerts.ts';
import { COMPARE_KINDS, MAP_METRICS, MAP_PERIODS, USER_ROLES } from '../../contracts/enums.ts';
import { FormatQuery, sendTable, tableFormat } from '../exports.ts';
import type { Api } from '../instance.ts';
import { oneOf } from '../../contracts/one-of.ts';

export interface MapRoutesDeps {
  warehouse: Warehouse;
  timezone: string;
  dormantAfterDays: number;
}

const StoreParams = Type.Object({ store_id: Type.String({ maxLength: 128 }) });
const LatLon = /^(-?\d+(?:\.\d+)?),\s*(-?\d+(?:\.\d+)?)$/;

const MapQuery = Type.Object({
  metric: Type.Optional(oneOf(MAP_METRICS, { default: 'sales_vs_ly' })),
  period: Type.Optional(
    oneOf(MAP_PERIODS, {
      description: 'week: the last complete ISO week (Monday–Sunday) up to the latest sales day; month: the last complete calendar month. Not with from/to',
    }),
  ),
  days: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_PERIOD_DAYS, description: 'Rolling days up to the latest sales day (default 28). Not with period or from/to' }),
  ),
  from: Type.Optional(Type.String({ format: 'date', description: `Custom period (at most ${MAX_PERIOD_DAYS} days); alone: 28 days from it` })),
  to: Type.Optional(Type.String({ format: 'date' })),
  compare: Type.Optional(
    oneOf(COMPARE_KINDS, {
      description:
        'The compare-to period of sales_compare / vs_compare. last_year (default): the same calendar month a year earlier for period=month, else 364 days back; ' +
        'previous_period: the month or week before, else the equal-length days just before; custom: compare_from/compare_to',
    }),
  ),
  compare_from: Type.Optional(Type.String({ format: 'date' })),
  compare_to: Type.Optional(Type.String({ format: 'date' })),
  category: Type.Optional(Type.String({ maxLength: 128, description: 'Only the sales, stock and open alerts of the own SKUs of this category' })),
  brand: Type.Optional(Type.String({ maxLength: 128, description: 'Only the sales, stock and open alerts of the own SKUs of this brand' })),
  format: Type.Optional(FormatQuery),
});

export async function mapRoutes(app: Api, deps: MapRoutesDeps): Promise<void> {
  app.get(
    '/v1/map',
    {
      schema: {
        summary: 'Per-store KPIs and per-territory aggregates for the heat map',
        description:
          'Default period: the 28 days up to the latest sales day (from alone: 28 days from it). Previous = the equal-length period just before; ' +
          'last year = the same period shifted 364 days back, so weekdays line up (52 weeks). sell_through = units / (units + latest on-hand). ' +
          'share_of_shelf = own facings / recognised facings in the photos analysed in the period’s days (each store’s local days; own per the product master), null when nothing was recognised; unknown_facings counts the packs not recognised, beside it. ' +
          'dormant = ordered before, no order in the last 90 days (configurable). Territories aggregate their stores. ' +
          'vs_compare = sales per open day (closed days left out) against the compare-to period; a category or brand filter applies to sales, units, stock and open alerts (share of shelf and orders stay whole). ' +
          'As a spreadsheet with ?format=csv|xlsx (or Accept): xlsx has a stores and a territories sheet, csv the stores.',
        tags: ['dashboard'],
        security: [{ bearer: [] }],
        querystring: MapQuery,
        response: { 200: MapViewSchema },
      },
      // The schema documents the answer; JSON.stringify writes it, twice as fast on a large chain: the schema's
      // serializer tries each nullable KPI's anyOf value by value, and mapView builds exactly the schema's fields.
      serializerCompiler: () => (data) => JSON.stringify(data),
      config: { roles: USER_ROLES },
    },
    async (request, reply) => {
      const {
        metric = 'sales_vs_ly',
        period,
        days,
        from,
        to,
        compare,
        compare_from: compareFrom,
        compare_to: compareTo,
        category,
        brand,
        format,
      } = request.query;
      const ask = { period, days, from, to, compare, compareFrom, compareTo };
      const problem = periodProblem(ask);
      if (problem) throw badRequest(problem);
      const principal = request.principal!;
      let view = await mapView(deps.warehouse, {
        metric,
        ...ask,
        category,
        brand,
        dormantAfterDays: deps.dormantAfterDays,
        storeIds: principal.storeIds,
      }).catch((failure: unknown) => {
        throw failure instanceof UnknownProductFilter ? badRequest(failure.message) : failure;
      });
      if (principal.territories.length > 0) {
        const stores = view.stores.filter((s) => reaches(principal, s));
        const territories = new Set(stores.map((s) => s.territory));
        view = { ...view, stores, territories: view.territories.filter((t) => territories.has(t.territory)) };
      }
      const wanted = tableFormat(request, format);
      if (wanted === 'json') return view;
      return sendTable(reply, wanted, `stores-${view.from}-${view.to}`, [
        { name: 'stores', schema: StoreKpisSchema, rows: view.stores },
        { name: 'territories', schema: TerritoryKpisSchema, rows: view.territories },
      ]);
    },
  );

  app.get(
    '/v1/stores',
    {
      schema: {
        summary: 'Stores the caller may see; with near=lat,lon nearest first (also as a spreadsheet: ?format=csv|xlsx)',
        tags: ['dashboard'],
        security: [{ bearer: [] }],
        querystring: Type.Object({
          near: Type.Optional(Type.String({ maxLength: 64, description: 'lat,lon, e.g. 31.23,121.47' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
          format: Type.Optional(FormatQuery),
        }),
        response: { 200: StoreListResponse },
      },
      config: { roles: USER_ROLES },
    },
    async (request, reply) => {
      const { near, limit, format } = request.query;
      let point: { lat: number; lon: number } | undefined;
      if (near !== undefined) {
        const m = LatLon.exec(near.trim());
        const lat = Number(m?.[1]);
        const lon = Number(m?.[2]);
        if (!m || Math.abs(lat) > 90 || Math.abs(lon) > 180) throw badRequest(`near=${near} is not lat,lon in degrees (e.g. 31.23,121.47)`);
        point = { lat, lon };
      }
      const principal = request.principal!;
      const stores = await storeList(deps.warehouse, { near: point, limit, storeIds: principal.storeIds, territories: principal.territories });
      const wanted = tableFormat(request, format);
      if (wanted === 'json') return { stores };
      return sendTable(reply, wanted, 'stores', [{ name: 'stores', schema: StoreListItemSchema, rows: stores }]);
    },
  );

  const reachableStore = async (principal: Principal, storeId: string) => {
    const store = await storeInScope(deps.warehouse, principal, storeId);
    if (!store) throw notFound(`no store ${storeId}`);
    return store;
  };

  app.get(
    '/v1/digest',
    {
      schema: {
        summary: 'The morning digest: the last 7 days against last year, stores and territories up and down, feed outages, the alerts to act on first',
        tags: ['dashboard'],
        security: [{ bearer: [] }],
        querystring: Type.Object({ lang: Type.Optional(LanguageSchema) }),
        response: { 200: DigestSchema },
      },
      config: { roles: USER_ROLES },
    },
    async (request) => {
      const principal = request.principal!;
      return morningDigest(deps.warehouse, {
        storeIds: principal.storeIds,
        territories: principal.territories,
        dormantAfterDays: deps.dormantAfterDays,
        lang: alertLanguage(request, request.query.lang),
      });
    },
  );

  app.get(
    '/v1/stores/:store_id/overview',
    {
      schema: {
        summary: 'The store page: KPIs, sales by category, open alerts, photos, share-of-shelf trend, competitor prices',
        description: 'Period as for /v1/map (default: the 28 days up to the latest sales day).',
        tags: ['dashboard'],
        security: [{ bearer: [] }],
        params: StoreParams,
        querystring: Type.Object({
          from: Type.Optional(Day),
          to: Type.Optional(Day),
          lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { description: 'Language of the alerts; default both' })),
        }),
        response: { 200: StoreOverviewSchema },
      },
      config: { roles: USER_ROLES },
    },
    async (request) => {
      const { from, to, lang } = request.query;
      if (from && to && from > to) throw badRequest(`from ${from} is after to ${to}`);
      const store = await reachableStore(request.principal!, request.params.store_id);
      const overview = await storeOverview(deps.warehouse, store, {
        from,
        to,
        timezone: store.timezone || deps.timezone,
        dormantAfterDays: deps.dormantAfterDays,
      });
      const language = alertLanguage(request, lang);
      return { ...overview, open_alerts: overview.open_alerts.map((a) => presentAlert(a, language)) };
    },
  );

  app.get(
    '/v1/stores/:store_id/skus/:sku/trend',
    {
      schema: {
        summary: 'Daily units, revenue and stock of one SKU at one store, with the same weekdays last year',
        tags: ['dashboard'],
        security: [{ bearer: [] }],
        params: Type.Object({ store_id: Type.String({ maxLength: 128 }), sku: Type.String({ maxLength: 128 }) }),
        querystring: Type.Object({
          days: Type.Optional(Type.Integer({ minimum: 1, maximum: 731, default: 90 })),
          to: Type.Optional({ ...Day, description: 'Last day (default: the latest sales day)' }),
        }),
        response: { 200: SkuTrendSchema },
      },
      config: { roles: USER_ROLES },
    },
    async (request) => {
      const store = await reachableStore(request.principal!, request.params.store_id);
      const { days = 90, to } = request.query;
      return skuTrend(deps.warehouse, { storeId: request.params.store_id, sku: request.params.sku, days, to, timezone: store.timezone || deps.timezone });
    },
  );
}
