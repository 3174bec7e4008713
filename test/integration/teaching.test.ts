import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveRecognitionJob } from '../../analytics/recognition-jobs.ts';
import { localDay, previousDay } from '../../lib/days.ts';
import { until } from '../support/wait.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { type Box, iou, isOwn, ownShare, registerAllBut, untaughtBay } from '../support/untaught-pack.ts';

const ZONE = 'Asia/Shanghai';
const YESTERDAY = previousDay(localDay(Date.now(), ZONE));

let server: TestServer;
let dataDir: string;
let jpeg: Buffer;
/** The own SKU the chain has not taught yet: no reference image, no words. */
let taught: string;
let truthBoxes: Box[];
let shareBefore: number;
let shareAfter: number;

const get = (url: string) => server.app.inject({ method: 'GET', url, headers: server.admin() });

async function finishedJob(jobId: string) {
  let state = { status: 'running', done: 0, failed: [] as string[] };
  await until(async () => (state = (await get(`/v1/recognition-jobs/${jobId}`)).json()).status === 'finished', `recognition job ${jobId}`, 60_000);
  return state;
}

beforeAll(async () => {
  ({ jpeg, taught, truthBoxes, shareBefore, shareAfter } = await untaughtBay());
  // The close's threshold goes between the shares before and after the teaching.
  server = await startTestServer({ SHELFPULSE_MIN_SHARE_OF_SHELF: String(((shareBefore + shareAfter) / 2).toFixed(4)) });
  dataDir = server.dataDir;
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  await server.addStores([{ store_id: 'S1', name: '上海人民路店', territory: '上海大区', region: '华东', city: '上海', lat: 31.23, lon: 121.47 }]);
  await registerAllBut(server, taught);
});
afterAll(async () => {
  await server?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('teaching recognition the packs it did not know', () => {
  it('groups the unknown packs, names them, recognises the photo again, and the share of shelf and its alert follow', async () => {
    const form = new FormData();
    form.append('store_id', 'S1');
    form.append('taken_at', `${YESTERDAY}T10:00:00+08:00`);
    form.append('photo', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'bay.jpg');
    const port = (server.app.server.address() as { port: number }).port;
    const uploaded = await fetch(`http://127.0.0.1:${port}/v1/photos`, {
      method: 'POST',
      headers: { authorization: server.admin().authorization! },
      body: form,
    });
    const photo = (await uploaded.json()).photos[0];
    expect(photo.status).toBe('analyzed');
    expect(ownShare(photo.detections)).toBeCloseTo(shareBefore, 3);

    const close = await server.app.inject({ method: 'POST', url: '/v1/alerts/evaluate', headers: server.admin(), payload: { as_of: YESTERDAY } });
    expect(close.statusCode).toBe(200);
    const lowShare = () => get('/v1/alerts?type=low_share_of_shelf&store_id=S1').then((r) => r.json().alerts[0]);
    // Teaching an own product raises the share over the threshold; a competitor's lowers it under.
    const ownTaught = isOwn(taught);
    const alertBefore = await lowShare();
    if (ownTaught) expect(alertBefore.status).toBe('open');
    else expect(alertBefore).toBeUndefined();
    const mapBefore = (await get(`/v1/map?metric=share_of_shelf&from=${YESTERDAY}&to=${YESTERDAY}`)).json().stores[0];
    expect(mapBefore.share_of_shelf).toBeCloseTo(shareBefore, 3);
    expect(mapBefore.unknown_facings).toBeGreaterThan(0);

    // The unknown packs where the untaught product stands, as a person picks them from the groups.
    const { groups } = (await get('/v1/unknown-packs?store_id=S1')).json();
    const unknown = groups.flatMap((g: { packs: { photo_id: string; bbox: Box }[] }) => g.packs);
    // Every pack whose SKU is unknown can be named, also those whose brand was read off them.
    expect(unknown.length).toBe(photo.detections.filter((d: { sku: string }) => d.sku === 'unknown').length);
    const packs = unknown.filter((p: { bbox: Box }) => truthBoxes.some((t) => iou(p.bbox, t) > 0.5));
    expect(packs.length).toBeGreaterThan(0);

    const assigned = await server.app.inject({
      method: 'POST',
      url: '/v1/unknown-packs/assign',
      headers: server.admin(),
      payload: { sku: taught, packs: packs.map(({ photo_id, bbox }: { photo_id: string; bbox: Box }) => ({ photo_id, bbox })) },
    });
    expect(assigned.statusCode, assigned.body).toBe(202);
    const { job, references } = assigned.json();
    expect(references.length).toBeGreaterThan(0);
    expect(job).toMatchObject({ sku: taught, status: 'running', total: 1 });
    const finished = await finishedJob(job.job_id);
    expect(finished).toMatchObject({ done: 1, failed: [] });

    const again = (await get(`/v1/photos/${photo.photo_id}`)).json();
    expect(again.detections.filter((d: { sku: string }) => d.sku === taught).length).toBeGreaterThanOrEqual(packs.length);
    const mapAfter = (await get(`/v1/map?metric=share_of_shelf&from=${YESTERDAY}&to=${YESTERDAY}`)).json().stores[0];
    expect(mapAfter.share_of_shelf).toBeCloseTo(shareAfter, 3);
    expect(mapAfter.unknown_facings).toBeLessThan(mapBefore.unknown_facings);
    // The close ran again after the job: the alert follows the share across the threshold.
    expect((await lowShare()).status).toBe(ownTaught ? 'resolved' : 'open');
  });

  it('resumes a job a restart interrupted, and refuses naming by roles that may not', async () => {
    const photoId = (await get('/v1/stores/S1/overview')).json().photos[0].photo_id;
    await saveRecognitionJob(server.platform.warehouse, {
      job_id: 'interrupted',
      sku: taught,
      reason: 'test',
      created_by: 'test',
      created_at: new Date().toISOString(),
      photo_ids: [photoId],
      done: 0,
      failed: [],
      status: 'running',
      finished_at: null,
    });
    await server.close();
    server = await startTestServer({ SHELFPULSE_DATA_DIR: dataDir });
    const resumed = await finishedJob('interrupted');
    expect(resumed.done).toBe(1);

    const merchandiser = await server.issueToken({ name: 'merch', role: 'merchandiser', store_ids: ['S1'] });
    const refused = await server.app.inject({
      method: 'POST',
      url: '/v1/unknown-packs/assign',
      headers: { authorization: `Bearer ${merchandiser}`, 'content-type': 'application/json' },
      payload: { sku: taught, packs: [{ photo_id: 'a'.repeat(64), bbox: [0, 0, 10, 10] }] },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toContain('SHELFPULSE_MERCHANDISERS_TEACH');
  });
});
