import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { preferredLanguage, presentAlert } from '../../analytics/alerts-read.ts';
import { alertById, listAlerts } from '../../analytics/alerts/alert-rows.ts';
import { WorkflowError, type WorkflowAction } from '../../analytics/alerts/workflow.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import type { AlertBus } from '../../pipelines/alert-bus.ts';
import type { AlertService } from '../../pipelines/alert-service.ts';
import { reaches } from '../auth.ts';
import { ApiError, forbidden, notFound } from '../errors.ts';
import { USER_ROLES, type UserRole } from '../../contracts/enums.ts';
import { AlertStatusSchema, AlertTypeSchema, AlertViewSchema, type Alert } from '../../contracts/alerts.ts';
import type { Language } from '../../contracts/enums.ts';
import { FormatQuery, sendTable, tableFormat } from '../exports.ts';
import type { Api } from '../instance.ts';

export interface AlertRoutesDeps {
  warehouse: Warehouse;
  alertService: AlertService;
  bus: AlertBus;
}

const Lang = Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { description: 'Language of message/suggestion; default both' }));

/** The language a reader asked for: ?lang=, else Accept-Language; neither → both, Chinese first. */
export function alertLanguage(request: FastifyRequest, lang?: string): Language | undefined {
  return preferredLanguage(lang, request.headers['accept-language']);
}

const READ_ROLES: readonly UserRole[] = USER_ROLES;
const WORKFLOW_ROLES: readonly UserRole[] = ['admin', 'category_manager', 'store_manager', 'sales_director'];
const EVALUATE_ROLES: readonly UserRole[] = ['admin', 'category_manager'];

const ListQuery = Type.Object({
  type: Type.Optional(AlertTypeSchema),
  status: Type.Optional(AlertStatusSchema),
  store_id: Type.Optional(Type.String({ maxLength: 128 })),
  territory: Type.Optional(Type.String({ maxLength: 512 })),
  category: Type.Optional(Type.String({ maxLength: 512 })),
  sku: Type.Optional(Type.String({ maxLength: 128 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  lang: Lang,
  format: Type.Optional(FormatQuery),
});

/** An export is the whole filtered list, not a page of it, up to this many alerts. */
const EXPORT_ROWS = 50_000;

const IdParams = Type.Object({ id: Type.String({ maxLength: 512 }) });
const LangQuery = Type.Object({ lang: Lang });

export async function alertRoutes(app: Api, deps: AlertRoutesDeps): Promise<void> {
  app.post(
    '/v1/alerts/evaluate',
    {
      schema: {
        summary: 'Run the daily rules for the day that closes on as_of (store calendar)',
        description: 'Waits until every event accepted before the call is in the warehouse. Re-running a day changes nothing.',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        body: Type.Object({ as_of: Type.String({ format: 'date', description: 'YYYY-MM-DD' }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            as_of: Type.String(),
            opened: Type.Integer(),
            updated: Type.Integer(),
            resolved: Type.Integer(),
            by_type: Type.Record(
              Type.String(),
              Type.Object({ opened: Type.Integer(), updated: Type.Integer(), resolved: Type.Integer(), open: Type.Integer() }),
            ),
          }),
        },
      },
      config: { roles: EVALUATE_ROLES },
    },
    async (request) => (await deps.alertService.closeDay(request.body.as_of)).summary,
  );

  app.get(
    '/v1/alerts',
    {
      schema: {
        summary: 'Alerts, newest first',
        description:
          'As a spreadsheet with ?format=csv|xlsx, or Accept: text/csv or the xlsx type: every alert the filters match (up to 50,000), not one page.',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        querystring: ListQuery,
        response: { 200: Type.Object({ alerts: Type.Array(AlertViewSchema), total: Type.Integer() }) },
      },
      config: { roles: READ_ROLES },
    },
    async (request, reply) => {
      const { lang, limit = 100, offset = 0, format, ...filters } = request.query;
      const principal = request.principal!;
      const wanted = tableFormat(request, format);
      const page = wanted === 'json' ? { limit, offset } : { limit: EXPORT_ROWS, offset: 0 };
      const { alerts, total } = await listAlerts(deps.warehouse, { ...filters, stores: principal.storeIds, territories: principal.territories, ...page });
      const language = alertLanguage(request, lang);
      const answer = { alerts: alerts.map((a) => presentAlert(a, language)), total };
      if (wanted === 'json') return answer;
      return sendTable(reply, wanted, 'alerts', [{ name: 'alerts', schema: AlertViewSchema, rows: answer.alerts }]);
    },
  );

  // Live streams never finish by themselves: end them when the server shuts down, so it can drain.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });

  app.get(
    '/v1/alerts/stream',
    {
      schema: {
        summary: 'New and changed alerts, live (text/event-stream, event "alert")',
        description: 'Browsers cannot set headers on EventSource: this route also takes ?access_token=<token>.',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        querystring: Type.Object({ access_token: Type.Optional(Type.String({ maxLength: 256 })), lang: Lang }),
      },
      config: { roles: READ_ROLES, queryToken: true },
    },
    (request, reply) => {
      const principal = request.principal!;
      const language = alertLanguage(request, request.query.lang);
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      reply.raw.write(': connected\n\n');
      const stop = deps.bus.listen((alert) => {
        if (reaches(principal, alert)) reply.raw.write(`event: alert\nid: ${alert.id}\ndata: ${JSON.stringify(presentAlert(alert, language))}\n\n`);
      });
      // A comment every 15 s keeps proxies from closing an idle stream.
      const heartbeat = setInterval(() => reply.raw.write(': keep-alive\n\n'), 15_000);
      const end = () => {
        clearInterval(heartbeat);
        stop();
        streams.delete(end);
        reply.raw.end();
      };
      streams.add(end);
      request.raw.on('close', end);
    },
  );

  const loadInScope = async (request: FastifyRequest, id: string): Promise<Alert> => {
    const alert = await alertById(deps.warehouse, id);
    if (!alert || !reaches(request.principal!, alert)) throw notFound(`no alert ${id}`);
    return alert;
  };

  app.get(
    '/v1/alerts/:id',
    {
      schema: {
        summary: 'One alert',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        params: IdParams,
        querystring: LangQuery,
        response: { 200: AlertViewSchema },
      },
      config: { roles: READ_ROLES },
    },
    async (request) => presentAlert(await loadInScope(request, request.params.id), alertLanguage(request, request.query.lang)),
  );

  const transition =
    (kind: WorkflowAction['kind']) =>
    async (request: FastifyRequest<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LangQuery>; Body: { assignee?: string } | undefined }>) => {
      const alert = await loadInScope(request, request.params.id);
      if (request.principal!.role === 'store_manager' && kind === 'assign') throw forbidden('a store manager cannot reassign alerts');
      const action: WorkflowAction = kind === 'assign' ? { kind, assignee: request.body?.assignee ?? '' } : { kind };
      const changed = await deps.alertService.recordWorkflowStep(alert, action).catch((err: unknown) => {
        throw err instanceof WorkflowError ? new ApiError(409, 'conflict', err.message) : err;
      });
      return presentAlert(changed, alertLanguage(request, request.query.lang));
    };

  for (const action of ['ack', 'resolve'] as const) {
    app.post(
      `/v1/alerts/:id/${action}`,
      {
        schema: {
          summary: action === 'ack' ? 'Acknowledge an alert' : 'Resolve an alert',
          tags: ['alerts'],
          security: [{ bearer: [] }],
          params: IdParams,
          querystring: LangQuery,
          response: { 200: AlertViewSchema },
        },
        config: { roles: WORKFLOW_ROLES },
      },
      transition(action),
    );
  }

  app.post(
    '/v1/alerts/:id/assign',
    {
      schema: {
        summary: 'Assign an alert to a person or team',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        params: IdParams,
        querystring: LangQuery,
        body: Type.Object({ assignee: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: AlertViewSchema },
      },
      config: { roles: WORKFLOW_ROLES },
    },
    transition('assign'),
  );
}
