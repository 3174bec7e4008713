import { Type } from '@sinclair/typebox';
import { latestSalesDay } from '../../analytics/kpi/map.ts';
import { orderHistory } from '../../analytics/kpi/order-history.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { Day } from '../../contracts/dashboard.ts';
import { USER_ROLES } from '../../contracts/enums.ts';
import { OrderHistorySchema } from '../../contracts/order-history.ts';
import { notFound } from '../errors.ts';
import type { Api } from '../instance.ts';
import { storeInScope } from '../scopes.ts';

/** A customer's order history: the evidence of a dormant-customer alert, and the store page's order rhythm. */
export async function orderHistoryRoutes(app: Api, deps: { warehouse: Warehouse }): Promise<void> {
  app.get(
    '/v1/stores/:store_id/orders',
    {
      schema: {
        summary: "A store's orders per week, its last order day and its usual interval between orders",
        description: 'The evidence of a dormant_customer alert (ask with `to` = the alert’s as_of). Default: the 26 weeks up to the latest sales day.',
        tags: ['dashboard'],
        security: [{ bearer: [] }],
        params: Type.Object({ store_id: Type.String({ maxLength: 128 }) }),
        querystring: Type.Object({ to: Type.Optional(Day), weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 104, default: 26 })) }),
        response: { 200: OrderHistorySchema },
      },
      config: { roles: USER_ROLES },
    },
    async (request) => {
      const store = await storeInScope(deps.warehouse, request.principal!, request.params.store_id);
      if (!store) throw notFound(`no store ${request.params.store_id}`);
      const to = request.query.to ?? (await latestSalesDay(deps.warehouse));
      return orderHistory(deps.warehouse, store.store_id, to, request.query.weeks ?? 26);
    },
  );
}
