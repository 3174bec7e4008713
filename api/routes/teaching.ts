import { Type } from '@sinclair/typebox';
import { photoById } from '../../analytics/photos.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { USER_ROLES } from '../../contracts/enums.ts';
import { AssignedPacksSchema, AssignPacksSchema, RecognitionJobViewSchema, UnknownPackGroupsSchema } from '../../contracts/teaching.ts';
import type { Teaching } from '../../pipelines/teaching.ts';
import { badRequest, forbidden, notFound } from '../errors.ts';
import type { Api } from '../instance.ts';
import { mayNamePacks, NAMING_ROLES } from '../teaching-rights.ts';
import { storeInScope } from '../scopes.ts';
import { catalogueError } from './products.ts';

export interface TeachingRoutesDeps {
  warehouse: Warehouse;
  teaching: Teaching;
  /** Merchandisers may name packs too (SHELFPULSE_MERCHANDISERS_TEACH). */
  merchandisersTeach: boolean;
}

/** Teaching recognition: unknown packs grouped by look-alike, named by a person, recent photos recognised again. */
export async function teachingRoutes(app: Api, deps: TeachingRoutesDeps): Promise<void> {
  app.get(
    '/v1/unknown-packs',
    {
      schema: {
        summary: 'Packs nobody recognised on the recent photos of a store (or of every store in scope), grouped by look-alike',
        tags: ['catalogue'],
        security: [{ bearer: [] }],
        querystring: Type.Object({
          store_id: Type.Optional(Type.String({ maxLength: 128, description: 'Required for callers scoped to stores or territories' })),
          days: Type.Integer({ minimum: 1, maximum: 90, default: 14 }),
        }),
        response: { 200: UnknownPackGroupsSchema },
      },
      config: { roles: USER_ROLES },
    },
    async (request) => {
      const { store_id, days } = request.query;
      const principal = request.principal!;
      let storeIds: string[] = [];
      if (store_id !== undefined) {
        if (!(await storeInScope(deps.warehouse, principal, store_id))) throw notFound(`no store ${store_id}`);
        storeIds = [store_id];
      } else if (principal.storeIds.length > 0 || principal.territories.length > 0) {
        throw badRequest('name the store: store_id=…');
      }
      return deps.teaching.unknownGroups({ storeIds, days });
    },
  );

  app.post(
    '/v1/unknown-packs/assign',
    {
      schema: {
        summary: 'Name packs (a group or single boxes): up to three crops become reference images of the SKU and recent photos are recognised again',
        description:
          'Answers 202 at once; GET /v1/recognition-jobs/:job_id shows the progress. When the job is done the daily close runs again, so share of shelf and the vision alerts count the packs named.',
        tags: ['catalogue'],
        security: [{ bearer: [] }],
        body: AssignPacksSchema,
        response: { 202: AssignedPacksSchema },
      },
      config: { roles: NAMING_ROLES },
    },
    async (request, reply) => {
      const principal = request.principal!;
      if (!mayNamePacks(principal.role, deps.merchandisersTeach)) {
        throw forbidden('merchandisers may not name packs here; ask a category manager, or an admin to set SHELFPULSE_MERCHANDISERS_TEACH=true');
      }
      for (const photoId of new Set(request.body.packs.map((p) => p.photo_id))) {
        const photo = await photoById(deps.warehouse, photoId);
        if (!photo || !(await storeInScope(deps.warehouse, principal, photo.store_id))) throw notFound(`no photo ${photoId}`);
      }
      try {
        return reply.code(202).send(await deps.teaching.assign(request.body, principal.name));
      } catch (err) {
        throw catalogueError(err);
      }
    },
  );

  app.get(
    '/v1/recognition-jobs/:job_id',
    {
      schema: {
        summary: 'How far recognising recent photos again has come',
        tags: ['catalogue'],
        security: [{ bearer: [] }],
        params: Type.Object({ job_id: Type.String({ maxLength: 64 }) }),
        response: { 200: RecognitionJobViewSchema },
      },
      config: { roles: USER_ROLES },
    },
    async (request) => {
      const job = await deps.teaching.job(request.params.job_id);
      if (!job) throw notFound(`no recognition job ${request.params.job_id}`);
      return job;
    },
  );
}
