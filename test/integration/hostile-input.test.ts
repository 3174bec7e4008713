import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

const ROUTES = [
  '/v1/stores',
  '/v1/products',
  '/v1/assortment',
  '/v1/promotions',
  '/v1/events/scans',
  '/v1/events/orders',
  '/v1/events/inventory',
  '/v1/events/competitor-prices',
];
const CONTENT_TYPES = ['application/json', 'application/x-ndjson', 'text/csv', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x'];

/** Values that break naive parsers: quotes, SQL, control characters, huge and odd numbers, unicode. */
const nasty = fc.oneof(
  fc.string(),
  fc.constantFrom("'; DROP TABLE scans; --", '\u0000', '\ud800', '"', '\\', '{{x:String}}', 'NaN', '1e309', '-0', '2026-13-45T99:99:99+08:00', '华东'),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const field = fc.constantFrom(
  'event_id',
  'store_id',
  'sku',
  'ts',
  'qty',
  'unit_price',
  'on_hand',
  'price',
  'source',
  'order_id',
  'name',
  'lat',
  'lon',
  'is_competitor',
  '__proto__',
  'constructor',
);
const row = fc.dictionary(field, nasty, { maxKeys: 8 });

function render(rows: Record<string, unknown>[], format: number): string {
  if (format === 0) return JSON.stringify(rows);
  if (format === 1) return rows.map((r) => JSON.stringify(r)).join('\n');
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [keys.join(','), ...rows.map((r) => keys.map((k) => String(r[k] ?? '')).join(','))].join('\n');
}

describe('hostile input never gets a 5xx', () => {
  it('random rows in every format on every ingest route: 2xx or 4xx with a reason, and good rows still go in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.constantFrom(...CONTENT_TYPES),
        fc.array(row, { maxLength: 20 }),
        fc.integer({ min: 0, max: 2 }),
        async (url, contentType, rows, format) => {
          const res = await server.app.inject({ method: 'POST', url, headers: server.admin(contentType), payload: render(rows, format) });
          expect(res.statusCode, res.body).toBeLessThan(500);
          const body = res.json();
          if (res.statusCode === 202) expect(body.accepted + body.rejected.length + body.duplicates).toBeLessThanOrEqual(Math.max(rows.length, 1) * 2);
          else expect(body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('random bytes as a body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), fc.constantFrom(...CONTENT_TYPES), fc.uint8Array({ maxLength: 2000 }), async (url, contentType, bytes) => {
        const res = await server.app.inject({ method: 'POST', url, headers: server.admin(contentType), payload: Buffer.from(bytes) });
        expect(res.statusCode, res.body).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
  });

  it('a mixed batch keeps its valid rows', async () => {
    const good = scan('mix-1');
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/events/scans',
      headers: server.admin(),
      payload: [{ ...good, qty: '1; DROP' }, good, { __proto__: { polluted: true } }, { ...good, event_id: 'x'.repeat(10_000) }],
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: [{ line: 1 }, { line: 3 }, { line: 4 }] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
