import { createHash } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import fc from 'fast-check';
import type { FastifyInstance, FastifyRequest, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSession } from '../../analytics/access.ts';
import { savePhoto } from '../../analytics/photos.ts';
import { buildApp } from '../../api/app.ts';
import { Authority, CSRF_HEADER, hashToken, SESSION_COOKIE } from '../../api/auth.ts';
import { USER_ROLES, type UserRole } from '../../contracts/enums.ts';
import type { ShelfAnalysis } from '../../contracts/shelf-analysis.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
const tokens = new Map<string, string>();
/** The same five roles signed in with a password: `Cookie` headers of their sessions. */
const cookies = new Map<string, string>();
const PASSWORD = 'correct horse battery';
/** Every route as Fastify registered it (`GET /v1/alerts/:id`), seen by an onRoute hook from the app's first moment. */
const registered = new Set<string>();

const STORES = ['S1', 'S2'] as const;
type Store = (typeof STORES)[number];
const VIAS = ['token', 'session'] as const;
interface Caller {
  role: UserRole;
  via: (typeof VIAS)[number];
}
interface Call {
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
}

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

/** A multipart upload of one photo to a store, as the capture page sends it. */
function photoUpload(storeId: string, image: Buffer) {
  const boundary = 'shelfpulse-matrix';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="store_id"\r\n\r\n${storeId}\r\n`),
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="photo"; filename="bay.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`),
    image,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { url: '/v1/photos', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** One photo per store (different bytes, so different ids), uploaded before the matrix runs. */
const photos = {} as Record<Store, { id: string; jpeg: Buffer }>;
const TERRITORY: Record<Store, string> = { S1: '华东一区', S2: '华东二区' };
const S1 = { store_id: 'S1', name: '一号店', territory: '华东一区', region: '华东', city: '上海', lat: 31.2, lon: 121.5 };
const square = (lon: number, lat: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + 1, lat],
      [lon + 1, lat + 1],
      [lon, lat + 1],
      [lon, lat],
    ],
  ],
});
const OUTLINES = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: { territory: TERRITORY.S1 }, geometry: square(121, 31) },
    { type: 'Feature', properties: { territory: TERRITORY.S2 }, geometry: square(120, 30) },
  ],
};

/** An open alert of a store, with a made-up SKU that no rule of the daily close touches. */
function alertRow(id: string, store: Store) {
  const now = new Date().toISOString();
  return {
    id,
    type: 'zero_sale',
    status: 'open',
    store_id: store,
    sku: 'MATRIX-SKU',
    territory: TERRITORY[store],
    category: '',
    created_at: now,
    updated_at: now,
    as_of: '2026-11-20',
    severity: 'low',
    message_zh: 'm',
    message_en: 'm',
    suggestion_zh: 's',
    suggestion_en: 's',
    evidence: '{}',
    // The merchandiser (its token's name and its user) is the rep it is assigned to: reps act on their own alerts.
    assignee: 'merchandiser,matrix.merchandiser',
    resolved_at: null,
    version: 1,
  };
}
/** A caller's own visit of a store (started by the visits' POST row). */
const matrixVisit = (c: Caller, store: Store) => `matrix-${c.role}-${c.via}-${store}`;
/** A caller's own alert for a step that cannot be repeated (a resolved alert cannot be resolved again). */
const ownAlert = (step: string, c: Caller, store: Store) => `matrix:${step}:${c.role}:${c.via}:${store}`;

beforeAll(async () => {
  // Fastify announces each new instance on this channel before any route exists: the hook sees every route.
  const announced = ({ fastify }: { fastify: FastifyInstance }) =>
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') registered.add(`${method} ${route.url}`);
    });
  diagnostics.subscribe('fastify.initialization', announced as (message: unknown) => void);
  try {
    server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  } finally {
    diagnostics.unsubscribe('fastify.initialization', announced as (message: unknown) => void);
  }
  await server.addStores([S1, { store_id: 'S2', name: '二号店', territory: '华东二区', region: '华东', city: '杭州', lat: 30.3, lon: 120.2 }]);
  for (const role of USER_ROLES) {
    tokens.set(role, await server.issueToken({ name: role, role, store_ids: scoped(role) }));
    await createUser({ username: `matrix.${role}`, role, store_ids: scoped(role) });
    cookies.set(role, sessionCookie(await login(`matrix.${role}`)));
  }
  for (const [i, store] of STORES.entries()) {
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 90 + i * 60, g: 120, b: 80 } } })
      .jpeg()
      .toBuffer();
    photos[store] = { id: createHash('sha256').update(jpeg).digest('hex'), jpeg };
    const upload = photoUpload(store, jpeg);
    const res = await server.app.inject({
      method: 'POST',
      url: upload.url,
      payload: upload.payload,
      headers: { ...upload.headers, authorization: server.admin().authorization! },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
  const callers = USER_ROLES.flatMap((role) => VIAS.map((via) => ({ role, via })));
  await server.platform.warehouse.insert('alerts', [
    ...STORES.map((store) => alertRow(`matrix:${store}`, store)),
    ...callers.flatMap((c) => STORES.map((store) => alertRow(ownAlert('resolve', c, store), store))),
  ]);
  const outlines = await server.app.inject({ method: 'PUT', url: '/v1/territories/geojson', headers: server.admin(), payload: OUTLINES });
  expect(outlines.statusCode, outlines.body).toBe(200);
});
afterAll(async () => server?.stop());

/**
 * One registered route: who may call it, and a request that succeeds for them. `answers` is what an allowed caller
 * gets: a success or a stated domain 4xx, never 401/403 or a 5xx. Every other role gets 403, and a call without
 * credentials 401 (public routes answer it as they answer everyone).
 */
interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path as registered. */
  route: string;
  allowed: readonly UserRole[] | 'public';
  /** The request, for a caller and the store it addresses (S1 is in every caller's scope, S2 only in the unscoped ones'). */
  call: (caller: Caller, store: Store) => Call;
  answers: number;
  /** By-id routes of a store: a caller scoped to S1 asking for S2's gets this; an unscoped caller gets `answers`. */
  outOfScope?: 403 | 404;
  /** List routes: the stores the answer shows; a caller scoped to S1 sees only S1, an unscoped one S2 too. */
  shows?: (body: any) => string[];
  /** The answer is a never-ending event stream: its status is read, then the stream is dropped. */
  stream?: true;
  /** Signs the session out: a password caller signs in afresh for it, so that its shared session lives on. */
  signsOut?: true;
  /** What an allowed caller's answer holds, beyond its status. */
  returns?: object;
}

const ALL = USER_ROLES;
const ADMIN = ['admin'] as const;
const get = (url: string) => () => ({ url });
const send = (url: string, payload: unknown) => () => ({ url, payload });
const storesOf = (body: { stores: { store_id: string }[] }) => body.stores.map((s) => s.store_id);
const storeOfTerritory = (territory: string) => STORES.find((s) => TERRITORY[s] === territory) ?? territory;

/** A valid record of each master data kind and event stream (a day before the alerts' day, a SKU no alert names). */
const ONE_ROW = {
  stores: S1,
  products: { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 2, is_competitor: false },
  assortment: { store_id: 'S1', sku: 'P1' },
  promotions: { promo_id: 'PR1', sku: 'P1', start_date: '2026-11-01', end_date: '2026-11-07', promo_price: 1.5, store_id: 'S1' },
  planograms: { store_id: 'S1', bay: 'A1', shelf_rows: [['P1', 'P1']] },
  targets: { store_id: 'S1', month: '2026-11', sales_target: 100_000 },
  closures: { date: '2026-11-01', reason: 'refit', store_id: 'S1' },
  'events/scans': { event_id: 'matrix-scan', store_id: 'S1', sku: 'P1', ts: '2026-11-19T10:00:00+08:00', qty: 1, unit_price: 2 },
  'events/orders': { event_id: 'matrix-order', order_id: 'O1', store_id: 'S1', sku: 'P1', ts: '2026-11-19T10:00:00+08:00', qty: 12, unit_price: 1.2 },
  'events/inventory': { event_id: 'matrix-count', store_id: 'S1', sku: 'P1', ts: '2026-11-19T10:00:00+08:00', on_hand: 30 },
  'events/competitor-prices': { event_id: 'matrix-price', store_id: 'S1', sku: 'P1', ts: '2026-11-19T10:00:00+08:00', price: 2, source: 'manual' },
};

// Rows run in order: the outlines' GET comes before their DELETE, and their PUT after it.
const MATRIX: Row[] = [
  // Public: health checks, sign-in, the API docs, the web app.
  { method: 'GET', route: '/healthz', allowed: 'public', call: get('/healthz'), answers: 200 },
  { method: 'GET', route: '/readyz', allowed: 'public', call: get('/readyz'), answers: 200 },
  { method: 'POST', route: '/v1/session', allowed: 'public', call: send('/v1/session', { username: 'matrix.admin', password: PASSWORD }), answers: 200 },
  { method: 'GET', route: '/docs', allowed: 'public', call: get('/docs'), answers: 200 },
  { method: 'GET', route: '/docs/json', allowed: 'public', call: get('/docs/json'), answers: 200 },
  { method: 'GET', route: '/docs/yaml', allowed: 'public', call: get('/docs/yaml'), answers: 200 },
  { method: 'GET', route: '/docs/static/index.html', allowed: 'public', call: get('/docs/static/index.html'), answers: 302 },
  { method: 'GET', route: '/docs/static/swagger-initializer.js', allowed: 'public', call: get('/docs/static/swagger-initializer.js'), answers: 200 },
  { method: 'GET', route: '/docs/static/*', allowed: 'public', call: get('/docs/static/swagger-ui.css'), answers: 200 },
  // The web app's catch-all: a path under /v1 that no API route takes is its JSON 404, built app or not.
  { method: 'GET', route: '/*', allowed: 'public', call: get('/v1/no-such-route'), answers: 404 },

  // Operations and access: admins only.
  { method: 'GET', route: '/metrics', allowed: ADMIN, call: get('/metrics'), answers: 200 },
  { method: 'POST', route: '/v1/tokens', allowed: ADMIN, call: send('/v1/tokens', { name: 'matrix', role: 'merchandiser' }), answers: 201 },
  { method: 'GET', route: '/v1/dead-letters', allowed: ADMIN, call: get('/v1/dead-letters'), answers: 200 },
  { method: 'POST', route: '/v1/dead-letters/replay', allowed: ADMIN, call: send('/v1/dead-letters/replay', { ids: ['no-such-dead-letter'] }), answers: 202 },
  { method: 'GET', route: '/v1/users', allowed: ADMIN, call: get('/v1/users'), answers: 200 },
  { method: 'GET', route: '/v1/users/:username', allowed: ADMIN, call: get('/v1/users/matrix.admin'), answers: 200 },
  {
    method: 'POST',
    route: '/v1/users',
    allowed: ADMIN,
    answers: 201,
    call: (c) => ({ url: '/v1/users', payload: { username: `matrix.new.${c.via}`, password: PASSWORD, role: 'merchandiser' } }),
  },
  { method: 'PATCH', route: '/v1/users/:username', allowed: ADMIN, call: send('/v1/users/matrix.merchandiser', { name: '孙丽' }), answers: 200 },

  // Master data and events: admins only (feeds hold admin tokens). One valid row each, accepted.
  ...Object.entries(ONE_ROW).map(
    ([kind, row]): Row => ({ method: 'POST', route: `/v1/${kind}`, allowed: ADMIN, call: send(`/v1/${kind}`, [row]), answers: 202, returns: { rejected: [] } }),
  ),

  // The session: whoever holds one.
  { method: 'GET', route: '/v1/session', allowed: ALL, call: get('/v1/session'), answers: 200 },
  { method: 'DELETE', route: '/v1/session', allowed: ALL, call: get('/v1/session'), answers: 204, signsOut: true },

  // The dashboard: every role, each within its scope.
  { method: 'GET', route: '/v1/map', allowed: ALL, call: get('/v1/map'), answers: 200, shows: storesOf },
  { method: 'GET', route: '/v1/stores', allowed: ALL, call: get('/v1/stores'), answers: 200, shows: storesOf },
  { method: 'GET', route: '/v1/digest', allowed: ALL, call: get('/v1/digest'), answers: 200 },
  { method: 'GET', route: '/v1/reports/ranking', allowed: ALL, call: get('/v1/reports/ranking'), answers: 200, shows: storesOf },
  { method: 'GET', route: '/v1/reports/distribution', allowed: ALL, call: get('/v1/reports/distribution'), answers: 200 },
  {
    method: 'GET',
    route: '/v1/stores/:store_id/overview',
    allowed: ALL,
    call: (_, store) => ({ url: `/v1/stores/${store}/overview` }),
    answers: 200,
    outOfScope: 404,
  },
  {
    method: 'GET',
    route: '/v1/stores/:store_id/orders',
    allowed: ALL,
    call: (_, store) => ({ url: `/v1/stores/${store}/orders` }),
    answers: 200,
    outOfScope: 404,
  },
  {
    method: 'GET',
    route: '/v1/stores/:store_id/skus/:sku/trend',
    allowed: ALL,
    call: (_, store) => ({ url: `/v1/stores/${store}/skus/P1/trend` }),
    answers: 200,
    outOfScope: 404,
  },
  {
    method: 'GET',
    route: '/v1/territories/geojson',
    allowed: ALL,
    call: get('/v1/territories/geojson'),
    answers: 200,
    shows: (body: { features: { properties: { territory: string } }[] }) => body.features.map((f) => storeOfTerritory(f.properties.territory)),
  },
  { method: 'DELETE', route: '/v1/territories/geojson', allowed: ADMIN, call: get('/v1/territories/geojson'), answers: 204 },
  { method: 'PUT', route: '/v1/territories/geojson', allowed: ADMIN, call: send('/v1/territories/geojson', OUTLINES), answers: 200 },

  // Alerts: everyone reads within scope; the workflow is for those who act on them; the close for category managers.
  {
    method: 'GET',
    route: '/v1/alerts',
    allowed: ALL,
    call: get('/v1/alerts?limit=1000'),
    answers: 200,
    shows: (body: { alerts: { store_id: string }[] }) => body.alerts.map((a) => a.store_id),
  },
  { method: 'GET', route: '/v1/alerts/stream', allowed: ALL, call: get('/v1/alerts/stream'), answers: 200, stream: true },
  { method: 'GET', route: '/v1/alerts/:id', allowed: ALL, call: (_, store) => ({ url: `/v1/alerts/matrix:${store}` }), answers: 200, outOfScope: 404 },
  {
    method: 'POST',
    route: '/v1/alerts/:id/ack',
    allowed: ['admin', 'sales_director', 'category_manager', 'store_manager', 'merchandiser'],
    call: (_, store) => ({ url: `/v1/alerts/matrix:${store}/ack` }),
    answers: 200,
    outOfScope: 404,
  },
  {
    method: 'POST',
    route: '/v1/alerts/:id/resolve',
    allowed: ['admin', 'sales_director', 'category_manager', 'store_manager', 'merchandiser'],
    call: (c, store) => ({ url: `/v1/alerts/${ownAlert('resolve', c, store)}/resolve` }),
    answers: 200,
    outOfScope: 404,
  },
  // A store manager acts on its alerts but does not reassign them (the route refuses it after the role check).
  {
    method: 'POST',
    route: '/v1/alerts/:id/assign',
    allowed: ['admin', 'sales_director', 'category_manager'],
    call: send('/v1/alerts/matrix:S1/assign', { assignee: 'matrix.store_manager' }),
    answers: 200,
  },
  // Reopen undoes a resolve: the caller's own alert, resolved by the resolve row.
  {
    method: 'POST',
    route: '/v1/alerts/:id/reopen',
    allowed: ['admin', 'sales_director', 'category_manager', 'store_manager', 'merchandiser'],
    call: (c, store) => ({ url: `/v1/alerts/${ownAlert('resolve', c, store)}/reopen` }),
    answers: 200,
    outOfScope: 404,
  },
  // The trail and comments: everyone on the alerts in scope (merchandisers comment on theirs); the KPIs within scope.
  {
    method: 'GET',
    route: '/v1/alerts/:id/trail',
    allowed: ALL,
    call: (_, store) => ({ url: `/v1/alerts/matrix:${store}/trail` }),
    answers: 200,
    outOfScope: 404,
  },
  {
    method: 'POST',
    route: '/v1/alerts/:id/comment',
    allowed: ALL,
    call: (_, store) => ({ url: `/v1/alerts/matrix:${store}/comment`, payload: { note: '已到店查看' } }),
    answers: 204,
    outOfScope: 404,
  },
  { method: 'GET', route: '/v1/alert-kpis', allowed: ALL, call: get('/v1/alert-kpis'), answers: 200 },
  // Feedback: the people an alert reaches (a merchandiser on its own alerts); the quality page: those who manage alerts.
  {
    method: 'POST',
    route: '/v1/alerts/:id/feedback',
    allowed: ['admin', 'sales_director', 'category_manager', 'store_manager', 'merchandiser'],
    call: (c, store) => ({ url: `/v1/alerts/${ownAlert('resolve', c, store)}/feedback`, payload: { verdict: 'confirmed', reason: '到店确认' } }),
    answers: 200,
    outOfScope: 404,
  },
  {
    method: 'GET',
    route: '/v1/alert-quality',
    allowed: ['admin', 'sales_director', 'category_manager', 'store_manager'],
    call: get('/v1/alert-quality'),
    answers: 200,
  },
  { method: 'GET', route: '/v1/assignees', allowed: ['admin', 'sales_director', 'category_manager'], call: get('/v1/assignees'), answers: 200 },

  // Channels and routing: admins only (a channel id no channel has: the stated 404; channels.test.ts follows real ones).
  { method: 'GET', route: '/v1/channels', allowed: ADMIN, call: get('/v1/channels'), answers: 200 },
  {
    method: 'POST',
    route: '/v1/channels',
    allowed: ADMIN,
    call: send('/v1/channels', { name: 'matrix', kind: 'wecom', url: 'http://127.0.0.1:9/cgi-bin/webhook/send?key=k' }),
    answers: 201,
  },
  { method: 'PATCH', route: '/v1/channels/:id', allowed: ADMIN, call: send('/v1/channels/no-such-channel', { name: 'x' }), answers: 404 },
  { method: 'DELETE', route: '/v1/channels/:id', allowed: ADMIN, call: get('/v1/channels/no-such-channel'), answers: 404 },
  { method: 'POST', route: '/v1/channels/:id/test', allowed: ADMIN, call: get('/v1/channels/no-such-channel/test'), answers: 404 },
  // The morning digest a channel carries (digests.test.ts follows real ones).
  { method: 'GET', route: '/v1/digest-subscriptions', allowed: ADMIN, call: get('/v1/digest-subscriptions'), answers: 200 },
  {
    method: 'PUT',
    route: '/v1/channels/:id/digest',
    allowed: ADMIN,
    call: send('/v1/channels/no-such-channel/digest', { role: 'director', hour: 8 }),
    answers: 404,
  },
  { method: 'DELETE', route: '/v1/channels/:id/digest', allowed: ADMIN, call: get('/v1/channels/no-such-channel/digest'), answers: 404 },
  { method: 'POST', route: '/v1/channels/:id/digest/send', allowed: ADMIN, call: get('/v1/channels/no-such-channel/digest/send'), answers: 404 },
  { method: 'GET', route: '/v1/routing-rules', allowed: ADMIN, call: get('/v1/routing-rules'), answers: 200 },
  {
    method: 'PUT',
    route: '/v1/routing-rules',
    allowed: ADMIN,
    call: send('/v1/routing-rules', { rules: [{ kind: 'store', key: 'S1', usernames: [] }] }),
    answers: 200,
  },
  {
    method: 'POST',
    route: '/v1/alerts/evaluate',
    allowed: ['admin', 'category_manager'],
    call: send('/v1/alerts/evaluate', { as_of: '2026-11-20' }),
    answers: 200,
  },

  // Photos: merchandisers and store managers upload to their stores; everyone reads those in scope.
  {
    method: 'POST',
    route: '/v1/photos',
    allowed: ['admin', 'merchandiser', 'store_manager'],
    call: (_, store) => photoUpload(store, photos[store].jpeg),
    answers: 201,
    outOfScope: 403,
  },
  { method: 'GET', route: '/v1/photos/:id', allowed: ALL, call: (_, store) => ({ url: `/v1/photos/${photos[store].id}` }), answers: 200, outOfScope: 404 },
  {
    method: 'GET',
    route: '/v1/photos/:id/image',
    allowed: ALL,
    call: (_, store) => ({ url: `/v1/photos/${photos[store].id}/image` }),
    answers: 200,
    outOfScope: 404,
  },

  // Visits: those who photograph shelves start, note and close their own (each caller its own visit per store);
  // everyone reads the visits of the stores in scope. The reads look at the admin's visits, started first.
  {
    method: 'POST',
    route: '/v1/visits',
    allowed: ['admin', 'merchandiser', 'store_manager'],
    call: (c, store) => ({ url: '/v1/visits', payload: { visit_id: matrixVisit(c, store), store_id: store, lat: 31.2, lon: 121.5 } }),
    answers: 201,
    outOfScope: 404,
  },
  {
    method: 'GET',
    route: '/v1/visits',
    allowed: ALL,
    call: (_, store) => ({ url: `/v1/visits?store_id=${store}` }),
    answers: 200,
    outOfScope: 404,
    returns: { visits: expect.arrayContaining([expect.objectContaining({ distance_m: expect.any(Number) })]) },
  },
  {
    method: 'GET',
    route: '/v1/visits/:visit_id',
    allowed: ALL,
    call: (_, store) => ({ url: `/v1/visits/${matrixVisit({ role: 'admin', via: 'token' }, store)}` }),
    answers: 200,
    outOfScope: 404,
  },
  {
    method: 'POST',
    route: '/v1/visits/:visit_id/notes',
    allowed: ['admin', 'merchandiser', 'store_manager'],
    call: (c, store) => ({ url: `/v1/visits/${matrixVisit(c, store)}/notes`, payload: { kind: 'activity', text: '端架陈列' } }),
    answers: 201,
    outOfScope: 404,
  },
  {
    method: 'POST',
    route: '/v1/visits/:visit_id/close',
    allowed: ['admin', 'merchandiser', 'store_manager'],
    call: (c, store) => ({ url: `/v1/visits/${matrixVisit(c, store)}/close`, payload: {} }),
    answers: 200,
    outOfScope: 404,
  },
  { method: 'GET', route: '/v1/stores/:store_id/bays', allowed: ALL, call: (_, store) => ({ url: `/v1/stores/${store}/bays` }), answers: 200, outOfScope: 404 },

  // The catalogue recognition uses: everyone reads it; admins and category managers curate the reference images.
  { method: 'GET', route: '/v1/products', allowed: ALL, call: get('/v1/products'), answers: 200 },
  { method: 'GET', route: '/v1/products/:sku/references', allowed: ALL, call: get('/v1/products/P1/references'), answers: 200 },
  {
    method: 'POST',
    route: '/v1/products/:sku/references',
    allowed: ['admin', 'category_manager'],
    answers: 201,
    call: (_, store) => ({ url: '/v1/products/P1/references', payload: { photo_id: photos[store].id, bbox: [10, 10, 200, 200] } }),
  },
  // A reference id no image has: the stated 404 (the integration test of the catalogue covers the image and its removal).
  {
    method: 'GET',
    route: '/v1/products/:sku/references/:reference_id/image',
    allowed: ALL,
    call: get(`/v1/products/P1/references/${'0'.repeat(64)}/image`),
    answers: 404,
  },
  {
    method: 'DELETE',
    route: '/v1/products/:sku/references/:reference_id',
    allowed: ['admin', 'category_manager'],
    call: get(`/v1/products/P1/references/${'0'.repeat(64)}`),
    answers: 404,
  },

  // Teaching: everyone sees the unknown packs of the stores in scope; admins and category managers name them
  // (merchandisers only where SHELFPULSE_MERCHANDISERS_TEACH allows, which it does not here).
  {
    method: 'GET',
    route: '/v1/unknown-packs',
    allowed: ALL,
    call: (_, store) => ({ url: `/v1/unknown-packs?store_id=${store}` }),
    answers: 200,
    outOfScope: 404,
  },
  {
    method: 'POST',
    route: '/v1/unknown-packs/assign',
    allowed: ['admin', 'category_manager'],
    answers: 202,
    call: () => ({ url: '/v1/unknown-packs/assign', payload: { sku: 'P1', packs: [{ photo_id: photos.S1.id, bbox: [20, 20, 200, 200] }], days: 1 } }),
  },
  // A job id no job has: the stated 404 (test/integration/teaching.test.ts follows a real one).
  { method: 'GET', route: '/v1/recognition-jobs/:job_id', allowed: ALL, call: get('/v1/recognition-jobs/no-such-job'), answers: 404 },
];

async function request(row: Row, call: Call, credentials: Record<string, string>) {
  const json = call.payload !== undefined && !Buffer.isBuffer(call.payload);
  const res = await server.app.inject({
    method: row.method,
    url: call.url,
    headers: { ...credentials, ...(json ? { 'content-type': 'application/json' } : {}), ...call.headers },
    ...(call.payload !== undefined ? { payload: call.payload as InjectOptions['payload'] } : {}),
    ...(row.stream ? { payloadAsStream: true } : {}),
  });
  if (row.stream && res.statusCode === 200) res.stream().destroy();
  return res;
}

async function credentialsOf(row: Row, { role, via }: Caller): Promise<Record<string, string>> {
  if (via === 'token') return { authorization: `Bearer ${tokens.get(role)}` };
  const cookie = row.signsOut ? sessionCookie(await login(`matrix.${role}`)) : cookies.get(role)!;
  return { cookie, [CSRF_HEADER]: '1' };
}

describe('every registered route is in the access matrix', () => {
  it('lists the same method × path pairs as the server registers', () => {
    const inMatrix = new Set(MATRIX.map((r) => `${r.method} ${r.route}`));
    expect(registered.size).toBeGreaterThan(40);
    expect(
      [...registered].filter((r) => !inMatrix.has(r)),
      'registered routes missing from the matrix',
    ).toEqual([]);
    expect(
      [...inMatrix].filter((r) => !registered.has(r)),
      'matrix rows with no route',
    ).toEqual([]);
    expect(inMatrix.size, 'a route twice in the matrix').toBe(MATRIX.length);
    // "Allowed" is a success or a domain 4xx: never an auth refusal, never a server failure.
    for (const row of MATRIX) {
      expect([401, 403], `${row.method} ${row.route}`).not.toContain(row.answers);
      expect(row.answers, `${row.method} ${row.route}`).toBeLessThan(500);
    }
  });

  it('a route that declares neither roles nor public fails at registration, and is refused if it slips past', async () => {
    const deps = {
      logger: pino({ level: 'silent' }),
      warehouse: server.platform.warehouse,
      publisher: server.platform.publisher,
      bodyLimitBytes: 1024,
      maxRowsPerRequest: 1,
      sinkLag: () => 0,
    };
    const auth = new Authority(server.platform.warehouse, undefined);
    const forgotten = async (app: FastifyInstance) => {
      app.get('/v1/forgotten', async () => 'open to all?');
    };
    await expect(buildApp({ ...deps, auth, extraRoutes: [forgotten] })).rejects.toThrow('GET /v1/forgotten declares no access');
    const slipped = { method: 'GET', headers: {}, is404: false, routeOptions: { url: '/v1/forgotten', config: {} } } as unknown as FastifyRequest;
    await expect(auth.authorize(slipped)).rejects.toMatchObject({ statusCode: 403, message: expect.stringContaining('names no roles') });
  });

  it('an unknown path is a JSON 404 with or without credentials', async () => {
    for (const headers of [{}, { authorization: `Bearer ${tokens.get('merchandiser')}` }]) {
      const res = await server.app.inject({ method: 'POST', url: '/v1/no-such-route', headers });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: 'not_found' });
    }
  });
});

describe('roles × routes', () => {
  // Every pair twice: with the role's bearer token, and signed in by password (session cookie + CSRF header).
  const callers = USER_ROLES.flatMap((role) => VIAS.map((via) => ({ role, via })));
  const cases = MATRIX.flatMap((row) => {
    const name = `${row.method} ${row.route}`;
    const anonymous = { name, who: 'anonymous', row, caller: undefined, store: 'S1' as Store };
    if (row.allowed === 'public') return [{ ...anonymous, expected: row.answers }];
    const allowed = row.allowed;
    return [
      { ...anonymous, expected: 401 },
      ...callers.flatMap((caller) => {
        const who = `${caller.role} (${caller.via})`;
        if (!allowed.includes(caller.role)) return [{ name, who, row, caller, store: 'S1' as Store, expected: 403 }];
        const own = { name, who, row, caller, store: 'S1' as Store, expected: row.answers };
        if (!row.outOfScope) return [own];
        return [own, { ...own, store: 'S2' as Store, expected: scoped(caller.role).length > 0 ? row.outOfScope : row.answers }];
      }),
    ];
  });

  it.each(cases)('$name: $who on $store → $expected', async ({ row, caller, store, expected }) => {
    const credentials = caller ? await credentialsOf(row, caller) : {};
    const res = await request(row, row.call(caller ?? { role: 'admin', via: 'token' }, store), credentials);
    expect(res.statusCode, row.stream ? '' : res.body).toBe(expected);
    if (row.returns && expected === row.answers) expect(res.json()).toMatchObject(row.returns);
    if (!caller || !row.shows || expected !== row.answers) return;
    const shown = new Set(row.shows(res.json()));
    if (scoped(caller.role).length > 0) expect([...shown]).toEqual(['S1']);
    else expect([...shown]).toEqual(expect.arrayContaining(['S1', 'S2']));
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
    const [stored] = await server.platform.warehouse.query<{ n: number }>('SELECT count() AS n FROM user_sessions WHERE session_hash = {h:String}', {
      h: hashToken(cookie.value),
    });
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
    await saveSession(server.platform.warehouse, {
      session_hash: hashToken(cookie),
      username: 'matrix.admin',
      expires_at: new Date(Date.now() - 1000).toISOString(),
      revoked: false,
    });
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
    const duplicate = await server.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: server.admin(),
      payload: { username: 'matrix.admin', password: PASSWORD, role: 'admin' },
    });
    expect(duplicate.statusCode).toBe(409);
    const weak = await server.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: server.admin(),
      payload: { username: 'weak', password: 'short', role: 'admin' },
    });
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
  const body = fc.dictionary(fc.constantFrom('username', 'password', 'role', 'store_ids', 'territories', 'disabled', 'name', '__proto__'), nasty, {
    maxKeys: 6,
  });

  it('random bodies, user names and cookies: a 4xx with a reason, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST /v1/session', 'POST /v1/users', 'PATCH /v1/users/', 'GET /v1/session'),
        body,
        fc.string({ maxLength: 70 }),
        async (route, payload, text) => {
          const [method, url] = route.split(' ') as ['GET' | 'POST' | 'PATCH', string];
          const res = await server.app.inject({
            method,
            url: url.endsWith('/') ? `${url}${encodeURIComponent(text) || 'x'}` : url,
            headers: method === 'GET' ? { cookie: `${SESSION_COOKIE}=${encodeURIComponent(text)}` } : server.admin(),
            ...(method === 'GET' ? {} : { payload }),
          });
          expect(res.statusCode, res.body).toBeLessThan(500);
          if (res.statusCode >= 400) expect(res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
        },
      ),
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
    return server.app.inject({
      method: 'POST',
      url: '/v1/photos',
      headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
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
      status: 'analyzed',
      retake: [],
      width: 10,
      height: 10,
      format: 'jpeg',
      quality: { sharpness: 100, brightness: 120 },
      detector: 'shelf-detector',
      image_width: 10,
      image_height: 10,
      detections: [],
      facings: [],
      share_of_shelf: [],
      gaps: [],
      prices: [],
      planogram: null,
      timings_ms: {},
      warnings: [],
    };
    const photo = (store: string) => ({
      photo_id: createHash('sha256').update(store).digest('hex'),
      store_id: store,
      visit_id: '',
      taken_at: new Date().toISOString(),
      status: 'analyzed',
      retake: [],
      width: 10,
      height: 10,
      lat: null,
      lon: null,
      analysis: JSON.stringify(analysis),
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
