import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

const PASSWORD = 'ten characters or more';

/** A server with SHELFPULSE_MERCHANDISERS_TEACH as given, a store and a merchandiser of that store who signs in with a password. */
async function serverWith(merchandisersTeach: string | undefined): Promise<TestServer> {
  const server = await startTestServer(merchandisersTeach === undefined ? {} : { SHELFPULSE_MERCHANDISERS_TEACH: merchandisersTeach });
  await server.addStores([{ store_id: 'S1', name: 'One', territory: 'T', region: 'R', city: 'C', lat: 31.2, lon: 121.4 }]);
  const user = { username: 'wang.merch', password: PASSWORD, role: 'merchandiser', store_ids: ['S1'] };
  const res = await server.app.inject({ method: 'POST', url: '/v1/users', headers: server.admin(), payload: user });
  if (res.statusCode !== 201) throw new Error(`user refused: ${res.statusCode} ${res.body}`);
  return server;
}

/** What the web app learns when this merchandiser signs in, and then each time it asks who is signed in. */
async function merchandiserSession(server: TestServer) {
  const signIn = await server.app.inject({ method: 'POST', url: '/v1/session', payload: { username: 'wang.merch', password: PASSWORD } });
  expect(signIn.statusCode).toBe(200);
  const cookie = signIn.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const me = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie } });
  return { signIn: signIn.json(), me: me.json(), cookie };
}

/** A merchandiser names a pack of a photo that does not exist: 404 when it may name packs, 403 when it may not. */
const namePack = (server: TestServer, cookie: string) =>
  server.app.inject({
    method: 'POST',
    url: '/v1/unknown-packs/assign',
    headers: { cookie, 'x-shelfpulse-csrf': '1', 'content-type': 'application/json' },
    payload: { sku: 'P1001', packs: [{ photo_id: 'a'.repeat(64), bbox: [0, 0, 10, 10] }] },
  });

// One chDB data directory per process: the two settings get a server each, one after the other.
describe('by default, the session says a merchandiser may not name unknown packs', () => {
  let closed: TestServer;
  beforeAll(async () => {
    closed = await serverWith(undefined);
  }, 60_000);
  afterAll(() => closed?.stop());

  it('by default: a merchandiser is told it may not teach, and the route refuses it; admins and category managers may', async () => {
    const { signIn, me, cookie } = await merchandiserSession(closed);
    expect(signIn.may_teach).toBe(false);
    expect(me.may_teach).toBe(false);
    expect((await namePack(closed, cookie)).statusCode).toBe(403);
    for (const role of ['admin', 'category_manager', 'store_manager', 'sales_director'] as const) {
      const token = await closed.issueToken({ name: `t.${role}`, role });
      const answer = (await closed.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${token}` } })).json();
      expect(answer.may_teach, role).toBe(role === 'admin' || role === 'category_manager');
    }
  });
});

describe('with SHELFPULSE_MERCHANDISERS_TEACH=true, the session says a merchandiser may name unknown packs', () => {
  let open: TestServer;
  beforeAll(async () => {
    open = await serverWith('true');
  }, 60_000);
  afterAll(() => open?.stop());

  it('with SHELFPULSE_MERCHANDISERS_TEACH=true: the merchandiser is told it may teach, and the route lets it (in its stores)', async () => {
    const { signIn, me, cookie } = await merchandiserSession(open);
    expect(signIn.may_teach).toBe(true);
    expect(me.may_teach).toBe(true);
    const named = await namePack(open, cookie);
    expect(named.statusCode, named.body).toBe(404);
    const storeManager = await open.issueToken({ name: 'sm', role: 'store_manager', store_ids: ['S1'] });
    const answer = (await open.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${storeManager}` } })).json();
    expect(answer.may_teach).toBe(false);
  });
});
