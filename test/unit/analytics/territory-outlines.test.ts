import { describe, expect, it } from 'vitest';
import { checkCollection } from '../../../analytics/territory-outlines.ts';

type Collection = Parameters<typeof checkCollection>[0];

const square = (lon: number, lat: number, size = 0.5) => [
  [
    [lon, lat],
    [lon + size, lat],
    [lon + size, lat + size],
    [lon, lat + size],
    [lon, lat],
  ],
];
const polygon = (properties: Record<string, unknown> | null, coordinates: unknown[]) => ({
  type: 'Feature' as const,
  properties,
  geometry: { type: 'Polygon' as const, coordinates },
});
const collection = (...features: Collection['features']): Collection => ({ type: 'FeatureCollection', features });

describe('territory outlines', () => {
  it('keeps named polygons and multipolygons, named by territory, else name, else the property asked for', () => {
    const multi = {
      type: 'Feature' as const,
      properties: { name: '浙北' },
      geometry: { type: 'MultiPolygon' as const, coordinates: [square(119.5, 30), square(121, 30.5, 0.3)] },
    };
    const check = checkCollection(collection(polygon({ territory: ' 苏南 ', name: 'x' }, square(120, 31)), multi), undefined);
    expect(check).toMatchObject({ problems: [], warnings: [] });
    expect(check.outlines.map((o) => [o.territory, o.geometry.type])).toEqual([
      ['苏南', 'Polygon'],
      ['浙北', 'MultiPolygon'],
    ]);
    expect(checkCollection(collection(polygon({ NAME_CN: '安徽', territory: '苏南' }, square(117, 31))), 'NAME_CN').outlines[0]!.territory).toBe('安徽');
    expect(checkCollection(collection(polygon({ territory: 7 }, square(117, 31))), undefined).outlines[0]!.territory).toBe('7');
  });

  it('keeps an outline that crosses itself, with a warning saying where', () => {
    const bowTie = [
      [
        [120, 31],
        [121, 32],
        [121, 31],
        [120, 32],
        [120, 31],
      ],
    ];
    const check = checkCollection(collection(polygon({ territory: '苏南' }, bowTie)), undefined);
    expect(check.problems).toEqual([]);
    expect(check.warnings).toEqual(['feature 1 (苏南): the outline crosses itself near 120.5000, 31.5000']);
    expect(check.outlines).toHaveLength(1);
  });

  it('returns one problem per bad feature, naming it and what to fix, and keeps the good ones apart', () => {
    const check = checkCollection(
      collection(
        polygon({ label: 'x' }, square(120, 31)),
        polygon({ territory: '苏南' }, square(120, 31)),
        polygon({ territory: '浙北' }, [
          [
            [31, 120],
            [31.5, 120],
            [31.5, 120.5],
            [31, 120],
          ],
        ]),
        polygon(null, square(120, 31)),
      ),
      undefined,
    );
    expect(check.problems).toEqual([
      'feature 1: no territory name; put it in the property "territory" or "name", as spelled in stores.territory',
      'feature 3 (浙北): coordinates/0/0/1 is 120, outside -90..90 for a latitude; positions are [longitude, latitude] in degrees (swapped?)',
      'feature 4: no territory name; put it in the property "territory" or "name", as spelled in stores.territory',
    ]);
    expect(check.outlines.map((o) => o.territory)).toEqual(['苏南']);
    expect(checkCollection(collection(polygon({ label: 'x' }, square(120, 31))), 'NAME_CN').problems[0]).toContain('put it in the property "NAME_CN"');
  });

  it.each([
    ['a name over 200 characters', polygon({ territory: '区'.repeat(201) }, square(120, 31)), /: the territory name is longer than 200 characters$/],
    [
      'a string for a number',
      polygon({ territory: '苏南' }, [
        [
          [120, 31],
          ['121', 31],
          [121, 32],
          [120, 31],
        ],
      ]),
      /^feature 1 \(苏南\): coordinates\/0\/1\/0 expected number/,
    ],
    [
      'a ring of three positions',
      polygon({ territory: '苏南' }, [
        [
          [120, 31],
          [121, 31],
          [120, 31],
        ],
      ]),
      /coordinates\/0 expected array length to be greater or equal to 4/,
    ],
    [
      'an open ring',
      polygon({ territory: '苏南' }, [
        [
          [120, 31],
          [121, 31],
          [121, 32],
          [120, 32],
        ],
      ]),
      /^feature 1 \(苏南\): the polygon, ring 1 is not closed: its last position must repeat its first, \[120, 31\]$/,
    ],
    [
      'a hole across its outline',
      polygon({ territory: '苏南' }, [...square(120, 31), ...square(120.4, 31.1, 0.3)]),
      /the polygon has a hole that crosses the outline near 120\.5000, 31\.\d{4}; a hole must lie inside its outline$/,
    ],
  ])('refuses %s', (_name, feature, problem) => {
    const check = checkCollection(collection(feature), undefined);
    expect(check.problems).toHaveLength(1);
    expect(check.problems[0]).toMatch(problem);
    expect(check.outlines).toEqual([]);
  });

  it('names the part of a multipolygon that is wrong, and accepts a hole inside its outline', () => {
    const open = [
      [
        [122, 31],
        [123, 31],
        [123, 32],
        [122, 32],
      ],
    ];
    const multi = {
      type: 'Feature' as const,
      properties: { territory: '苏南' },
      geometry: { type: 'MultiPolygon' as const, coordinates: [square(120, 31), open] },
    };
    expect(checkCollection(collection(multi), undefined).problems).toEqual([
      'feature 1 (苏南): polygon 2, ring 1 is not closed: its last position must repeat its first, [122, 31]',
    ]);
    const withHole = polygon({ territory: '苏南' }, [...square(120, 31), ...square(120.1, 31.1, 0.2)]);
    expect(checkCollection(collection(withHole), undefined)).toMatchObject({ problems: [], warnings: [], outlines: [{ territory: '苏南' }] });
  });
});
