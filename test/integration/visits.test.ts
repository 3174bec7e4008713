import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoAnalysis } from '../../pipelines/metrics.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
const bearer = {} as Record<'merch' | 'other' | 'manager' | 'faraway', string>;
const S1 = { store_id: 'S1', name: '上海人民路店', territory: '上海大区', region: '华东', city: '上海', lat: 31.2304, lon: 121.4737 };
const S2 = { store_id: 'S2', name: '杭州延安路店', territory: '浙江大区', region: '华东', city: '杭州', lat: 30.2741, lon: 120.1551 };
const RIVAL = { sku: 'C9001', name: '恒泰 矿泉水', brand: '恒泰', category: '饮料', regular_price: 2.5, is_competitor: true, matches_sku: 'P1001' };
/** A made-up phone id, as the capture page makes them (crypto.randomUUID). */
const phoneId = (label: string) => `${label}-${Math.random().toString(36).slice(2, 12)}`;

const send = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  server.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

/** A multipart photo upload as the capture page sends it (fields, one file, an optional idempotency key). */
function upload(token: string, fields: Record<string, string>, jpeg: Buffer, key?: string) {
  const boundary = 'shelfpulse-visit';
  const parts = Object.entries(fields).map(([name, value]) =>
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
  );
  const payload = Buffer.concat([
    ...parts,
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="files"; filename="bay.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`),
    jpeg,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` };
  if (key) headers['idempotency-key'] = key;
  return server.app.inject({ method: 'POST', url: '/v1/photos', headers, payload });
}

const shelfJpeg = (shade: number) =>
  sharp({ create: { width: 1280, height: 960, channels: 3, background: { r: shade, g: 120, b: 90 } } })
    .jpeg()
    .toBuffer();

const analysesSoFar = async () => (await photoAnalysis.get()).values.filter((v) => v.metricName?.endsWith('_count')).reduce((n, v) => n + v.value, 0);

beforeAll(async () => {
  server = await startTestServer();
  await server.addStores([S1, S2]);
  expect((await server.app.inject({ method: 'POST', url: '/v1/products', headers: server.admin(), payload: [RIVAL] })).statusCode).toBe(202);
  bearer.merch = await server.issueToken({ name: 'li.na', role: 'merchandiser', store_ids: ['S1'] });
  bearer.other = await server.issueToken({ name: 'wang.fang', role: 'merchandiser', store_ids: ['S1'] });
  bearer.manager = await server.issueToken({ name: 'zhao.lei', role: 'store_manager', store_ids: ['S1'] });
  bearer.faraway = await server.issueToken({ name: 'chen.jie', role: 'merchandiser', store_ids: ['S2'] });
});
afterAll(async () => server?.stop());

describe('a store visit, bay by bay', () => {
  it('records who started it, where and how far from the store; the same id again is the same visit', async () => {
    const visitId = phoneId('visit');
    // About 120 m north-east of the store.
    const start = { visit_id: visitId, store_id: 'S1', lat: 31.2312, lon: 121.4746, started_at: '2026-11-20T09:00:00+08:00' };
    const res = await send(bearer.merch, 'POST', '/v1/visits', start);
    expect(res.statusCode, res.body).toBe(201);
    const visit = res.json();
    expect(visit).toMatchObject({ visit_id: visitId, store_id: 'S1', started_by: 'li.na', started_at: '2026-11-20T01:00:00.000Z', closed_at: null, bays: [] });
    expect(visit.distance_m).toBeGreaterThan(100);
    expect(visit.distance_m).toBeLessThan(140);

    // Sent again after a lost answer: the visit already started, not a second one.
    const again = await send(bearer.merch, 'POST', '/v1/visits', start);
    expect(again.statusCode).toBe(200);
    expect(again.json().started_at).toBe(visit.started_at);
    // The id is another person's visit; a store out of scope does not exist for the caller.
    expect((await send(bearer.other, 'POST', '/v1/visits', start)).statusCode).toBe(409);
    expect((await send(bearer.merch, 'POST', '/v1/visits', { store_id: 'S2' })).statusCode).toBe(404);
    // Without a position there is no distance (null is no position, not 0°, 0°); without an id the server makes one.
    const unplaced = (await send(bearer.merch, 'POST', '/v1/visits', { store_id: 'S1' })).json();
    expect(unplaced.distance_m).toBeNull();
    expect((await send(bearer.merch, 'POST', '/v1/visits', { store_id: 'S1', lat: null, lon: null })).json()).toMatchObject({ lat: null, distance_m: null });
    expect(unplaced.visit_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the bays and photos uploaded with the visit, the hand notes, and the close; managers read it', async () => {
    const visitId = phoneId('visit');
    expect((await send(bearer.merch, 'POST', '/v1/visits', { visit_id: visitId, store_id: 'S1' })).statusCode).toBe(201);
    for (const [i, bay] of ['A1', 'A2', 'A1'].entries()) {
      const res = await upload(bearer.merch, { store_id: 'S1', visit_id: visitId, bay }, await shelfJpeg(60 + i * 40));
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().photos[0]).toMatchObject({ visit_id: visitId, bay });
    }
    // A visit started here is of one store: a photo of another store cannot join it.
    const stray = await upload(server.admin().authorization!.slice(7), { store_id: 'S2', visit_id: visitId, bay: 'B1' }, await shelfJpeg(200));
    expect(stray.statusCode).toBe(400);
    expect(stray.json().message).toContain('visit of store S1');

    const price = { note_id: phoneId('note'), kind: 'competitor_price', sku: 'C9001', price: 2.2, bay: 'A1' };
    const noted = await send(bearer.merch, 'POST', `/v1/visits/${visitId}/notes`, price);
    expect(noted.statusCode, noted.body).toBe(201);
    expect(noted.json()).toMatchObject({ kind: 'competitor_price', sku: 'C9001', price: 2.2, noted_by: 'li.na' });
    expect((await send(bearer.merch, 'POST', `/v1/visits/${visitId}/notes`, price)).statusCode).toBe(201);
    const activity = { note_id: phoneId('note'), kind: 'activity', text: '恒泰 堆头 买二送一' };
    expect((await send(bearer.merch, 'POST', `/v1/visits/${visitId}/notes`, activity)).statusCode).toBe(201);
    // Refusals say what to change.
    const unknown = await send(bearer.merch, 'POST', `/v1/visits/${visitId}/notes`, { kind: 'competitor_price', sku: 'NOPE', price: 1 });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().message).toContain('no product NOPE');
    expect((await send(bearer.merch, 'POST', `/v1/visits/${visitId}/notes`, { kind: 'activity', text: ' ' })).statusCode).toBe(400);
    expect((await send(bearer.merch, 'POST', `/v1/visits/${visitId}/notes`, { kind: 'competitor_price', sku: 'C9001' })).statusCode).toBe(400);
    expect((await send(bearer.other, 'POST', `/v1/visits/${visitId}/notes`, activity)).statusCode).toBe(403);
    expect((await send(bearer.other, 'POST', `/v1/visits/${visitId}/close`)).statusCode).toBe(403);

    const closed = await send(bearer.merch, 'POST', `/v1/visits/${visitId}/close`, { closed_at: '2026-11-20T10:30:00+08:00' });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ closed_at: '2026-11-20T02:30:00.000Z', bays: ['A1', 'A2'] });
    expect(closed.json().photos).toHaveLength(3);
    expect(
      closed
        .json()
        .notes.map((n: { kind: string }) => n.kind)
        .sort(),
    ).toEqual(['activity', 'competitor_price']);
    // Closing again keeps the first close; a closed visit takes no more notes.
    expect((await send(bearer.merch, 'POST', `/v1/visits/${visitId}/close`)).json().closed_at).toBe('2026-11-20T02:30:00.000Z');
    expect((await send(bearer.merch, 'POST', `/v1/visits/${visitId}/notes`, activity)).statusCode).toBe(409);

    // The hand-noted price is a competitor-price event (source manual), stored once although it was sent twice.
    await server.settle();
    const events = await server.platform.warehouse.query<{ source: string; price: number }>(
      'SELECT source, price FROM competitor_prices WHERE event_id = {id:String}',
      { id: `visit-${price.note_id}` },
    );
    expect(events).toEqual([{ source: 'manual', price: 2.2 }]);

    const list = await send(bearer.manager, 'GET', '/v1/visits?store_id=S1');
    expect(list.statusCode).toBe(200);
    expect(list.json().visits.map((v: { visit_id: string }) => v.visit_id)).toContain(visitId);
    expect((await send(bearer.manager, 'GET', `/v1/visits/${visitId}`)).json().bays).toEqual(['A1', 'A2']);
    expect((await send(bearer.faraway, 'GET', `/v1/visits/${visitId}`)).statusCode).toBe(404);
    expect((await send(bearer.faraway, 'GET', '/v1/visits?store_id=S1')).statusCode).toBe(404);
  });

  it('lists the bays of a store that have a planogram', async () => {
    const planogram = { store_id: 'S1', bay: 'A1', shelf_rows: [['P1001', 'P1001'], ['C9001']] };
    expect((await server.app.inject({ method: 'POST', url: '/v1/planograms', headers: server.admin(), payload: [planogram] })).statusCode).toBe(202);
    const res = await send(bearer.merch, 'GET', '/v1/stores/S1/bays');
    expect(res.json()).toEqual({ bays: [{ bay: 'A1', shelf_rows: planogram.shelf_rows }] });
    expect((await send(bearer.merch, 'GET', '/v1/stores/S2/bays')).statusCode).toBe(404);
  });
});

describe('an upload sent again with its idempotency key', () => {
  it('answers the first upload’s photos without analysing them again', async () => {
    const jpeg = await shelfJpeg(150);
    const key = phoneId('upload');
    const before = await analysesSoFar();
    // Two sends at once (a retry while the first is still running) and one after: one analysis.
    const [first, second] = await Promise.all([
      upload(bearer.merch, { store_id: 'S1', bay: 'A2' }, jpeg, key),
      upload(bearer.merch, { store_id: 'S1', bay: 'A2' }, jpeg, key),
    ]);
    const third = await upload(bearer.merch, { store_id: 'S1', bay: 'A2' }, jpeg, key);
    for (const res of [first, second, third]) expect(res.statusCode, res.body).toBe(201);
    const ids = [first, second, third].map((res) => res.json().photos.map((p: { photo_id: string }) => p.photo_id));
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    expect(third.json().photos[0]).toMatchObject({ bay: 'A2', status: first.json().photos[0].status });
    expect((await analysesSoFar()) - before).toBe(1);

    // Keys are each user's own; the same key for another store is a conflict; a malformed key a 400.
    const admin = server.admin().authorization!.slice(7);
    expect((await upload(admin, { store_id: 'S2' }, jpeg, key)).statusCode).toBe(201);
    expect((await upload(admin, { store_id: 'S1' }, jpeg, key)).statusCode).toBe(409);
    expect((await upload(bearer.merch, { store_id: 'S1' }, jpeg, 'bad key!')).statusCode).toBe(400);
  });
});
