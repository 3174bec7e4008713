import { Type } from '@sinclair/typebox';
import { planogramsOfStore } from '../../analytics/visits.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { USER_ROLES, type UserRole } from '../../contracts/enums.ts';
import { CloseVisit, StartVisit, StoreBays, Visit, VisitList, VisitNote, VisitNoteInput } from '../../contracts/visits.ts';
import { VisitRefusal, type VisitService } from '../../pipelines/visits.ts';
import type { Principal } from '../auth.ts';
import { ApiError, forbidden, notFound } from '../errors.ts';
import type { Api } from '../instance.ts';
import { storeInScope } from '../scopes.ts';

export interface VisitRoutesDeps {
  warehouse: Warehouse;
  visits: VisitService;
}

/** Those who photograph shelves start, note and close their own visits (the photo upload's roles); everyone reads them in scope. */
const VISIT_ROLES: readonly UserRole[] = ['admin', 'merchandiser', 'store_manager'];

const REFUSAL_STATUS: Record<VisitRefusal['reason'], number> = { conflict: 409, bad_note: 400, unknown_product: 422 };
const refusal = (err: unknown) => (err instanceof VisitRefusal ? new ApiError(REFUSAL_STATUS[err.reason], `visit_${err.reason}`, err.message) : err);

const VisitParams = Type.Object({ visit_id: Type.String({ maxLength: 128 }) });
const tags = ['visits'];
const security = [{ bearer: [] }];

export async function visitRoutes(app: Api, deps: VisitRoutesDeps): Promise<void> {
  const reachableStore = async (principal: Principal, storeId: string) => {
    const store = await storeInScope(deps.warehouse, principal, storeId);
    if (!store) throw notFound(`no store ${storeId}`);
    return store;
  };
  /** A visit of a store in the caller's scope (404 alike for one that does not exist and one out of scope). */
  const reachableVisit = async (principal: Principal, visitId: string) => {
    const visit = await deps.visits.find(visitId);
    if (!visit || !(await storeInScope(deps.warehouse, principal, visit.store_id))) throw notFound(`no visit ${visitId}`);
    return visit;
  };
  /** The caller's own visit (admins act on anyone's). */
  const ownVisit = async (principal: Principal, visitId: string, action: string) => {
    const visit = await reachableVisit(principal, visitId);
    if (principal.role !== 'admin' && visit.started_by !== principal.name) throw forbidden(`visit ${visitId} is ${visit.started_by}'s; only they ${action}`);
    return visit;
  };

  app.post(
    '/v1/visits',
    {
      schema: {
        summary: 'Start a store visit',
        description:
          "Records who starts it, when, and where: the phone's position and its distance to the store's coordinates (haversine). " +
          'Send the id made on the phone (visit_id): a visit started offline is sent when the phone is back online, and the same id again answers 200 with the visit already started. ' +
          "Photos uploaded with the visit's id (POST /v1/photos, field visit_id, and the bay) are the visit's bays and photos.",
        tags,
        security,
        body: StartVisit,
        response: { 200: Visit, 201: Visit },
      },
      config: { roles: VISIT_ROLES },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const store = await reachableStore(principal, request.body.store_id);
      const { visit, created } = await deps.visits.start(store, principal.name, request.body).catch((err: unknown) => {
        throw refusal(err);
      });
      return reply.code(created ? 201 : 200).send(visit);
    },
  );

  app.get(
    '/v1/visits',
    {
      schema: {
        summary: "A store's last visits, newest first",
        description: 'With their bays, photos (status and bay of each) and hand notes.',
        tags,
        security,
        querystring: Type.Object({
          store_id: Type.String({ minLength: 1, maxLength: 128 }),
          started_by: Type.Optional(Type.String({ maxLength: 128, description: "Only this person's visits" })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
        }),
        response: { 200: VisitList },
      },
      config: { roles: USER_ROLES },
    },
    async (request) => {
      const { store_id: storeId, started_by: startedBy, limit = 20 } = request.query;
      await reachableStore(request.principal!, storeId);
      return { visits: await deps.visits.ofStore(storeId, { startedBy, limit }) };
    },
  );

  app.get(
    '/v1/visits/:visit_id',
    {
      schema: { summary: 'One visit, with its bays, photos and notes', tags, security, params: VisitParams, response: { 200: Visit } },
      config: { roles: USER_ROLES },
    },
    async (request) => deps.visits.view(await reachableVisit(request.principal!, request.params.visit_id)),
  );

  app.post(
    '/v1/visits/:visit_id/notes',
    {
      schema: {
        summary: "Note a competitor's price or an activity during a visit",
        description:
          'A competitor_price note (sku of the competitor product and its price) is also stored as a competitor-price event with source "manual", so it feeds the price-gap alerts. ' +
          'Send the id made on the phone (note_id): the same note sent again is stored once. Only who started the visit notes on it, while it is open.',
        tags,
        security,
        params: VisitParams,
        body: VisitNoteInput,
        response: { 201: VisitNote },
      },
      config: { roles: VISIT_ROLES },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const visit = await ownVisit(principal, request.params.visit_id, 'note on it');
      if (visit.closed_at) throw new ApiError(409, 'visit_closed', `visit ${visit.visit_id} was closed at ${visit.closed_at}; start a new visit`);
      const note = await deps.visits.note(visit, principal.name, request.body).catch((err: unknown) => {
        throw refusal(err);
      });
      return reply.code(201).send(note);
    },
  );

  app.post(
    '/v1/visits/:visit_id/close',
    {
      schema: {
        summary: 'Close a visit',
        description: 'Closing a closed visit again answers it as it is (its first close time stands).',
        tags,
        security,
        params: VisitParams,
        body: CloseVisit,
        response: { 200: Visit },
      },
      config: { roles: VISIT_ROLES },
      // The body is optional: none is an empty one.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const visit = await ownVisit(request.principal!, request.params.visit_id, 'close it');
      return deps.visits.close(visit, request.body.closed_at);
    },
  );

  app.get(
    '/v1/stores/:store_id/bays',
    {
      schema: {
        summary: "A store's bays that have a planogram",
        description: 'The capture page lists them for a visit; a photo uploaded with one of these bays is checked against its planogram.',
        tags,
        security,
        params: Type.Object({ store_id: Type.String({ maxLength: 128 }) }),
        response: { 200: StoreBays },
      },
      config: { roles: USER_ROLES },
    },
    async (request) => {
      const store = await reachableStore(request.principal!, request.params.store_id);
      return { bays: await planogramsOfStore(deps.warehouse, store.store_id) };
    },
  );
}
