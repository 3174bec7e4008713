import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler';
import selfIntersections from 'geojson-polygon-self-intersections';

const MAX_FEATURES = 5_000;
const NAME_PROPERTIES = ['territory', 'name'] as const;

const Lon = Type.Number({ minimum: -180, maximum: 180 });
const Lat = Type.Number({ minimum: -90, maximum: 90 });
const Position = Type.Union([Type.Tuple([Lon, Lat]), Type.Tuple([Lon, Lat, Type.Number()])], {
  description: '[longitude, latitude] in degrees (WGS 84), optionally an altitude',
});
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

/** A feature that passed the checks, named by the territory it outlines. */
export interface TerritoryOutline {
  territory: string;
  geometry: Geometry;
}

export interface OutlineCheck {
  outlines: TerritoryOutline[];
  /** One sentence per feature that cannot be kept, naming the feature and what to fix. */
  problems: string[];
  /** Kept as uploaded, but worth fixing: outlines that cross themselves. */
  warnings: string[];
}

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
 * Checks an uploaded collection feature by feature, `property` naming the territory (else `territory`, then `name`).
 * Problems are what breaks drawing or aggregation (structure, coordinate ranges, open rings, holes across the
 * outline), the first one of each feature; an outline that crosses itself still draws, so it is kept with a warning.
 */
export function checkCollection(collection: Static<typeof TerritoryCollection>, property: string | undefined): OutlineCheck {
  const check: OutlineCheck = { outlines: [], problems: [], warnings: [] };
  collection.features.forEach((feature, i) => {
    const name = territoryName(feature, property);
    const where = `feature ${i + 1}${name ? ` (${name})` : ''}`;
    const geometry = feature.geometry as Geometry;
    const found = name ? geometryProblem(name, geometry) : { problem: noName(property) };
    if ('problem' in found) return void check.problems.push(`${where}: ${found.problem}`);
    for (const at of found.crossings) check.warnings.push(`${where}: the outline crosses itself near ${at}`);
    check.outlines.push({ territory: name!, geometry });
  });
  return check;
}

function noName(property: string | undefined): string {
  const names = property ? `"${property}"` : NAME_PROPERTIES.map((p) => `"${p}"`).join(' or ');
  return `no territory name; put it in the property ${names}, as spelled in stores.territory`;
}

/** What makes a named feature unusable, else where its polygons cross themselves (the first crossing of each). */
function geometryProblem(name: string, geometry: Geometry): { problem: string } | { crossings: string[] } {
  if (name.length > 200) return { problem: 'the territory name is longer than 200 characters' };
  const check = geometry.type === 'Polygon' ? checkPolygon : checkMultiPolygon;
  const error = check.Errors(geometry.coordinates).First();
  if (error) {
    const reason = innermost(error);
    const { minimum, maximum } = reason.schema as { minimum?: number; maximum?: number };
    if (typeof reason.value === 'number' && minimum !== undefined && maximum !== undefined) {
      const axis = maximum === 90 ? 'latitude' : 'longitude';
      return {
        problem: `coordinates${reason.path} is ${reason.value}, outside ${minimum}..${maximum} for a ${axis}; positions are [longitude, latitude] in degrees (swapped?)`,
      };
    }
    return {
      problem: `coordinates${reason.path} ${reason.message.toLowerCase()} (a ${geometry.type} position is [longitude, latitude] in degrees, each ring at least 4 positions)`,
    };
  }
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const selfCrossings: string[] = [];
  for (const [p, rings] of polygons.entries()) {
    const part = polygons.length > 1 ? `polygon ${p + 1}` : 'the polygon';
    for (const [r, ring] of rings.entries()) {
      const [first, last] = [ring[0]!, ring.at(-1)!];
      if (first[0] !== last[0] || first[1] !== last[1])
        return { problem: `${part}, ring ${r + 1} is not closed: its last position must repeat its first, [${first.join(', ')}]` };
    }
    // Crossings by spatial index (n log n): a detailed outline of 200,000 positions takes well under a second.
    const crossings: { at: number[]; rings: [number, number] }[] = selfIntersections(
      { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: rings } },
      { callbackFunction: ({ isect, ring0, ring1 }) => ({ at: isect, rings: [ring0, ring1] }) },
    );
    const near = (at: number[]) => `${at[0]!.toFixed(4)}, ${at[1]!.toFixed(4)}`;
    const across = crossings.find((c) => c.rings[0] !== c.rings[1]);
    if (across) return { problem: `${part} has a hole that crosses the outline near ${near(across.at)}; a hole must lie inside its outline` };
    if (crossings[0]) selfCrossings.push(near(crossings[0].at));
  }
  return { crossings: selfCrossings };
}
