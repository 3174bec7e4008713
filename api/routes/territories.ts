import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler';
import type { FastifyError } from 'fastify';
import selfIntersections from 'geojson-polygon-self-intersections';
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
const MAX_FEATURES = 5_000;
const NAME_PROPERTIES = ['territory', 'name'] as const;

const Lon = Type.Number({ minimum: -180, maximum: 180 });
const Lat = Type.Number({ minimum: -90, maximum: 90 });
const Position = Type.Union([Type.Tuple([Lon, Lat]), Type.Tuple([Lon, Lat, Type.Number()])], { description: '[longitude, latitude] in degrees (WGS 84), optionally an altitude' });
const Ring = Type.Array(Position, { minItems: 4, description: 'Closed: the last position repeats the first' });
const PolygonCoordinates = Type.Array(Ring, { minItems: 1, description: 'The outline, then any holes' });
const MultiPolygonCoordinates = Type.Array(PolygonCoordinates, { minItems: 1 });

/** One uploaded territory outline; the geometry's coordinates are checked by type after the envelope (clearer errors). */
const TerritoryFeature = Type.Object({
  type: Type.Literal('Feature'),
  properties: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
    description: 'Names the territory in `territory` (else `name`, or the property given by ?property=), as stores.territory does',
  }),
  geometry: Type.Object({
    type: Type.Unsafe<'Polygon' | 'MultiPolygon'>(Type.String({ enum: ['Polygon', 'MultiPolygon'], description: 'Polygon or MultiPolygon' })),
    coordinates: Type.Array(Type.Unknown(), { description: 'Polygon: rings of [lon, lat] positions; MultiPolygon: an array of those' }),
  }),
});

export const TerritoryCollection = Type.Object(
  {
    type: Type.Literal('FeatureCollection'),
    features: Type.Array(TerritoryFeature, { minItems: 1, maxItems: MAX_FEATURES }),
  },
  { title: 'TerritoryCollection', description: 'GeoJSON (RFC 7946) FeatureCollection of territory outlines' },
);

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

const checkPolygon = TypeCompiler.Compile(PolygonCoordinates);
const checkMultiPolygon = TypeCompiler.Compile(MultiPolygonCoordinates);

/** The innermost reason of a TypeBox error (a union reports "expected union value"; its first branch says why). */
function innermost(error: ValueError): ValueError {
  const branch = error.errors[0]?.First();
  return branch ? innermost(branch) : error;
}

type Feature = Static<typeof TerritoryFeature>;
type Geometry =
  | { type: 'Polygon'; coordinates: Static<typeof PolygonCoordinates> }
  | { type: 'MultiPolygon'; coordinates: Static<typeof MultiPolygonCoordinates> };

/** The feature's territory name, or undefined when none of the name properties holds a string. */
function territoryName(feature: Feature, property: string | undefined): string | undefined {
  for (const key of property ? [property] : NAME_PROPERTIES) {
    const value = feature.properties?.[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

/**
 * Checks an uploaded collection feature by feature; throws a 400 naming the feature and what is wrong. Hard errors
 * are what breaks drawing or aggregation (structure, coordinate ranges, open rings, holes across the outline); an
 * outline that crosses itself still draws, so it is kept and reported as a warning.
 */
function checkCollection(body: Static<typeof TerritoryCollection>, property: string | undefined) {
  const features: { territory: string; geometry: Geometry }[] = [];
  const warnings: string[] = [];
  body.features.forEach((feature, i) => {
    const name = territoryName(feature, property);
    const where = `feature ${i + 1}${name ? ` (${name})` : ''}`;
    if (!name) {
      const names = property ? `"${property}"` : NAME_PROPERTIES.map((p) => `"${p}"`).join(' or ');
      throw badRequest(`${where}: no territory name; put it in the property ${names}, as spelled in stores.territory`);
    }
    if (name.length > 200) throw badRequest(`${where}: the territory name is longer than 200 characters`);
    const geometry = feature.geometry as Geometry;
    const check = geometry.type === 'Polygon' ? checkPolygon : checkMultiPolygon;
    const error = check.Errors(geometry.coordinates).First();
    if (error) {
      const reason = innermost(error);
      const { minimum, maximum } = reason.schema as { minimum?: number; maximum?: number };
      if (typeof reason.value === 'number' && minimum !== undefined && maximum !== undefined) {
        const axis = maximum === 90 ? 'latitude' : 'longitude';
        throw badRequest(`${where}: coordinates${reason.path} is ${reason.value}, outside ${minimum}..${maximum} for a ${axis}; positions are [longitude, latitude] in degrees (swapped?)`);
      }
      throw badRequest(`${where}: coordinates${reason.path} ${reason.message.toLowerCase()} (a ${geometry.type} position is [longitude, latitude] in degrees, each ring at least 4 positions)`);
    }
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    polygons.forEach((rings, p) => {
      const part = polygons.length > 1 ? `polygon ${p + 1}` : 'the polygon';
      rings.forEach((ring, r) => {
        const [first, last] = [ring[0]!, ring.at(-1)!];
        if (first[0] !== last[0] || first[1] !== last[1]) {
          throw badRequest(`${where}: ${part}, ring ${r + 1} is not closed: its last position must repeat its first, [${first.join(', ')}]`);
        }
      });
      // Crossings by spatial index (n log n): a detailed outline of 200,000 positions takes well under a second.
      const crossings: { at: number[]; rings: [number, number] }[] = selfIntersections(
        { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: rings } },
        { callbackFunction: ({ isect, ring0, ring1 }) => ({ at: isect, rings: [ring0, ring1] }) },
      );
      const across = crossings.find((c) => c.rings[0] !== c.rings[1]);
      const near = (at: number[]) => `${at[0]!.toFixed(4)}, ${at[1]!.toFixed(4)}`;
      if (across) throw badRequest(`${where}: ${part} has a hole that crosses the outline near ${near(across.at)}; a hole must lie inside its outline`);
      if (crossings[0]) warnings.push(`${where}: the outline crosses itself near ${near(crossings[0].at)}`);
    });
    features.push({ territory: name, geometry });
  });
  return { features, warnings };
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
      const etag = `W/"${createHash('sha256').update(`${stored?.uploaded_at ?? ''}|${scope.join('\n')}`).digest('base64url').slice(0, 22)}"`;
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
        querystring: Type.Object({ property: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The feature property that names the territory' })) }),
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
          throw tooLarge(`territory outlines are limited to ${MAX_TERRITORY_GEOJSON_BYTES / 1024 / 1024} MB; simplify them (e.g. mapshaper -simplify 10%) and upload again`);
        }
        throw error;
      },
    },
    async (request) => {
      const { features, warnings } = checkCollection(request.body, request.query.property);
      const territories = [...new Set(features.map((f) => f.territory))].sort();
      const geojson = JSON.stringify({
        type: 'FeatureCollection',
        features: features.map((f) => ({ type: 'Feature', properties: { territory: f.territory }, geometry: { type: f.geometry.type, coordinates: f.geometry.coordinates } })),
      });
      const uploadedAt = await saveTerritoryShapes(deps.warehouse, { geojson, territories, uploaded_by: request.principal!.name });
      const known = new Set(await storeTerritories(deps.warehouse));
      request.log.info({ territories: territories.length, bytes: geojson.length, warnings: warnings.length, by: request.principal!.name }, 'territory outlines uploaded');
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
      schema: { summary: 'Remove the uploaded territory outlines (the map falls back to the basemap alone)', tags: ['dashboard'], security, response: { 204: Type.Null() } },
      config: { roles: ['admin'] },
    },
    async (request, reply) => {
      await saveTerritoryShapes(deps.warehouse, { geojson: EMPTY, territories: [], uploaded_by: request.principal!.name });
      request.log.info({ by: request.principal!.name }, 'territory outlines removed');
      return reply.code(204).send(null);
    },
  );
}
