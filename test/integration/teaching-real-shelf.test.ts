/**
 * Teaching on a real shelf photo, as a category manager does it: the US cracker bay of the real-shelf fixtures
 * (test/fixtures/real-shelves: skipped where its photo is not at hand), its products registered by brand and name only,
 * one facing of a SKU named from the unknown packs; the photo recognised again names that SKU's other facings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCocoLabels } from '../../vision/labels.ts';
import { fixtureProducts } from '../fixtures/real-shelves/catalogue.ts';
import { realPhotoDir } from '../support/real-photos.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { type Box, iou } from '../support/untaught-pack.ts';
import { until } from '../support/wait.ts';

const FILE = 'us-crackers.jpg';
const TAUGHT = 'RITZ-ORIGINAL-13.7OZ';
const labels = parseCocoLabels(fs.readFileSync('test/fixtures/real-shelves/labels.json', 'utf8')).find((p) => p.fileName === FILE)!;
const photoDir = realPhotoDir([FILE]);

let server: TestServer;
const get = (url: string) => server.app.inject({ method: 'GET', url, headers: server.admin() });

beforeAll(async () => {
  if (!photoDir) return;
  server = await startTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  await server.addStores([{ store_id: 'S1', name: 'Cracker aisle', territory: 'West', region: 'US', city: 'Seattle', lat: 47.6, lon: -122.3 }]);
  const registered = await server.app.inject({
    method: 'POST',
    url: '/v1/products',
    headers: server.admin(),
    payload: fixtureProducts().map((p) => ({ sku: p.sku, name: p.name, brand: p.brand, category: 'crackers', regular_price: 4, is_competitor: !p.own })),
  });
  expect(registered.json().rejected).toEqual([]);
});
afterAll(async () => {
  if (!server) return;
  await server.stop();
  fs.rmSync(server.dataDir, { recursive: true, force: true });
});

describe.skipIf(!photoDir)('teaching on a real shelf photo', () => {
  it('names a SKU from one facing and finds it again on the other facings of the photo, on none of another SKU', async () => {
    const form = new FormData();
    form.append('store_id', 'S1');
    form.append('photo', new Blob([new Uint8Array(fs.readFileSync(path.join(photoDir!, FILE)))], { type: 'image/jpeg' }), FILE);
    const port = (server.app.server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/v1/photos`, { method: 'POST', headers: { authorization: server.admin().authorization! }, body: form });
    const photo = (await res.json()).photos[0];
    expect(photo.status).toBe('analyzed');
    // The labels are in the photo's pixels, the answer in the stored image's.
    const k = photo.image_width / labels.width;
    const truth = labels.boxes
      .filter((b) => b.label === 'product' && b.sku)
      .map((b) => ({ sku: b.sku!, reference: b.reference === true, box: b.bbox.map((v) => Math.round(v * k)) as Box }));
    const skuOf = (bbox: Box) => truth.find((t) => iou(t.box, bbox) > 0.5)?.sku;
    expect(photo.detections.filter((d: { sku: string }) => d.sku === TAUGHT)).toEqual([]);

    // The category manager names the unknown pack where the SKU's clearest facing stands.
    const { groups } = (await get('/v1/unknown-packs?store_id=S1')).json();
    const facing = truth.find((t) => t.sku === TAUGHT && t.reference)!;
    const pack = groups.flatMap((g: { packs: { photo_id: string; bbox: Box }[] }) => g.packs).find((p: { bbox: Box }) => iou(p.bbox, facing.box) > 0.5);
    expect(pack).toBeDefined();
    const assigned = await server.app.inject({
      method: 'POST',
      url: '/v1/unknown-packs/assign',
      headers: server.admin(),
      payload: { sku: TAUGHT, packs: [{ photo_id: pack.photo_id, bbox: pack.bbox }] },
    });
    expect(assigned.statusCode, assigned.body).toBe(202);
    const jobId = assigned.json().job.job_id;
    await until(async () => (await get(`/v1/recognition-jobs/${jobId}`)).json().status === 'finished', `recognition job ${jobId}`, 60_000);

    const named = (await get(`/v1/photos/${photo.photo_id}`)).json().detections.filter((d: { sku: string }) => d.sku === TAUGHT);
    const right = named.filter((d: { bbox: Box }) => skuOf(d.bbox) === TAUGHT).length;
    const facings = truth.filter((t) => t.sku === TAUGHT).length;
    // Today 6 of its 10 facings (the taught one among them), and no pack of another SKU.
    expect(right).toBeGreaterThanOrEqual(facings / 2);
    expect(named.filter((d: { bbox: Box }) => skuOf(d.bbox) !== undefined && skuOf(d.bbox) !== TAUGHT)).toEqual([]);
  });
});
