import { startTestServer } from '../support/server.ts';
import { renderShelf } from '../../synthetic/render.ts';
import { percentile } from './stats.ts';

const PHOTOS = 6;
const UPLOADS = 18;
const CONCURRENCY = 2;

/** A multipart/form-data body with one photo and the store field, as the capture page sends it. */
function multipart(photo: Buffer, storeId: string): { body: Buffer; contentType: string } {
  const boundary = `----shelfpulse${Math.random().toString(16).slice(2)}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="store_id"\r\n\r\n${storeId}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="bay.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    photo,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * 12-megapixel shelf JPEGs (4000 × 3000, rendered bays) uploaded to a real server in this process: upload →
 * decode → quality gate → detector → one box per pack → SKU match (look, then pack text where unsure) → price OCR → photo store → warehouse (photos + shelf observations).
 * photo_p50/p95 one upload at a time, photo_cpu_p50 the CPU time of each; photos_per_min with CONCURRENCY uploads in flight; detector_p50_ms is
 * session.run alone, from the analysis timings.
 */
export async function benchVision(): Promise<Record<string, number>> {
  const server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  try {
    await server.app.inject({
      method: 'POST',
      url: '/v1/stores',
      headers: server.admin(),
      payload: [{ store_id: 'B1', name: '基准店', territory: '上海大区', region: '华东', city: '上海', lat: 31.2, lon: 121.4 }],
    });
    // The rendered packs are the chain's catalogue: recognised by look, and by their text where the look is unsure.
    await server.useDemoCatalogue();
    const photos: Buffer[] = [];
    for (let i = 0; i < PHOTOS; i++) photos.push((await renderShelf(950_000 + i, { width: 4000, height: 3000, jpegQuality: 90 })).jpeg);
    const upload = async (i: number) => {
      const { body, contentType } = multipart(photos[i % PHOTOS]!, 'B1');
      const started = performance.now();
      const cpu = process.cpuUsage();
      const res = await server.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...server.admin(contentType) }, payload: body });
      if (res.statusCode !== 201) throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
      const [photo] = res.json().photos as { status: string; timings_ms: Record<string, number | undefined> }[];
      if (photo!.status !== 'analyzed') throw new Error(`the bench photo was not analysed: ${JSON.stringify(photo)}`);
      const used = process.cpuUsage(cpu);
      return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, timings: photo!.timings_ms };
    };
    await upload(0); // loads the models
    const sequential: Awaited<ReturnType<typeof upload>>[] = [];
    for (let i = 0; i < UPLOADS; i++) sequential.push(await upload(i));
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < UPLOADS) await upload(next++);
      }),
    );
    const concurrentS = (performance.now() - started) / 1000;
    const stageP50 = (pick: (s: (typeof sequential)[number]) => number) => percentile(sequential.map(pick), 0.5);
    // Where a photo's time goes: each analysis stage, and what is left outside the analysis (upload parse, photo
    // store, warehouse rows), so that a regression names its stage.
    const stages = Object.fromEntries(
      ['decode', 'quality', 'detect', 'pack_boxes', 'recognize', 'pack_text', 'prices', 'prices_run', 'shelf_edge_tags', 'total'].map((stage) => [
        `stage_${stage}_p50_ms`,
        stageP50((s) => s.timings[stage] ?? 0),
      ]),
    );
    return {
      photo_p50_ms: percentile(
        sequential.map((s) => s.ms),
        0.5,
      ),
      photo_p95_ms: percentile(
        sequential.map((s) => s.ms),
        0.95,
      ),
      // CPU of the whole process (every thread: the analysis thread, sharp's, onnxruntime's, the warehouse's) per
      // upload, one at a time: what a photo costs the cores, less swayed than the wall time by other work on the machine.
      photo_cpu_p50_ms: Math.round(stageP50((s) => s.cpuMs)),
      detector_p50_ms: stageP50((s) => s.timings.detector_run ?? 0),
      ...stages,
      outside_analysis_p50_ms: stageP50((s) => s.ms - (s.timings.total ?? 0)),
      photos_per_min: Math.round((UPLOADS / concurrentS) * 60),
    };
  } finally {
    await server.stop();
  }
}
