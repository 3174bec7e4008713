import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyError } from 'fastify';
import { checkCollection, TerritoryCollection } from '../../analytics/territory-outlines.ts';
import { saveTerritoryShapes, storeTerritories, territoryShapes } from '../../analytics/territories.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { badRequest, tooLarge } from '../errors.ts';
import { USER_ROLES } from '../../contracts/enums.ts';
import type { Api } from '../instance.ts';

export interface TerritoryRoutesDeps {
  warehouse: Warehouse;
}

/** Largest upload: a chain's territories simplified for a map fit well under it; a raw survey-grade export may not. */
export const MAX_TERRITORY_GEOJSON_BYTES = 10 * 1024 * 1024;

const StoredCollection = Type.Object(
  {
    type: Type.Literal('FeatureCollection'),
    features: Type.Array(
      Type.Object({
        type: Type.Literal('Feature'),
        properties: Type.Object({ territory: Type.String() }),
        geometry: Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) }),
      }),
    ),
    uploaded_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'null: no outlines uploaded' }),
    uploaded_by: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'TerritoryOutlines' },
);

const UploadAnswer = Type.Object({
  territories: Type.Integer({ description: 'Territories outlined (features with the same name are drawn as one)' }),
  matched: Type.Array(Type.String(), { description: 'Outlined territories that stores name' }),
  unmatched: Type.Array(Type.String(), { description: 'Outlined territories no store names (check the spelling against stores.territory)' }),
  without_outline: Type.Array(Type.String(), { description: 'Territories of stores with no outline' }),
  warnings: Type.Array(Type.String(), { description: 'Kept as uploaded, but worth fixing: outlines that cross themselves' }),
  uploaded_at: Type.String({ format: 'date-time' }),
});

/** The check's problems as one 400: the first few, each naming its feature and what to fix. */
function refusal(problems: readonly string[]) {
  const shown = 5;
  const more = problems.length > shown ? `; and ${problems.length - shown} more features with problems` : '';
  return badRequest(problems.slice(0, shown).join('; ') + more);
}

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
const EMPTY = '{"type":"FeatureCollection","features":[]}';

/** Territory outlines for the heat map: an admin uploads the chain's own GeoJSON, everyone who reads the map gets it. */
export async function territoryRoutes(app: Api, deps: TerritoryRoutesDeps): Promise<void> {
  // GIS tools save GeoJSON as application/geo+json (RFC 7946); it is JSON.
  app.addContentTypeParser('application/geo+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  app.get(
    '/v1/territories/geojson',
    {
      schema: {
        summary: 'The uploaded territory outlines (GeoJSON), for the heat map',
        description:
          'An empty FeatureCollection until an admin uploads outlines. A caller scoped to territories or stores gets only the outlines of its territories (or of its stores’ territories). Answers 304 to a matching If-None-Match.',
        tags: ['dashboard'],
        security,
        response: { 200: StoredCollection, 304: Type.Null() },
      },
      config: { roles: USER_ROLES },
    },
    async (request, reply) => {
      const stored = await territoryShapes(deps.warehouse);
      // A scoped reader sees the outlines of the territories it reaches: its own, narrowed to its stores' ones.
      const { storeIds, territories } = request.principal!;
      const scoped = storeIds.length > 0 || territories.length > 0;
      const ofStores = storeIds.length > 0 ? await storeTerritories(deps.warehouse, storeIds) : territories;
      const scope = territories.length > 0 ? ofStores.filter((t) => territories.includes(t)) : ofStores;
      const etag = `W/"${createHash('sha256')
        .update(`${stored?.uploaded_at ?? ''}|${scope.join('\n')}`)
        .digest('base64url')
        .slice(0, 22)}"`;
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      const collection = JSON.parse(stored?.geojson || EMPTY) as Pick<Static<typeof StoredCollection>, 'features'>;
      const features = scoped ? collection.features.filter((f) => scope.includes(f.properties.territory)) : collection.features;
      return { type: 'FeatureCollection' as const, features, uploaded_at: stored?.uploaded_at ?? null, uploaded_by: stored?.uploaded_by ?? null };
    },
  );

  app.put(
    '/v1/territories/geojson',
    {
      bodyLimit: MAX_TERRITORY_GEOJSON_BYTES,
      schema: {
        summary: 'Upload the chain’s territory outlines (GeoJSON FeatureCollection of Polygon / MultiPolygon), replacing the previous ones',
        description:
          'Body: application/json or application/geo+json, at most 10 MB and 5,000 features. Each feature names its territory in ' +
          '`properties.territory` (else `properties.name`, or the property given by ?property=), spelled as stores.territory. ' +
          'Positions are [longitude, latitude] in degrees; rings are closed with at least 4 positions; holes do not cross their outline. ' +
          'A bad feature gets a 400 that names it and the reason; outlines that cross themselves are kept and listed in `warnings`.',
        tags: ['dashboard'],
        security,
        querystring: Type.Object({
          property: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The feature property that names the territory' })),
        }),
        body: TerritoryCollection,
        response: { 200: UploadAnswer },
      },
      config: { roles: ['admin'] },
      // A lone Feature or a bare geometry is a common first try: say what to upload instead of "must have property features".
      preValidation: async (request) => {
        const type = (request.body as { type?: unknown } | null)?.type;
        if (typeof type === 'string' && type !== 'FeatureCollection') {
          throw badRequest(`the file is a GeoJSON ${type}; upload a FeatureCollection whose features are the territories (Polygon or MultiPolygon each)`);
        }
      },
      // The size limit in words an uploader can act on, instead of the generic "body is too large".
      errorHandler: (error: FastifyError) => {
        if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
          throw tooLarge(
            `territory outlines are limited to ${MAX_TERRITORY_GEOJSON_BYTES / 1024 / 1024} MB; simplify them (e.g. mapshaper -simplify 10%) and upload again`,
          );
        }
        throw error;
      },
    },
    async (request) => {
      const { outlines, problems, warnings } = checkCollection(request.body, request.query.property);
      if (problems.length > 0) throw refusal(problems);
      const territories = [...new Set(outlines.map((f) => f.territory))].sort();
      const geojson = JSON.stringify({
        type: 'FeatureCollection',
        features: outlines.map((f) => ({
          type: 'Feature',
          properties: { territory: f.territory },
          geometry: { type: f.geometry.type, coordinates: f.geometry.coordinates },
        })),
      });
      const uploadedAt = await saveTerritoryShapes(deps.warehouse, { geojson, territories, uploaded_by: request.principal!.name });
      const known = new Set(await storeTerritories(deps.warehouse));
      request.log.info(
        { territories: territories.length, bytes: geojson.length, warnings: warnings.length, by: request.principal!.name },
        'territory outlines uploaded',
      );
      return {
        territories: territories.length,
        matched: territories.filter((t) => known.has(t)),
        unmatched: territories.filter((t) => !known.has(t)),
        without_outline: [...known].filter((t) => !territories.includes(t)),
        warnings,
        uploaded_at: uploadedAt,
      };
    },
  );

  app.delete(
    '/v1/territories/geojson',
    {
      schema: {
        summary: 'Remove the uploaded territory outlines (the map falls back to the basemap alone)',
        tags: ['dashboard'],
        security,
        response: { 204: Type.Null() },
      },
      config: { roles: ['admin'] },
    },
    async (request, reply) => {
      await saveTerritoryShapes(deps.warehouse, { geojson: EMPTY, territories: [], uploaded_by: request.principal!.name });
      request.log.info({ by: request.principal!.name }, 'territory outlines removed');
      return reply.code(204).send(null);
    },
  );
}
