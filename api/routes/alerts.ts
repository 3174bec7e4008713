import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { preferredLanguage, presentAlert } from '../../analytics/alerts-read.ts';
import { alertById, listAlerts } from '../../analytics/alerts/alert-rows.ts';
import { alertQuality, saveFeedback } from '../../analytics/alerts/quality.ts';
import type { RuleThresholds } from '../../analytics/rules/thresholds.ts';
import { WorkflowError, type WorkflowAction } from '../../analytics/alerts/workflow.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import type { AlertBus } from '../../pipelines/alert-bus.ts';
import type { AlertService } from '../../pipelines/alert-service.ts';
import { reaches } from '../auth.ts';
import { ApiError, forbidden, notFound } from '../errors.ts';
import { USER_ROLES, type UserRole } from '../../contracts/enums.ts';
import {
  AlertFeedbackRecordSchema,
  AlertFeedbackSchema,
  AlertQualitySchema,
  AlertStatusSchema,
  AlertTypeSchema,
  AlertViewSchema,
  type Alert,
  type AlertView,
} from '../../contracts/alerts.ts';
import type { AlertType, Language } from '../../contracts/enums.ts';
import { FormatQuery, sendTable, tableFormat } from '../exports.ts';
import { AlertTrailSchema, WorkflowKpiSchema } from '../../contracts/workflow.ts';
import { listUsers } from '../../analytics/access.ts';
import { dueAt, isOverdue } from '../../analytics/alerts/deadlines.ts';
import { assignees } from '../../analytics/alerts/routing.ts';
import { alertTrail, workflowKpis } from '../../analytics/alerts/trail.ts';
import type { Clock } from '../../pipelines/clock.ts';
import type { Api } from '../instance.ts';

export interface AlertRoutesDeps {
  warehouse: Warehouse;
  alertService: AlertService;
  bus: AlertBus;
  /** Now, for deadlines and the steps' times. */
  clock: Clock;
  /** Hours to due per alert type. */
  dueHours: Readonly<Record<AlertType, number>>;
  /** The rules' thresholds in force: what the quality page's suggestions start from. */
  thresholds: RuleThresholds;
}

const Lang = Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { description: 'Language of message/suggestion; default both' }));

/** The language a reader asked for: ?lang=, else Accept-Language; neither → both, Chinese first. */
export function alertLanguage(request: FastifyRequest, lang?: string): Language | undefined {
  return preferredLanguage(lang, request.headers['accept-language']);
}

const READ_ROLES: readonly UserRole[] = USER_ROLES;
const WORKFLOW_ROLES: readonly UserRole[] = ['admin', 'category_manager', 'store_manager', 'sales_director'];
/** Acknowledge, resolve, reopen: also the reps (merchandisers), on the alerts assigned to them. */
const STEP_ROLES: readonly UserRole[] = [...WORKFLOW_ROLES, 'merchandiser'];
const EVALUATE_ROLES: readonly UserRole[] = ['admin', 'category_manager'];

const ListQuery = Type.Object({
  type: Type.Optional(AlertTypeSchema),
  status: Type.Optional(AlertStatusSchema),
  store_id: Type.Optional(Type.String({ maxLength: 128 })),
  territory: Type.Optional(Type.String({ maxLength: 512 })),
  category: Type.Optional(Type.String({ maxLength: 512 })),
  sku: Type.Optional(Type.String({ maxLength: 128 })),
  mine: Type.Optional(Type.Boolean({ description: "My alerts: only those assigned to the signed-in user (or the token's name)" })),
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
      const { lang, limit = 100, offset = 0, mine, format, ...filters } = request.query;
      const principal = request.principal!;
      const wanted = tableFormat(request, format);
      const page = wanted === 'json' ? { limit, offset } : { limit: EXPORT_ROWS, offset: 0 };
      const { alerts, total } = await listAlerts(deps.warehouse, {
        ...filters,
        assigned_to: mine ? principal.name : undefined,
        stores: principal.storeIds,
        territories: principal.territories,
        ...page,
      });
      const language = alertLanguage(request, lang);
      const now = deps.clock.now();
      const answer = { alerts: alerts.map((a) => withDeadline(presentAlert(a, language), deps.dueHours, now)), total };
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
    async (request) =>
      withDeadline(presentAlert(await loadInScope(request, request.params.id), alertLanguage(request, request.query.lang)), deps.dueHours, deps.clock.now()),
  );

  const transition =
    (kind: WorkflowAction['kind']) =>
    async (request: FastifyRequest<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LangQuery>; Body: { assignee?: string } | undefined }>) => {
      const alert = await loadInScope(request, request.params.id);
      const principal = request.principal!;
      if (principal.role === 'store_manager' && kind === 'assign') throw forbidden('a store manager cannot reassign alerts');
      if (principal.role === 'merchandiser' && !assignees(alert.assignee).includes(principal.name))
        throw forbidden(`alert ${alert.id} is not assigned to ${principal.name}: a merchandiser acts on the alerts assigned to them`);
      const action: WorkflowAction = kind === 'assign' ? { kind, assignee: await knownAssignees(deps.warehouse, request.body?.assignee ?? '') } : { kind };
      const now = deps.clock.now();
      const changed = await deps.alertService.recordWorkflowStep(alert, action, now.toISOString(), request.principal!.name).catch((err: unknown) => {
        throw err instanceof WorkflowError ? new ApiError(409, 'conflict', err.message) : err;
      });
      return withDeadline(presentAlert(changed, alertLanguage(request, request.query.lang)), deps.dueHours, now);
    };

  const SUMMARIES = { ack: 'Acknowledge an alert', resolve: 'Resolve an alert', reopen: 'Reopen a resolved alert (undoes a resolve)' };
  for (const action of ['ack', 'resolve', 'reopen'] as const) {
    app.post(
      `/v1/alerts/:id/${action}`,
      {
        schema: {
          summary: SUMMARIES[action],
          tags: ['alerts'],
          security: [{ bearer: [] }],
          params: IdParams,
          querystring: LangQuery,
          response: { 200: AlertViewSchema },
        },
        config: { roles: STEP_ROLES },
      },
      transition(action),
    );
  }

  app.post(
    '/v1/alerts/:id/assign',
    {
      schema: {
        summary: 'Assign an alert to users (user names, comma-separated; GET /v1/assignees lists them)',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        params: IdParams,
        querystring: LangQuery,
        body: Type.Object({ assignee: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 200: AlertViewSchema },
      },
      config: { roles: WORKFLOW_ROLES },
    },
    transition('assign'),
  );

  app.get(
    '/v1/alerts/:id/trail',
    {
      schema: {
        summary: 'One alert with its deadline and its audit trail (who assigned, acknowledged, resolved, reopened, commented, and the escalations)',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        params: IdParams,
        querystring: LangQuery,
        response: { 200: AlertTrailSchema },
      },
      config: { roles: READ_ROLES },
    },
    async (request) => {
      const alert = await loadInScope(request, request.params.id);
      const now = deps.clock.now();
      const trail = await alertTrail(deps.warehouse, alert.id);
      const level = Math.max(0, ...trail.filter((a) => a.action === 'escalate').map((a) => a.level));
      return {
        alert: withDeadline(presentAlert(alert, alertLanguage(request, request.query.lang)), deps.dueHours, now),
        deadline: { due_at: dueAt(alert, deps.dueHours).toISOString(), overdue: isOverdue(alert, deps.dueHours, now), escalation_level: level },
        trail,
      };
    },
  );

  app.post(
    '/v1/alerts/:id/comment',
    {
      schema: {
        summary: 'Comment on an alert (kept in its trail)',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        params: IdParams,
        body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
      },
      config: { roles: READ_ROLES },
    },
    async (request, reply) => {
      const alert = await loadInScope(request, request.params.id);
      await deps.alertService.comment(alert, request.body.note, request.principal!.name, deps.clock.now().toISOString());
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/alert-kpis',
    {
      schema: {
        summary: 'Time to acknowledge and to resolve per territory, over the alerts opened in the period (default the last 28 days)',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date' })), to: Type.Optional(Type.String({ format: 'date' })) }),
        response: { 200: Type.Object({ from: Type.String(), to: Type.String(), territories: Type.Array(WorkflowKpiSchema) }) },
      },
      config: { roles: READ_ROLES },
    },
    async (request) => {
      const now = deps.clock.now();
      const to = request.query.to ?? now.toISOString().slice(0, 10);
      const from = request.query.from ?? new Date(Date.parse(to) - 27 * 86_400_000).toISOString().slice(0, 10);
      if (from > to) throw new ApiError(400, 'bad_period', `from ${from} is after to ${to}`);
      const principal = request.principal!;
      const territories = await workflowKpis(deps.warehouse, {
        from,
        // The end day is included: alerts opened before the next midnight (UTC).
        to: new Date(Date.parse(to) + 86_400_000).toISOString(),
        now,
        hours: deps.dueHours,
        stores: principal.storeIds,
        territories: principal.territories,
      });
      return { from, to, territories };
    },
  );

  app.post(
    '/v1/alerts/:id/feedback',
    {
      schema: {
        summary: 'Say whether an alert was right: confirmed or a false alarm, with a reason (the latest word counts)',
        description: 'By the people it reaches: managers, and a merchandiser on the alerts assigned to them. Kept in the audit trail as a comment too.',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        params: IdParams,
        body: AlertFeedbackSchema,
        response: { 200: AlertFeedbackRecordSchema },
      },
      config: { roles: STEP_ROLES },
    },
    async (request) => {
      const alert = await loadInScope(request, request.params.id);
      const principal = request.principal!;
      if (principal.role === 'merchandiser' && !assignees(alert.assignee).includes(principal.name))
        throw forbidden(`alert ${alert.id} is not assigned to ${principal.name}: a merchandiser gives feedback on the alerts assigned to them`);
      const record = await saveFeedback(deps.warehouse, alert.id, request.body, principal.name);
      await deps.alertService.comment(alert, `${record.verdict}${record.reason ? `: ${record.reason}` : ''}`, principal.name);
      return record;
    },
  );

  app.get(
    '/v1/alert-quality',
    {
      schema: {
        summary: 'How the alerts did, by type, territory and category: precision from feedback, time to resolve, sales recovered after the action',
        description:
          'Alerts raised in the period (default: the 90 days up to today) in the reader’s scope. Recovered sales (CNY) of a SKU alert a ' +
          'person resolved, once 14 days have passed: units sold in the 7 / 14 days after the resolve, less what the 14 days before predict, scaled by ' +
          'how the same SKU moved in the matched stores (same territory and format, never alerted on it), × regular price.',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date' })), to: Type.Optional(Type.String({ format: 'date' })) }),
        response: { 200: AlertQualitySchema },
      },
      config: { roles: WORKFLOW_ROLES },
    },
    async (request) => {
      const { from, to } = request.query;
      if (from && to && from > to) throw new ApiError(400, 'bad_period', `from ${from} is after to ${to}`);
      const principal = request.principal!;
      return alertQuality(deps.warehouse, {
        from,
        to,
        today: deps.clock.now().toISOString().slice(0, 10),
        scope: { stores: principal.storeIds, territories: principal.territories },
        thresholds: deps.thresholds,
      });
    },
  );
}

/** The view with its due time and whether it is overdue now. */
function withDeadline(view: AlertView, hours: Readonly<Record<AlertType, number>>, now: Date): AlertView {
  return { ...view, due_at: dueAt(view, hours).toISOString(), overdue: isOverdue(view, hours, now) };
}

/** The user names of an assignment, each an enabled user: alerts go to people, not to free text. */
async function knownAssignees(warehouse: Warehouse, assignee: string): Promise<string> {
  const names = assignees(assignee);
  const users = new Map((await listUsers(warehouse, 100_000)).map((u) => [u.username, u]));
  const unknown = names.filter((n) => !users.get(n) || users.get(n)!.disabled);
  if (names.length === 0 || unknown.length > 0)
    throw new ApiError(400, 'unknown_assignee', `no enabled user ${unknown.join(', ') || '(none named)'}: assign to user names from GET /v1/assignees`);
  return names.join(',');
}
