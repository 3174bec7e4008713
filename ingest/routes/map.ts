import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { MAP_METRICS, mapView } from '../../analytics/kpi/map.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { USER_ROLES } from '../auth.ts';
import { badRequest } from '../errors.ts';

export interface MapRoutesDeps {
  warehouse: Warehouse;
  timezone: string;
  dormantAfterDays: number;
}

const Ratio = Type.Union([Type.Number(), Type.Null()], { description: '0.05 = +5%; null when there is no base' });
const Kpis = {
  sales: Type.Number({ description: 'Revenue in the period (CNY)' }),
  sales_prev: Type.Number({ description: 'Revenue in the previous period of equal length' }),
  sales_ly: Type.Number({ description: 'Revenue on the same weekdays a year earlier (364 days back)' }),
  vs_prev: Ratio,
  vs_ly: Ratio,
  sell_through: Type.Union([Type.Number(), Type.Null()], { description: 'units / (units + latest on-hand)' }),
  share_of_shelf: Type.Union([Type.Number(), Type.Null()]),
  open_alerts_total: Type.Integer(),
  value: Type.Union([Type.Number(), Type.Null()], { description: 'The chosen metric' }),
};
const MapResponse = Type.Object({
  metric: Type.String(),
  unit: Type.String(),
  from: Type.String(),
  to: Type.String(),
  previous: Type.Object({ from: Type.String(), to: Type.String() }),
  last_year: Type.Object({ from: Type.String(), to: Type.String() }),
  stores: Type.Array(
    Type.Object({
      store_id: Type.String(),
      name: Type.String(),
      city: Type.String(),
      territory: Type.String(),
      region: Type.String(),
      format: Type.String(),
      lat: Type.Number(),
      lon: Type.Number(),
      units: Type.Number(),
      open_alerts: Type.Record(Type.String(), Type.Integer()),
      dormant: Type.Boolean(),
      days_since_last_order: Type.Union([Type.Integer(), Type.Null()]),
      historical_margin: Type.Number(),
      ...Kpis,
    }),
  ),
  territories: Type.Array(
    Type.Object({ territory: Type.String(), region: Type.String(), stores: Type.Integer(), lat: Type.Number(), lon: Type.Number(), dormant_stores: Type.Integer(), ...Kpis }),
  ),
});

const MapQuery = Type.Object({
  metric: Type.Optional(Type.Union(MAP_METRICS.map((m) => Type.Literal(m)), { default: 'sales_vs_ly' })),
  from: Type.Optional(Type.String({ format: 'date' })),
  to: Type.Optional(Type.String({ format: 'date' })),
});

export async function mapRoutes(app: FastifyInstance, deps: MapRoutesDeps): Promise<void> {
  app.get<{ Querystring: Static<typeof MapQuery> }>(
    '/v1/map',
    {
      schema: {
        summary: 'Per-store KPIs and per-territory aggregates for the heat map',
        description: 'Default period: the 28 days up to the latest sales day. Previous = the equal-length period before; last year = 364 days earlier (same weekdays).',
        tags: ['dashboard'],
        security: [{ bearer: [] }],
        querystring: MapQuery,
        response: { 200: MapResponse },
      },
      config: { roles: USER_ROLES },
    },
    async (request) => {
      const { metric = 'sales_vs_ly', from, to } = request.query;
      if (from && to && from > to) throw badRequest(`from ${from} is after to ${to}`);
      const view = await mapView(deps.warehouse, { metric, from, to, timezone: deps.timezone, dormantAfterDays: deps.dormantAfterDays });
      const principal = request.principal!;
      if (principal.storeIds.length === 0 && principal.territories.length === 0) return view;
      const visible = (s: { store_id: string; territory: string }) =>
        (principal.storeIds.length === 0 || principal.storeIds.includes(s.store_id)) &&
        (principal.territories.length === 0 || principal.territories.includes(s.territory));
      const stores = view.stores.filter(visible);
      const territories = new Set(stores.map((s) => s.territory));
      return { ...view, stores, territories: view.territories.filter((t) => territories.has(t.territory)) };
    },
  );
}
