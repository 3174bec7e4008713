import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planogramOf } from '../../analytics/planograms.ts';
import { demoPlanogram, demoRenderOptions } from '../../synthetic/demo-shelves.ts';
import { renderShelf } from '../../synthetic/render.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** A held-out bay (never used for training), photographed square on like the demo's. */
const SHELF_SEED = 900_041;
const DAY = '2026-11-20';

let server: TestServer;
let shelf: { jpeg: Buffer; layout: string[][] };

function upload(fields: Record<string, string>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('photo', new Blob([new Uint8Array(shelf.jpeg)], { type: 'image/jpeg' }), 'bay.jpg');
  const port = (server.app.server.address() as { port: number }).port;
  return fetch(`http://127.0.0.1:${port}/v1/photos`, { method: 'POST', headers: { authorization: server.admin().authorization! }, body: form });
}

const putPlanograms = (rows: object[], authorization = server.admin().authorization!) =>
  server.app.inject({ method: 'POST', url: '/v1/planograms', headers: { authorization, 'content-type': 'application/json' }, payload: rows });

beforeAll(async () => {
  server = await startTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  await server.addStores([{ store_id: 'S1', name: '上海人民路店', territory: '上海大区', region: '华东', city: '上海', lat: 31.23, lon: 121.47 }]);
  await server.useDemoCatalogue();
  const { jpeg, truth } = await renderShelf(SHELF_SEED, demoRenderOptions('none'));
  shelf = { jpeg, layout: truth.planogram };
});
afterAll(async () => server?.stop());

describe('planograms per store bay', () => {
  it('lets an admin put a bay’s planogram (latest wins), rejects a malformed row by its line, and refuses other roles', async () => {
    const res = await putPlanograms([
      { store_id: 'S1', bay: 'B2', shelf_rows: [['P1001', 'P1001'], ['P2001']] },
      { store_id: 'S1', bay: 'B3', shelf_rows: 'P1001 P1002' },
      { store_id: 'S1', bay: 'B4', shelf_rows: [] },
    ]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: [{ line: 2 }, { line: 3 }] });
    expect(await planogramOf(server.platform.warehouse, 'S1', 'B2')).toEqual([['P1001', 'P1001'], ['P2001']]);

    expect((await putPlanograms([{ store_id: 'S1', bay: 'B2', shelf_rows: [['P3001']] }])).statusCode).toBe(202);
    expect(await planogramOf(server.platform.warehouse, 'S1', 'B2')).toEqual([['P3001']]);
    expect(await planogramOf(server.platform.warehouse, 'S1', 'B3')).toBeUndefined();

    const merchandiser = await server.issueToken({ name: 'merch', role: 'merchandiser', store_ids: ['S1'] });
    expect((await putPlanograms([{ store_id: 'S1', bay: 'B2', shelf_rows: [['P1001']] }], `Bearer ${merchandiser}`)).statusCode).toBe(403);

    const docs = (await server.app.inject({ url: '/docs/json' })).json();
    expect(docs.paths['/v1/planograms'].post).toBeDefined();
    expect(JSON.stringify(docs.paths['/v1/planograms'].post)).toContain('shelf_rows');
  });

  it('checks a photo uploaded for a bay against the bay’s stored planogram, and the close raises the planogram alert for own SKUs', async () => {
    // A bay without a planogram: the photo is analysed and keeps its bay, with no compliance.
    const plain = await upload({ store_id: 'S1', bay: 'Z9', taken_at: `${DAY}T09:00:00+08:00` });
    expect(plain.status).toBe(201);
    const [unplanned] = ((await plain.json()) as { photos: Record<string, any>[] }).photos;
    expect(unplanned).toMatchObject({ status: 'analyzed', bay: 'Z9', planogram: null });

    // The planogram of bay A1 plans an own SKU the bay does not carry, and a competitor's product it does not carry.
    const { planogram, skus } = demoPlanogram(shelf.layout, 'planogram_missing');
    expect(skus).toHaveLength(1);
    const rival = { sku: 'C9001', name: '恒泰 饮料 9001', brand: '恒泰', category: '饮料', regular_price: 3.5, is_competitor: true, matches_sku: 'P1001' };
    expect((await server.app.inject({ method: 'POST', url: '/v1/products', headers: server.admin(), payload: [rival] })).statusCode).toBe(202);
    planogram[0]!.push(rival.sku);
    expect((await putPlanograms([{ store_id: 'S1', bay: 'A1', shelf_rows: planogram }])).statusCode).toBe(202);

    const res = await upload({ store_id: 'S1', bay: 'A1', visit_id: 'V1', taken_at: `${DAY}T10:00:00+08:00` });
    expect(res.status).toBe(201);
    const [photo] = ((await res.json()) as { photos: Record<string, any>[] }).photos;
    expect(photo).toMatchObject({ status: 'analyzed', bay: 'A1' });
    expect(photo!.planogram.missing).toEqual(expect.arrayContaining([skus[0], rival.sku]));
    expect(photo!.planogram.score).toBeGreaterThan(0.5);
    expect(photo!.planogram.score).toBeLessThan(1);

    const stored = (await server.app.inject({ url: `/v1/photos/${photo!.photo_id}`, headers: server.admin() })).json();
    expect(stored).toMatchObject({ bay: 'A1', planogram: photo!.planogram });

    const close = await server.app.inject({ method: 'POST', url: '/v1/alerts/evaluate', headers: server.admin(), payload: { as_of: DAY } });
    expect(close.statusCode).toBe(200);
    const alerts = (await server.app.inject({ url: '/v1/alerts?type=planogram&store_id=S1&lang=en', headers: server.admin() })).json();
    const missing = alerts.alerts.find((a: { sku: string }) => a.sku === skus[0]);
    expect(missing).toMatchObject({ type: 'planogram', status: 'open', severity: 'high', evidence: { status: 'missing', photo_id: photo!.photo_id } });
    // The alert is about own SKUs: a competitor's product missing from the bay is not the chain's to fix.
    expect(alerts.alerts.map((a: { sku: string }) => a.sku)).not.toContain(rival.sku);
  });
});
