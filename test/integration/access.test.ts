import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRole } from '../../ingest/auth.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
const tokens = new Map<string, string>();

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  for (const role of ['admin', 'sales_director', 'category_manager', 'store_manager', 'merchandiser'] as UserRole[]) {
    const res = await server.app.inject({ method: 'POST', url: '/v1/tokens', headers: server.admin(), payload: { name: role, role, store_ids: role === 'store_manager' || role === 'merchandiser' ? ['S1'] : [] } });
    tokens.set(role, res.json().token);
  }
});
afterAll(async () => server?.stop());

type Expect = 'allowed' | 'forbidden';
const A: Expect = 'allowed';
const F: Expect = 'forbidden';

/** role × route: what each role may do. "allowed" means anything but 401/403. */
const MATRIX: [string, string, object | undefined, Record<UserRole, Expect>][] = [
  ['POST', '/v1/stores', [], { admin: A, sales_director: F, category_manager: F, store_manager: F, merchandiser: F }],
  ['POST', '/v1/products', [], { admin: A, sales_director: F, category_manager: F, store_manager: F, merchandiser: F }],
  ['POST', '/v1/events/scans', [], { admin: A, sales_director: F, category_manager: F, store_manager: F, merchandiser: F }],
  ['POST', '/v1/tokens', { name: 'x', role: 'admin' }, { admin: A, sales_director: F, category_manager: F, store_manager: F, merchandiser: F }],
  ['GET', '/v1/dead-letters', undefined, { admin: A, sales_director: F, category_manager: F, store_manager: F, merchandiser: F }],
  ['GET', '/metrics', undefined, { admin: A, sales_director: F, category_manager: F, store_manager: F, merchandiser: F }],
  ['POST', '/v1/alerts/evaluate', { as_of: '2026-11-20' }, { admin: A, sales_director: F, category_manager: A, store_manager: F, merchandiser: F }],
  ['GET', '/v1/alerts', undefined, { admin: A, sales_director: A, category_manager: A, store_manager: A, merchandiser: A }],
  ['GET', '/v1/map', undefined, { admin: A, sales_director: A, category_manager: A, store_manager: A, merchandiser: A }],
  ['POST', '/v1/alerts/x/ack', {}, { admin: A, sales_director: A, category_manager: A, store_manager: A, merchandiser: F }],
  ['GET', '/v1/me', undefined, { admin: A, sales_director: A, category_manager: A, store_manager: A, merchandiser: A }],
];

describe('roles × routes', () => {
  const cases = MATRIX.flatMap(([method, url, payload, expected]) =>
    (Object.entries(expected) as [UserRole, Expect][]).map(([role, outcome]) => ({ method, url, payload, role, outcome })),
  );
  it.each(cases)('$role $method $url → $outcome', async ({ method, url, payload, role, outcome }) => {
    const res = await server.app.inject({
      method: method as 'GET' | 'POST',
      url,
      headers: { authorization: `Bearer ${tokens.get(role)}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(payload ? { payload } : {}),
    });
    if (outcome === 'forbidden') expect(res.statusCode).toBe(403);
    else expect([401, 403]).not.toContain(res.statusCode);
  });

  it('a store manager sees only the alerts and map stores of their own stores', async () => {
    const now = new Date().toISOString();
    await server.platform.warehouse.insert('alerts', ['S1', 'S2'].map((store, i) => ({
      id: `no_data:${store}::2026-11-20`, type: 'no_data', status: 'open', store_id: store, sku: '', territory: 'T', category: '',
      created_at: now, updated_at: now, as_of: '2026-11-20', severity: 'high', message_zh: 'm', message_en: 'm', suggestion_zh: 's', suggestion_en: 's',
      evidence: '{}', assignee: '', resolved_at: null, version: i + 1,
    })));
    const res = await server.app.inject({ method: 'GET', url: '/v1/alerts', headers: { authorization: `Bearer ${tokens.get('store_manager')}` } });
    expect(res.json().alerts.map((a: { store_id: string }) => a.store_id)).toEqual(['S1']);
    const other = await server.app.inject({ method: 'GET', url: `/v1/alerts/${encodeURIComponent('no_data:S2::2026-11-20')}`, headers: { authorization: `Bearer ${tokens.get('store_manager')}` } });
    expect(other.statusCode).toBe(404);
  });
});
