import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TERRITORY_GEOJSON_BYTES } from '../../api/routes/territories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let managerToken: string;
let scopedToken: string;

const square = (lon: number, lat: number, size = 0.5) => [
  [
    [lon, lat],
    [lon + size, lat],
    [lon + size, lat + size],
    [lon, lat + size],
    [lon, lat],
  ],
];
const feature = (properties: object | null, geometry: object) => ({ type: 'Feature', properties, geometry });
const collection = (...features: object[]) => ({ type: 'FeatureCollection', features });

const put = (payload: unknown, options: { token?: string; contentType?: string; query?: string } = {}) =>
  server.app.inject({
    method: 'PUT',
    url: `/v1/territories/geojson${options.query ?? ''}`,
    headers: { authorization: `Bearer ${options.token ?? server.admin().authorization!.slice(7)}`, 'content-type': options.contentType ?? 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
const get = (token?: string, headers: Record<string, string> = {}) =>
  server.app.inject({
    method: 'GET',
    url: '/v1/territories/geojson',
    headers: { authorization: `Bearer ${token ?? server.admin().authorization!.slice(7)}`, ...headers },
  });

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  await server.addStores([
    { store_id: 'S1', name: '苏州店', territory: '苏南', region: '华东', city: '苏州', lat: 31.3, lon: 120.59 },
    { store_id: 'S2', name: '杭州店', territory: '浙北', region: '华东', city: '杭州', lat: 30.27, lon: 120.16 },
    { store_id: 'S3', name: '合肥店', territory: '安徽', region: '华东', city: '合肥', lat: 31.82, lon: 117.23 },
  ]);
  await server.settle();
  managerToken = await server.issueToken({ name: 'manager', role: 'store_manager', store_ids: ['S1'] });
  scopedToken = await server.issueToken({ name: 'director', role: 'sales_director', territories: ['浙北'] });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('territory outlines', () => {
  it('stores an upload, reports which outlines match the stores, and serves it to map readers', async () => {
    const res = await put(
      collection(
        feature({ territory: '苏南', color: 'red' }, { type: 'Polygon', coordinates: square(120, 31) }),
        feature({ name: '浙北' }, { type: 'MultiPolygon', coordinates: [square(119.5, 30), square(121, 30.5, 0.3)] }),
        feature({ territory: '不存在的区' }, { type: 'Polygon', coordinates: square(100, 25) }),
      ),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ territories: 3, matched: ['浙北', '苏南'], unmatched: ['不存在的区'], without_outline: ['安徽'], warnings: [] });

    const outlines = await get();
    expect(outlines.statusCode).toBe(200);
    const body = outlines.json();
    expect(body.features.map((f: { properties: { territory: string } }) => f.properties)).toEqual([
      { territory: '苏南' },
      { territory: '浙北' },
      { territory: '不存在的区' },
    ]);
    expect(body.features[1].geometry.type).toBe('MultiPolygon');
    expect(body.uploaded_by).toBe('bootstrap-admin');
    // Unchanged outlines cost a 304, not the whole collection again.
    const again = await get(undefined, { 'if-none-match': outlines.headers.etag as string });
    expect(again.statusCode).toBe(304);
  });

  it('takes application/geo+json and a named property, and keeps a self-crossing outline with a warning', async () => {
    const bowTie = [
      [
        [120, 31],
        [121, 32],
        [121, 31],
        [120, 32],
        [120, 31],
      ],
    ];
    const res = await put(collection(feature({ NAME_CN: '苏南' }, { type: 'Polygon', coordinates: bowTie })), {
      contentType: 'application/geo+json',
      query: '?property=NAME_CN',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().warnings).toEqual(['feature 1 (苏南): the outline crosses itself near 120.5000, 31.5000']);
  });

  it.each([
    ['not GeoJSON', '{"type":"FeatureCollection","features":[', 400, /json/i],
    [
      'a single feature',
      feature({ territory: '苏南' }, { type: 'Polygon', coordinates: square(120, 31) }),
      400,
      /the file is a GeoJSON Feature; upload a FeatureCollection/,
    ],
    ['no features', collection(), 400, /features/],
    ['a point', collection(feature({ territory: '苏南' }, { type: 'Point', coordinates: [120, 31] })), 400, /allowed values/],
    [
      'no name',
      collection(feature({ label: 'x' }, { type: 'Polygon', coordinates: square(120, 31) })),
      400,
      /feature 1: no territory name; put it in the property "territory" or "name"/,
    ],
    [
      'latitude and longitude swapped',
      collection(
        feature(
          { territory: '苏南' },
          {
            type: 'Polygon',
            coordinates: [
              [
                [31, 120],
                [31.5, 120],
                [31.5, 120.5],
                [31, 120],
              ],
            ],
          },
        ),
      ),
      400,
      /feature 1 \(苏南\): coordinates\/0\/0\/1 is 120, outside -90..90 for a latitude; positions are \[longitude, latitude\] in degrees \(swapped\?\)/,
    ],
    [
      'a string for a number',
      collection(
        feature(
          { territory: '苏南' },
          {
            type: 'Polygon',
            coordinates: [
              [
                [120, 31],
                ['121', 31],
                [121, 32],
                [120, 31],
              ],
            ],
          },
        ),
      ),
      400,
      /coordinates\/0\/1\/0 expected number/,
    ],
    [
      'a ring of three positions',
      collection(
        feature(
          { territory: '苏南' },
          {
            type: 'Polygon',
            coordinates: [
              [
                [120, 31],
                [121, 31],
                [120, 31],
              ],
            ],
          },
        ),
      ),
      400,
      /coordinates\/0 expected array length to be greater or equal to 4/,
    ],
    [
      'an open ring',
      collection(
        feature(
          { territory: '苏南' },
          {
            type: 'Polygon',
            coordinates: [
              [
                [120, 31],
                [121, 31],
                [121, 32],
                [120, 32],
              ],
            ],
          },
        ),
      ),
      400,
      /feature 1 \(苏南\): the polygon, ring 1 is not closed: its last position must repeat its first, \[120, 31\]/,
    ],
    [
      'a hole across its outline',
      collection(feature({ territory: '苏南' }, { type: 'Polygon', coordinates: [...square(120, 31), ...square(120.4, 31.1, 0.3)] })),
      400,
      /the polygon has a hole that crosses the outline near 120\.5000, 31\.\d{4}; a hole must lie inside its outline/,
    ],
    [
      'the second part of a multipolygon open',
      collection(
        feature(
          { territory: '苏南' },
          {
            type: 'MultiPolygon',
            coordinates: [
              square(120, 31),
              [
                [
                  [122, 31],
                  [123, 31],
                  [123, 32],
                  [122, 32],
                ],
              ],
            ],
          },
        ),
      ),
      400,
      /polygon 2, ring 1 is not closed/,
    ],
  ])('refuses %s with a 4xx that says why, and keeps the previous outlines', async (_name, payload, status, message) => {
    const before = (await get()).json();
    const res = await put(payload);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().message).toMatch(message);
    expect((await get()).json()).toEqual(before);
  });

  it('accepts a detailed outline just under the size limit (the checks scale with the positions, not their square)', async () => {
    const n = 150_000;
    const ring = Array.from({ length: n }, (_, i) => [120.5 + 0.5 * Math.cos((2 * Math.PI * i) / n), 31 + 0.5 * Math.sin((2 * Math.PI * i) / n)]);
    const body = JSON.stringify(collection(feature({ territory: '苏南' }, { type: 'Polygon', coordinates: [[...ring, ring[0]]] })));
    expect(body.length).toBeGreaterThan(MAX_TERRITORY_GEOJSON_BYTES / 2);
    const res = await put(body);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ territories: 1, warnings: [] });
    expect((await get()).json().features[0].geometry.coordinates[0]).toHaveLength(n + 1);
  });

  it('refuses an upload over the size limit with the limit and what to do', async () => {
    const ring = Array.from({ length: 400_000 }, (_, i) => [120 + Math.cos(i) * 0.5, 31 + Math.sin(i) * 0.5]);
    const res = await put(collection(feature({ territory: '苏南' }, { type: 'Polygon', coordinates: [[...ring, ring[0]]] })));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: 'payload_too_large', message: expect.stringContaining(`${MAX_TERRITORY_GEOJSON_BYTES / 1024 / 1024} MB`) });
  });

  it('lets only admins upload or remove, and gives a territory-scoped reader only its territories', async () => {
    expect((await put(collection(feature({ territory: '苏南' }, { type: 'Polygon', coordinates: square(120, 31) })), { token: managerToken })).statusCode).toBe(
      403,
    );
    expect(
      (await server.app.inject({ method: 'DELETE', url: '/v1/territories/geojson', headers: { authorization: `Bearer ${managerToken}` } })).statusCode,
    ).toBe(403);
    expect(
      (
        await put(
          collection(
            feature({ territory: '苏南' }, { type: 'Polygon', coordinates: square(120, 31) }),
            feature({ territory: '浙北' }, { type: 'Polygon', coordinates: square(119.5, 30) }),
          ),
        )
      ).statusCode,
    ).toBe(200);
    // The store manager of S1 (苏南) sees its territory's outline only.
    expect((await get(managerToken)).json().features.map((f: { properties: { territory: string } }) => f.properties.territory)).toEqual(['苏南']);
    expect((await get(scopedToken)).json().features.map((f: { properties: { territory: string } }) => f.properties.territory)).toEqual(['浙北']);
    expect((await server.app.inject({ method: 'GET', url: '/v1/territories/geojson' })).statusCode).toBe(401);
  });

  it('never answers a hostile or odd upload with a 5xx: any JSON, and closed rings of any shape (spikes, repeats, crossings)', async () => {
    const position = fc.tuple(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true }));
    // Few distinct points, so repeated positions, zero-area rings and crossings come up often.
    const ring = fc
      .array(fc.constantFrom([0, 0], [1, 0], [1, 1], [0, 1], [0.5, 0.5], [0, 0.5]), { minLength: 3, maxLength: 9 })
      .map((points) => [...points, points[0]!]);
    const geometry = fc.oneof(
      fc
        .array(
          fc.oneof(
            ring,
            fc.array(position, { minLength: 3, maxLength: 6 }).map((points) => [...points, points[0]!]),
          ),
          { minLength: 1, maxLength: 3 },
        )
        .map((rings) => ({ type: 'Polygon', coordinates: rings })),
      fc
        .array(fc.array(ring, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 })
        .map((polygons) => ({ type: 'MultiPolygon', coordinates: polygons })),
    );
    const upload = fc.oneof(
      fc.jsonValue(),
      fc
        .array(
          fc.record({
            type: fc.constant('Feature'),
            properties: fc.oneof(fc.constant(null), fc.record({ territory: fc.oneof(fc.string(), fc.integer()) })),
            geometry,
          }),
          { minLength: 1, maxLength: 4 },
        )
        .map((features) => collection(...features)),
    );
    await fc.assert(
      fc.asyncProperty(upload, async (body) => {
        const res = await put(JSON.stringify(body) ?? 'null');
        expect(res.statusCode, res.body).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.json().message).toEqual(expect.any(String));
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('is described in the OpenAPI docs: upload, read, remove', async () => {
    const spec = (await server.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(Object.keys(spec.paths['/v1/territories/geojson']!).sort()).toEqual(['delete', 'get', 'put']);
    expect(JSON.stringify(spec.paths['/v1/territories/geojson']!.put!.requestBody)).toContain('FeatureCollection');
  });

  it('removes the outlines: the map gets an empty collection', async () => {
    const res = await server.app.inject({ method: 'DELETE', url: '/v1/territories/geojson', headers: { authorization: server.admin().authorization! } });
    expect(res.statusCode).toBe(204);
    expect((await get()).json()).toMatchObject({ type: 'FeatureCollection', features: [] });
  });
});
