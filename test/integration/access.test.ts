import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSession } from '../../analytics/access.ts';
import { savePhoto } from '../../analytics/photos.ts';
import { CSRF_HEADER, hashToken, SESSION_COOKIE, USER_ROLES, type UserRole } from '../../ingest/auth.ts';
import type { ShelfAnalysis } from '../../vision/shelf-analysis.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
const tokens = new Map<string, string>();
/** The same five roles signed in with a password: `Cookie` headers of their sessions. */
const cookies = new Map<string, string>();
const PASSWORD = 'correct horse battery';

const scoped = (role: UserRole) => (role === 'store_manager' || role === 'merchandiser' ? ['S1'] : []);

function login(username: string, password = PASSWORD) {
  return server.app.inject({ method: 'POST', url: '/v1/session', payload: { username, password } });
}

/** The `Cookie` header a browser sends back after this answer. */
function sessionCookie(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
  if (!cookie) throw new Error(`no session cookie in ${res.statusCode} ${res.body}`);
  return `${SESSION_COOKIE}=${cookie.value}`;
}

async function createUser(user: { username: string; role: UserRole; store_ids?: string[]; territories?: string[] }) {
  const res = await server.app.inject({ method: 'POST', url: '/v1/users', headers: server.admin(), payload: { password: PASSWORD, ...user } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  await server.addStores([
    { store_id: 'S1', name: '一号店', territory: '华东一区', region: '华东', city: '上海', lat: 31.2, lon: 121.5 },
    { store_id: 'S2', name: '二号店', territory: '华东二区', region: '华东', city: '杭州', lat: 30.3, lon: 120.2 },
  ]);
  for (const role of USER_ROLES) {
    tokens.set(role, await server.issueToken({ name: role, role, store_ids: scoped(role) }));
    await createUser({ username: `matrix.${role}`, role, store_ids: scoped(role) });
    cookies.set(role, sessionCookie(await login(`matrix.${role}`)));
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
  ['GET', '/v1/session', undefined, { admin: A, sales_director: A, category_manager: A, store_manager: A, merchandiser: A }],
  ['GET', '/v1/users', undefined, { admin: A, sales_director: F, category_manager: F, store_manager: F, merchandiser: F }],
  ['POST', '/v1/users', { username: 'x', password: 'x', role: 'admin' }, { admin: A, sales_director: F, category_manager: F, store_manager: F, merchandiser: F }],
  ['PATCH', '/v1/users/nobody', { disabled: true }, { admin: A, sales_director: F, category_manager: F, store_manager: F, merchandiser: F }],
  ['GET', '/v1/stores', undefined, { admin: A, sales_director: A, category_manager: A, store_manager: A, merchandiser: A }],
];

describe('roles × routes', () => {
  // Every pair twice: with the role's bearer token, and signed in by password (session cookie + CSRF header).
  const cases = MATRIX.flatMap(([method, url, payload, expected]) =>
    (Object.entries(expected) as [UserRole, Expect][]).flatMap(([role, outcome]) =>
      (['token', 'session'] as const).map((via) => ({ method, url, payload, role, outcome, via })),
    ),
  );
  it.each(cases)('$role ($via) $method $url → $outcome', async ({ method, url, payload, role, outcome, via }) => {
    const credentials = via === 'token' ? { authorization: `Bearer ${tokens.get(role)}` } : { cookie: cookies.get(role)!, [CSRF_HEADER]: '1' };
    const res = await server.app.inject({
      method: method as 'GET' | 'POST' | 'PATCH',
      url,
      headers: { ...credentials, ...(payload ? { 'content-type': 'application/json' } : {}) },
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

describe('users and password sessions', () => {
  const get = (url: string, cookie: string) => server.app.inject({ method: 'GET', url, headers: { cookie } });

  it('signs in with a password: an HttpOnly, SameSite=Strict session cookie that identifies the user', async () => {
    const user = await createUser({ username: 'li.na', role: 'category_manager', territories: ['华东一区'] });
    expect(user).toMatchObject({ username: 'li.na', role: 'category_manager', territories: ['华东一区'], disabled: false });
    expect(user).not.toHaveProperty('password_hash');
    const res = await login('li.na');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'li.na', role: 'category_manager', via: 'session', csrf_header: CSRF_HEADER });
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie.secure).toBeFalsy();
    expect(cookie.value).toMatch(/^[\w-]{43}$/);
    const me = await get('/v1/session', sessionCookie(res));
    expect(me.json()).toMatchObject({ name: 'li.na', role: 'category_manager', territories: ['华东一区'], via: 'session' });
    // The stored session is the cookie's hash, never the cookie.
    const [stored] = await server.platform.warehouse.query<{ n: number }>('SELECT count() AS n FROM user_sessions WHERE session_hash = {h:String}', { h: hashToken(cookie.value) });
    expect(Number(stored!.n)).toBe(1);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    await createUser({ username: 'wang.wei', role: 'sales_director' });
    const wrong = await login('wang.wei', 'not the password');
    const unknown = await login('nobody.here', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.cookies).toEqual([]);
  });

  it('limits sign-in attempts per user name and address: 429 with Retry-After', async () => {
    await createUser({ username: 'zhao.lei', role: 'sales_director' });
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await login('zhao.lei', `guess ${i}`)).statusCode);
    expect(answers).toEqual([401, 401, 401, 401, 401, 429]);
    const limited = await login('zhao.lei');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ error: 'rate_limited' });
    // Another user from the same address is not locked out by it.
    expect((await login('wang.wei')).statusCode).toBe(200);
  });

  it('signs out: the session is revoked on the server, not only the cookie cleared', async () => {
    const cookie = sessionCookie(await login('matrix.sales_director'));
    const out = await server.app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie, [CSRF_HEADER]: '1' } });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === SESSION_COOKIE)).toMatchObject({ value: '' });
    expect((await get('/v1/session', cookie)).statusCode).toBe(401);
    expect((await get('/v1/map', cookie)).statusCode).toBe(401);
  });

  it('refuses an expired session', async () => {
    const cookie = 'an-expired-session-cookie-value';
    await saveSession(server.platform.warehouse, { session_hash: hashToken(cookie), username: 'matrix.admin', expires_at: new Date(Date.now() - 1000).toISOString(), revoked: false });
    const res = await get('/v1/session', `${SESSION_COOKIE}=${cookie}`);
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toMatch(/expired/);
  });

  it('a disabled user is signed out everywhere and cannot sign in', async () => {
    await createUser({ username: 'chen.jie', role: 'store_manager', store_ids: ['S1'] });
    const cookie = sessionCookie(await login('chen.jie'));
    expect((await get('/v1/session', cookie)).statusCode).toBe(200);
    const disabled = await server.app.inject({ method: 'PATCH', url: '/v1/users/chen.jie', headers: server.admin(), payload: { disabled: true } });
    expect(disabled.json()).toMatchObject({ username: 'chen.jie', disabled: true });
    expect((await get('/v1/session', cookie)).statusCode).toBe(401);
    const again = await login('chen.jie');
    expect(again.statusCode).toBe(403);
    expect(again.json()).toMatchObject({ error: 'user_disabled' });
  });

  it('a new role or scope applies to an open session; a new password signs the user out', async () => {
    await createUser({ username: 'sun.li', role: 'merchandiser', store_ids: ['S1'] });
    const cookie = sessionCookie(await login('sun.li'));
    const patch = (payload: object) => server.app.inject({ method: 'PATCH', url: '/v1/users/sun.li', headers: server.admin(), payload });
    await patch({ role: 'store_manager', store_ids: ['S2'] });
    expect((await get('/v1/session', cookie)).json()).toMatchObject({ role: 'store_manager', store_ids: ['S2'] });
    await patch({ password: 'a brand new password' });
    expect((await get('/v1/session', cookie)).statusCode).toBe(401);
    expect((await login('sun.li', 'a brand new password')).statusCode).toBe(200);
  });

  it('refuses a cookie-signed change without the CSRF header, and a bearer token needs none', async () => {
    const cookie = cookies.get('category_manager')!;
    const url = '/v1/alerts/no-such-alert/ack';
    const bare = await server.app.inject({ method: 'POST', url, headers: { cookie } });
    expect(bare.statusCode).toBe(403);
    expect(bare.json()).toMatchObject({ error: 'csrf_required' });
    // A cross-site form can send only simple content types; that does not help either.
    const form = await server.app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'text/plain' }, payload: '' });
    expect(form.statusCode).toBe(403);
    expect((await server.app.inject({ method: 'POST', url, headers: { cookie, [CSRF_HEADER]: '1' } })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${tokens.get('category_manager')}` } })).statusCode).toBe(404);
    // Reads need no header: the stream and pages work with the cookie alone.
    expect((await get('/v1/alerts', cookie)).statusCode).toBe(200);
  });

  it('only admins manage users; a duplicate user name is a conflict, a weak password a 400', async () => {
    const duplicate = await server.app.inject({ method: 'POST', url: '/v1/users', headers: server.admin(), payload: { username: 'matrix.admin', password: PASSWORD, role: 'admin' } });
    expect(duplicate.statusCode).toBe(409);
    const weak = await server.app.inject({ method: 'POST', url: '/v1/users', headers: server.admin(), payload: { username: 'weak', password: 'short', role: 'admin' } });
    expect(weak.statusCode).toBe(400);
    const list = await server.app.inject({ method: 'GET', url: '/v1/users', headers: server.admin() });
    expect(list.json().users.map((u: { username: string }) => u.username)).toContain('matrix.admin');
    expect(list.body).not.toContain('scrypt$');
  });
});

describe('hostile input on the user and session routes', () => {
  const nasty = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.constantFrom("'; DROP TABLE users; --", '\u0000', '\ud800', '{{username:String}}', 'admin', '', 'x'.repeat(5000), 'scrypt$1$1$1$$'),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
  );
  const body = fc.dictionary(fc.constantFrom('username', 'password', 'role', 'store_ids', 'territories', 'disabled', 'name', '__proto__'), nasty, { maxKeys: 6 });

  it('random bodies, user names and cookies: a 4xx with a reason, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('POST /v1/session', 'POST /v1/users', 'PATCH /v1/users/', 'GET /v1/session'), body, fc.string({ maxLength: 70 }), async (route, payload, text) => {
        const [method, url] = route.split(' ') as ['GET' | 'POST' | 'PATCH', string];
        const res = await server.app.inject({
          method,
          url: url.endsWith('/') ? `${url}${encodeURIComponent(text) || 'x'}` : url,
          headers: method === 'GET' ? { cookie: `${SESSION_COOKIE}=${encodeURIComponent(text)}` } : server.admin(),
          ...(method === 'GET' ? {} : { payload }),
        });
        expect(res.statusCode, res.body).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
      }),
      { numRuns: 80 },
    );
  });
});

describe('scopes on stores', () => {
  const upload = (headers: Record<string, string>, storeId: string) => {
    const boundary = 'shelfpulse-test';
    const body =
      `--${boundary}\r\ncontent-disposition: form-data; name="store_id"\r\n\r\n${storeId}\r\n` +
      `--${boundary}\r\ncontent-disposition: form-data; name="files"; filename="a.jpg"\r\ncontent-type: image/jpeg\r\n\r\nnot a jpeg\r\n--${boundary}--\r\n`;
    return server.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
  };

  it('a merchandiser uploads photos only to the stores and territories assigned to it', async () => {
    await createUser({ username: 'merch.east1', role: 'merchandiser', territories: ['华东一区'] });
    const cookie = { cookie: sessionCookie(await login('merch.east1')), [CSRF_HEADER]: '1' };
    const other = await upload(cookie, 'S2');
    expect(other.statusCode).toBe(403);
    expect(other.json().message).toMatch(/not assigned to store S2/);
    // In scope, the upload gets as far as the image check.
    expect((await upload(cookie, 'S1')).json()).toMatchObject({ error: 'photo_not_an_image' });
    const byToken = await upload({ authorization: `Bearer ${tokens.get('merchandiser')}` }, 'S2');
    expect(byToken.statusCode).toBe(403);
  });

  it('a store manager reads only their stores', async () => {
    const cookie = cookies.get('store_manager')!;
    const stores = await server.app.inject({ method: 'GET', url: '/v1/stores', headers: { cookie } });
    expect(stores.json().stores.map((s: { store_id: string }) => s.store_id)).toEqual(['S1']);
    const map = await server.app.inject({ method: 'GET', url: '/v1/map', headers: { cookie } });
    expect(map.json().stores.map((s: { store_id: string }) => s.store_id)).toEqual(['S1']);
    expect((await server.app.inject({ method: 'GET', url: '/v1/stores/S2/overview', headers: { cookie } })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'GET', url: '/v1/stores/S1/overview', headers: { cookie } })).statusCode).toBe(200);
  });

  it('a territory-scoped reader sees only the photos of stores in its territories', async () => {
    // A stored analysis as the pipeline writes it (an empty bay): the read answers it in the photo schema.
    const analysis: ShelfAnalysis = {
      status: 'analyzed', retake: [], width: 10, height: 10, format: 'jpeg', quality: { sharpness: 100, brightness: 120 }, detector: 'shelf-detector',
      image_width: 10, image_height: 10, detections: [], facings: [], share_of_shelf: [], gaps: [], prices: [], planogram: null, timings_ms: {}, warnings: [],
    };
    const photo = (store: string) => ({
      photo_id: createHash('sha256').update(store).digest('hex'), store_id: store, visit_id: '', taken_at: new Date().toISOString(),
      status: 'analyzed', retake: [], width: 10, height: 10, lat: null, lon: null, analysis: JSON.stringify(analysis),
    });
    await savePhoto(server.platform.warehouse, photo('S1'));
    await savePhoto(server.platform.warehouse, photo('S2'));
    await createUser({ username: 'cm.east1', role: 'category_manager', territories: ['华东一区'] });
    const cookie = sessionCookie(await login('cm.east1'));
    const read = (store: string) => server.app.inject({ method: 'GET', url: `/v1/photos/${photo(store).photo_id}`, headers: { cookie } });
    expect((await read('S1')).statusCode).toBe(200);
    expect((await read('S2')).statusCode).toBe(404);
  });
});
