import { Type } from '@sinclair/typebox';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { registry } from '../../pipelines/metrics.ts';
import type { Authority } from '../auth.ts';
import { USER_ROLES } from '../../contracts/enums.ts';
import type { Api } from '../instance.ts';
import { oneOf } from '../../contracts/one-of.ts';

export interface OperationsDeps {
  warehouse: Warehouse;
  auth: Authority;
  sinkLag: () => number;
}

export async function operationsRoutes(app: Api, deps: OperationsDeps): Promise<void> {
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness', tags: ['operations'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } }, config: { public: true } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: the warehouse answers; sink_lag = event rows accepted but not yet in the warehouse (on Kafka estimated from the rows per message)',
        tags: ['operations'],
        response: {
          200: Type.Object({ status: Type.String(), warehouse: Type.Boolean(), sink_lag: Type.Integer() }),
          503: Type.Object({ status: Type.String(), warehouse: Type.Boolean(), sink_lag: Type.Integer() }),
        },
      },
      config: { public: true },
    },
    async (_request, reply) => {
      const warehouse = await deps.warehouse.ping().catch(() => false);
      return reply.code(warehouse ? 200 : 503).send({ status: warehouse ? 'ready' : 'not_ready', warehouse, sink_lag: deps.sinkLag() });
    },
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['operations'], security: [{ bearer: [] }] }, config: { roles: ['admin'] } },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );

  const TokenGrant = Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 200, description: 'Who or what holds the token' }),
      role: oneOf(USER_ROLES),
      store_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 10_000, description: 'Stores in scope; empty = all' })),
      territories: Type.Optional(
        Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000, description: 'Territories in scope; empty = all' }),
      ),
    },
    { additionalProperties: false },
  );

  app.post(
    '/v1/tokens',
    {
      schema: {
        summary: 'Issue an API token (shown once; stored hashed)',
        tags: ['access'],
        security: [{ bearer: [] }],
        body: TokenGrant,
        response: { 201: Type.Object({ token: Type.String(), name: Type.String(), role: Type.String() }) },
      },
      config: { roles: ['admin'] },
    },
    async (request, reply) => {
      const { name, role, store_ids = [], territories = [] } = request.body;
      const token = await deps.auth.issue({ name, role, storeIds: store_ids, territories });
      return reply.code(201).send({ token, name, role });
    },
  );
}
