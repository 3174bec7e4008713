import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

async function storedScans(ids: string[]) {
  await server.settle();
  return server.platform.warehouse.query<{ event_id: string; n: number }>(
    'SELECT event_id, count() AS n FROM scans WHERE event_id IN {ids:Array(String)} GROUP BY event_id ORDER BY event_id',
    { ids },
  );
}

describe('event intake', () => {
  it('accepts a JSON array, reports bad rows by line, and stores the good ones', async () => {
    const body = [scan('j1'), scan('j2', { qty: 'lots' }), scan('j3', { ts: '2026-11-20 10:00' }), scan('j4')];
    const res = await server.app.inject({ method: 'POST', url: '/v1/events/scans', headers: server.admin(), payload: body });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [
        { line: 2, error: expect.stringContaining('qty') },
        { line: 3, error: expect.stringContaining('ts') },
      ],
      ignored_fields: [],
    });
    expect(await storedScans(['j1', 'j2', 'j3', 'j4'])).toEqual([
      { event_id: 'j1', n: 1 },
      { event_id: 'j4', n: 1 },
    ]);
  });

  it('reads NDJSON line by line: a line that is not JSON is rejected alone', async () => {
    const body = [JSON.stringify(scan('n1')), '{"event_id": nope', '', JSON.stringify(scan('n2'))].join('\n');
    const res = await server.app.inject({ method: 'POST', url: '/v1/events/scans', headers: server.admin('application/x-ndjson'), payload: body });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 2, duplicates: 0, rejected: [{ line: 2 }] });
  });

  it('reads CSV with a header row, converting numbers, numbering lines as in the file', async () => {
    const csv = 'event_id,store_id,sku,ts,qty,unit_price\nc1,S1,P1,2026-11-20T10:00:00+08:00,1,2.50\nc2,S1,P1,2026-11-20T10:00:00+08:00,x,2.5\nc3,S1\n';
    const res = await server.app.inject({ method: 'POST', url: '/v1/events/scans', headers: server.admin('text/csv'), payload: csv });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: [{ line: 3 }, { line: 4 }] });
    await server.settle();
    const rows = await server.platform.warehouse.query("SELECT qty, unit_price FROM scans WHERE event_id = 'c1'");
    expect(rows).toEqual([{ qty: 1, unit_price: 2.5 }]);
  });

  it('never counts a re-sent event_id twice, within a request, across requests and after the sink stored it', async () => {
    const first = await server.app.inject({
      method: 'POST',
      url: '/v1/events/scans',
      headers: server.admin(),
      payload: [scan('d1'), scan('d1'), scan('d2')],
    });
    expect(first.json()).toMatchObject({ accepted: 2, duplicates: 1 });
    const again = await server.app.inject({ method: 'POST', url: '/v1/events/scans', headers: server.admin(), payload: [scan('d1'), scan('d2'), scan('d3')] });
    expect(again.json()).toMatchObject({ accepted: 1, duplicates: 2 });
    expect((await storedScans(['d1', 'd2', 'd3'])).map((r) => r.n)).toEqual([1, 1, 1]);
  });

  it('stores a hostile store_id verbatim (values reach SQL only as parameters)', async () => {
    const hostile = "S1'); DROP TABLE scans; --\u4e2d";
    const res = await server.app.inject({ method: 'POST', url: '/v1/events/scans', headers: server.admin(), payload: [scan('h1', { store_id: hostile })] });
    expect(res.json()).toMatchObject({ accepted: 1 });
    await server.settle();
    const rows = await server.platform.warehouse.query<{ store_id: string }>('SELECT store_id FROM scans WHERE store_id = {s:String}', { s: hostile });
    expect(rows).toEqual([{ store_id: hostile }]);
  });
});

describe('bad requests get a 4xx with a JSON reason', () => {
  it.each([
    ['malformed JSON', 'application/json', '{"event_id": '],
    ['a JSON scalar', 'application/json', '42'],
    ['an empty array', 'application/json', '[]'],
    ['CSV with a broken quote', 'text/csv', 'event_id,store_id\n"a,b\n'],
  ])('%s', async (_name, contentType, payload) => {
    const res = await server.app.inject({ method: 'POST', url: '/v1/events/scans', headers: server.admin(contentType), payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  });

  it('an unknown route is a JSON 404', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/v1/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found' });
  });

  it('a body over the limit (32 MiB by default) is a 413', async () => {
    const big = `[${JSON.stringify(scan('big'))}${' '.repeat(33 * 1024 * 1024)}]`;
    const res = await server.app.inject({ method: 'POST', url: '/v1/events/scans', headers: server.admin(), payload: big });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: expect.any(String) });
  });
});

describe('access', () => {
  it('needs a bearer token on the API but not on /healthz', async () => {
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const anonymous = await server.app.inject({ method: 'POST', url: '/v1/events/scans', payload: [scan('a1')] });
    expect(anonymous.statusCode).toBe(401);
    const wrong = await server.app.inject({ method: 'POST', url: '/v1/stores', headers: { authorization: 'Bearer nope-nope-nope' }, payload: [] });
    expect(wrong.statusCode).toBe(401);
  });

  it('issues hashed tokens with roles; a role outside the route is refused', async () => {
    const issued = await server.app.inject({
      method: 'POST',
      url: '/v1/tokens',
      headers: server.admin(),
      payload: { name: 'Wang Fang', role: 'merchandiser', store_ids: ['S1'] },
    });
    expect(issued.statusCode).toBe(201);
    const { token } = issued.json() as { token: string };
    const me = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${token}` } });
    expect(me.json()).toMatchObject({ name: 'Wang Fang', role: 'merchandiser', store_ids: ['S1'], territories: [], via: 'token' });
    const refused = await server.app.inject({
      method: 'POST',
      url: '/v1/stores',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: [],
    });
    expect(refused.statusCode).toBe(403);
    const stored = await server.platform.warehouse.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    expect(stored.map((r) => r.token_hash)).not.toContain(token);
  });
});

describe('master data', () => {
  it('upserts stores by key: the latest write wins', async () => {
    const store = { store_id: 'S9', name: '杭州湖滨店', territory: '浙北', region: '华东', city: '杭州', lat: 30.26, lon: 120.16 };
    const first = await server.app.inject({ method: 'POST', url: '/v1/stores', headers: server.admin(), payload: [store, { ...store, store_id: '' }] });
    expect(first.json()).toMatchObject({ accepted: 1, rejected: [{ line: 2, error: expect.stringContaining('store_id') }] });
    await new Promise((r) => setTimeout(r, 5));
    await server.app.inject({ method: 'POST', url: '/v1/stores', headers: server.admin(), payload: [{ ...store, name: '杭州湖滨旗舰店' }] });
    const rows = await server.platform.warehouse.query<{ name: string }>("SELECT name FROM stores FINAL WHERE store_id = 'S9'");
    expect(rows).toEqual([{ name: '杭州湖滨旗舰店' }]);
  });

  it('takes products as CSV with booleans', async () => {
    const csv = 'sku,name,brand,category,regular_price,is_competitor,matches_sku\nX1,清泉 矿泉水,清泉,饮料,2.5,false,\nX2,恒泰 矿泉水,恒泰,饮料,2.3,true,X1\n';
    const res = await server.app.inject({ method: 'POST', url: '/v1/products', headers: server.admin('text/csv'), payload: csv });
    expect(res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [], ignored_fields: [] });
    const rows = await server.platform.warehouse.query("SELECT sku, is_competitor, matches_sku FROM products FINAL WHERE sku IN ('X1','X2') ORDER BY sku");
    expect(rows).toEqual([
      { sku: 'X1', is_competitor: false, matches_sku: '' },
      { sku: 'X2', is_competitor: true, matches_sku: 'X1' },
    ]);
  });
});

describe('operations', () => {
  it('serves OpenAPI describing the contract routes', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/docs/json' });
    const spec = res.json() as { paths: Record<string, unknown> };
    for (const route of [
      '/v1/stores',
      '/v1/products',
      '/v1/assortment',
      '/v1/promotions',
      '/v1/events/scans',
      '/v1/events/orders',
      '/v1/events/inventory',
      '/v1/events/competitor-prices',
      '/healthz',
    ]) {
      expect(spec.paths).toHaveProperty([route]);
    }
  });

  it('exposes Prometheus metrics to an admin', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/metrics', headers: server.admin() });
    expect(res.statusCode).toBe(200);
    for (const name of [
      'shelfpulse_ingest_rows_total',
      'shelfpulse_sink_rows_total',
      'shelfpulse_consumer_lag_records',
      'shelfpulse_http_request_duration_seconds',
      'shelfpulse_alert_changes_total',
      'shelfpulse_photo_analysis_seconds',
    ]) {
      expect(res.body).toContain(name);
    }
    // The engine's own memory, read on each scrape, so an RSS trend can be attributed.
    expect(Number(/^shelfpulse_warehouse_memory_bytes (\S+)$/m.exec(res.body)?.[1])).toBeGreaterThan(0);
  });
});
