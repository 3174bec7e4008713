import path from 'node:path';
import zlib from 'node:zlib';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters } from '../../analytics/dead-letters.ts';
import { savePhoto } from '../../analytics/photos.ts';
import { buildApp } from '../../api/app.ts';
import { Authority } from '../../api/auth.ts';
import { photoRoutes } from '../../api/routes/photos.ts';
import { waitForConsumers } from '../../pipelines/log/event-log.ts';
import { PhotoIntake } from '../../pipelines/photo-intake.ts';
import { PhotoStore } from '../../pipelines/photo-store.ts';
import { VISION_GROUP } from '../../pipelines/log/topics.ts';
import { startVisionWorker } from '../../pipelines/workers/vision-worker.ts';
import { renderShelf } from '../../synthetic/render.ts';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';

/** A held-out bay (never used for training) with competitor packs on it. */
const SHELF_SEED = 900_007;

let server: TestServer;
let shelf: Buffer;

/** A rendered shelf bay stored sideways with EXIF orientation 6 (as phones do) and camera metadata. */
async function shelfPhoto(): Promise<Buffer> {
  const { jpeg } = await renderShelf(SHELF_SEED);
  return sharp(jpeg)
    .rotate(270)
    .withMetadata({ orientation: 6, exif: { IFD0: { Make: 'PhoneCo', Model: 'X1' } } })
    .jpeg({ quality: 92 })
    .toBuffer();
}

/** A PNG whose header claims 100,000 × 100,000 pixels (a pixel bomb), with no real data behind it. */
function pixelBomb(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100_000, 0);
  ihdr.writeUInt32BE(100_000, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(10))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * An iPhone HEIC photo as far as the header goes: ISO-BMFF with an `ftyp` of brand heic and a `meta` box whose
 * primary item is an `hvc1` (HEVC) image of 4032 × 3024, then a few bytes of coded data. Enough for libheif to
 * recognise it and for a sharp without an HEVC decoder to fail on it as it does on a real one.
 */
function iphoneHeic(): Buffer {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const box = (type: string, ...payload: Buffer[]) => {
    const body = Buffer.concat(payload);
    return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]);
  };
  const fullBox = (type: string, version: number, ...payload: Buffer[]) => box(type, u32(version << 24), ...payload);
  const ftyp = box('ftyp', Buffer.from('heic'), u32(0), Buffer.from('mif1heic'));
  const coded = Buffer.alloc(64);
  const meta = (dataOffset: number) =>
    fullBox(
      'meta',
      0,
      fullBox('hdlr', 0, u32(0), Buffer.from('pict'), Buffer.alloc(12), Buffer.from([0])),
      fullBox('pitm', 0, u16(1)),
      // One item, one extent: 4-byte offsets and lengths, no base offset.
      fullBox('iloc', 0, Buffer.from([0x44, 0x00]), u16(1), u16(1), u16(0), u16(1), u32(dataOffset), u32(coded.length)),
      fullBox('iinf', 0, u16(1), fullBox('infe', 2, u16(1), u16(0), Buffer.from('hvc1'), Buffer.from([0]))),
      box(
        'iprp',
        box(
          'ipco',
          box('hvcC', Buffer.from([1, 1, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0x5d, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 0])),
          fullBox('ispe', 0, u32(4032), u32(3024)),
        ),
        // Item 1 has property 1 (hvcC, essential) and property 2 (ispe).
        fullBox('ipma', 0, u32(1), u16(1), Buffer.from([2, 0x81, 0x02])),
      ),
    );
  const dataOffset = ftyp.length + meta(0).length + 8;
  return Buffer.concat([ftyp, meta(dataOffset), box('mdat', coded)]);
}

/** Runs a vision worker on the server's log until it has taken every queued photo, then stops it. */
async function drainPhotos(photoFiles: PhotoStore, level: 'warn' | 'silent'): Promise<void> {
  const { warehouse, log, publisher } = server.platform;
  const worker = await startVisionWorker(
    log,
    new PhotoIntake({ warehouse, photoFiles, publisher, catalogue: server.platform.catalogue, timezone: 'Asia/Shanghai' }),
    pino({ level }),
  );
  try {
    await waitForConsumers(log, VISION_GROUP, ['photos'], 60_000);
  } finally {
    await worker.stop();
  }
}

function upload(files: { name: string; bytes: Buffer; type?: string }[], fields: Record<string, string>, token?: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append('photo', new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'image/jpeg' }), f.name);
  return fetch(`http://127.0.0.1:${(server.app.server.address() as { port: number }).port}/v1/photos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token ?? server.admin().authorization!.slice(7)}` },
    body: form,
  });
}

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  await server.addStores([{ store_id: 'S1', name: '上海人民路店', territory: '上海大区', region: '华东', city: '上海', lat: 31.23, lon: 121.47 }]);
  await server.useDemoCatalogue();
  shelf = await shelfPhoto();
});
afterAll(async () => server?.stop());

describe('the capture path', () => {
  it('stores a good photo upright without metadata and returns its analysis, once per content', async () => {
    const res = await upload([{ name: 'bay1.jpg', bytes: shelf }], {
      store_id: 'S1',
      visit_id: 'V1',
      taken_at: '2026-11-20T10:00:00+08:00',
      lat: '31.23',
      lon: '121.47',
    });
    expect(res.status).toBe(201);
    const [photo] = ((await res.json()) as { photos: Record<string, any>[] }).photos;
    expect(photo).toMatchObject({ store_id: 'S1', visit_id: 'V1', status: 'analyzed', retake: [], width: 1600, height: 1200 });
    expect(photo!.photo_id).toMatch(/^[0-9a-f]{64}$/);

    const stored = await server.app.inject({ method: 'GET', url: `/v1/photos/${photo!.photo_id}`, headers: server.admin() });
    expect(stored.json()).toMatchObject({ photo_id: photo!.photo_id, status: 'analyzed', taken_at: '2026-11-20T02:00:00.000Z', lat: 31.23 });
    // One answer for the upload and the read (PhotoAnalysis): the same fields.
    expect(Object.keys(stored.json()).sort()).toEqual(Object.keys(photo!).sort());

    const image = await server.app.inject({ method: 'GET', url: `/v1/photos/${photo!.photo_id}/image`, headers: server.admin() });
    expect(image.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(image.rawPayload).metadata();
    expect({ width: meta.width, height: meta.height, exif: meta.exif, orientation: meta.orientation }).toEqual({
      width: 1600,
      height: 1200,
      exif: undefined,
      orientation: undefined,
    });

    // The shelf itself: packs recognised as SKUs, facings, share of shelf, prices read from the tags.
    const { truth } = await renderShelf(SHELF_SEED);
    expect(photo!.detections.length).toBeGreaterThan(truth.products.length * 0.8);
    expect(photo!.detections.length).toBeLessThan(truth.products.length * 1.2);
    expect(photo!.facings.reduce((n: number, f: { facings: number }) => n + f.facings, 0)).toBe(photo!.detections.length);
    expect(photo!.share_of_shelf.reduce((n: number, s: { by_width: number }) => n + s.by_width, 0)).toBeCloseTo(1, 2);
    const truthPrices = new Set(truth.tags.map((t) => t.price));
    expect(photo!.prices.filter((p: { price: number }) => truthPrices.has(p.price)).length).toBeGreaterThan(truth.tags.length * 0.7);

    // Stored as shelf observations per SKU, and competitor prices go out as competitor-price events.
    const observations = await server.platform.warehouse.query<{ sku: string; facings: number }>(
      'SELECT sku, facings FROM shelf_observations FINAL WHERE photo_id = {id:String}',
      { id: photo!.photo_id },
    );
    expect(observations.map((o) => o.sku).sort()).toEqual(
      photo!.facings
        .filter((f: { sku: string }) => f.sku !== 'unknown')
        .map((f: { sku: string }) => f.sku)
        .sort(),
    );
    await server.settle();
    const competitorPrices = await server.platform.warehouse.query<{ sku: string; source: string }>(
      "SELECT sku, source FROM competitor_prices WHERE store_id = 'S1'",
    );
    expect(competitorPrices.length).toBeGreaterThan(0);
    expect(competitorPrices.every((p) => p.source === 'photo' && p.sku.startsWith('C'))).toBe(true);

    const again = await upload([{ name: 'same.jpg', bytes: shelf }], { store_id: 'S1' });
    expect(((await again.json()) as { photos: { photo_id: string }[] }).photos[0]!.photo_id).toBe(photo!.photo_id);
  });

  it('documents the one photo answer for the upload and the read in the OpenAPI document', async () => {
    const doc = (await server.app.inject({ url: '/docs/json' })).json();
    const read = doc.paths['/v1/photos/{id}'].get.responses['200'].content['application/json'].schema;
    expect(read.title).toBe('PhotoAnalysis');
    expect(read.required).toEqual(expect.arrayContaining(['photo_id', 'bay', 'image_url', 'status', 'detections', 'prices', 'planogram']));
    for (const status of ['201', '202'])
      expect(doc.paths['/v1/photos'].post.responses[status].content['application/json'].schema.properties.photos.items, status).toEqual(read);
  });

  it('reads a photo analysed by an older version, its later fields empty, rather than failing the answer', async () => {
    const photoId = 'a'.repeat(64);
    // An analysis from before bays, planograms and timings were recorded.
    const analysis = {
      status: 'analyzed',
      retake: [],
      width: 4000,
      height: 3000,
      format: 'jpeg',
      quality: { sharpness: 310, brightness: 121 },
      detector: 'shelf-detector',
      detections: [],
      facings: [],
      share_of_shelf: [{ brand: '清泉', by_facings: 0.5, by_width: 0.5 }],
      gaps: [],
      prices: [],
    };
    await savePhoto(server.platform.warehouse, {
      photo_id: photoId,
      store_id: 'S1',
      visit_id: '',
      taken_at: '2026-11-20T08:00:00Z',
      status: 'analyzed',
      retake: [],
      width: 4000,
      height: 3000,
      lat: null,
      lon: null,
      analysis: JSON.stringify(analysis),
    });
    const read = await server.app.inject({ url: `/v1/photos/${photoId}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      photo_id: photoId,
      bay: '',
      status: 'analyzed',
      share_of_shelf: analysis.share_of_shelf,
      planogram: null,
      image_width: 0,
      timings_ms: {},
    });
  });

  it('asks for a retake at once, with reasons in Chinese and English', async () => {
    const blurred = await sharp(shelf).blur(12).toBuffer();
    const dark = await sharp(shelf).linear(0.12, 0).toBuffer();
    const small = await sharp(shelf).resize(400).toBuffer();
    const res = await upload(
      [
        { name: 'blurred.jpg', bytes: blurred },
        { name: 'dark.jpg', bytes: dark },
        { name: 'small.jpg', bytes: small },
      ],
      { store_id: 'S1' },
    );
    expect(res.status).toBe(201);
    const photos = ((await res.json()) as { photos: { status: string; retake: { code: string; message_zh: string; message_en: string }[] }[] }).photos;
    expect(photos.map((p) => p.status)).toEqual(['retake', 'retake', 'retake']);
    expect(photos[0]!.retake.map((r) => r.code)).toContain('blurred');
    expect(photos[1]!.retake.map((r) => r.code)).toContain('too_dark');
    expect(photos[2]!.retake.map((r) => r.code)).toContain('too_small');
    expect(photos[0]!.retake[0]!.message_zh).toMatch(/模糊/);
  });

  it.each([
    ['a text file', () => Buffer.from('not a photo at all'), 422, 'photo_not_an_image', expect.any(String)],
    ['an empty file', () => Buffer.alloc(0), 422, 'photo_empty', expect.any(String)],
    ['a truncated JPEG', () => shelf.subarray(0, Math.floor(shelf.length / 2)), 422, 'photo_corrupt', expect.any(String)],
    ['a pixel bomb', () => pixelBomb(), 413, 'photo_too_many_pixels', expect.any(String)],
    // The bundled sharp has no HEVC decoder: the merchandiser is told what to change, in both languages.
    ['an iPhone HEIC photo', () => iphoneHeic(), 415, 'photo_heic_unsupported', expect.stringMatching(/Most Compatible.*兼容性最佳/s)],
  ])('refuses %s with a reason and stores nothing', async (_name, bytes, status, error, message) => {
    const res = await upload([{ name: 'bad', bytes: bytes() }], { store_id: 'S1' });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error, message });
  });

  it('needs a known store, and a merchandiser uploads only to assigned stores', async () => {
    expect((await upload([{ name: 'a.jpg', bytes: shelf }], { store_id: 'NOPE' })).status).toBe(404);
    expect((await upload([{ name: 'a.jpg', bytes: shelf }], {})).status).toBe(400);
    const token = await server.issueToken({ name: 'Zhang', role: 'merchandiser', store_ids: ['S2'] });
    expect((await upload([{ name: 'a.jpg', bytes: shelf }], { store_id: 'S1' }, token)).status).toBe(403);
  });
});

describe('the distributed shape: ingest queues photos on `photos`, a separate vision worker analyses them', () => {
  it("answers pending, then the worker stores the analysis (against the bay's planogram), the shelf observations and the competitor prices", async () => {
    const { warehouse, log, publisher } = server.platform;
    const store = new PhotoStore(path.join(server.dataDir, 'photos'));
    // The ingest role without the vision role: the same route, handing photos to the log.
    const ingest = await buildApp({
      logger: pino({ level: 'warn' }),
      warehouse,
      publisher,
      auth: new Authority(warehouse, ADMIN_TOKEN),
      bodyLimitBytes: 32 * 1024 * 1024,
      maxRowsPerRequest: 1000,
      sinkLag: () => 0,
      extraRoutes: [
        (app) =>
          photoRoutes(app, {
            warehouse,
            photoFiles: store,
            intake: new PhotoIntake({ warehouse, photoFiles: store, publisher, timezone: 'Asia/Shanghai', visionQueue: log }),
          }),
      ],
    });
    const post = async (files: Buffer[]) => {
      const boundary = 'queued-photos';
      const parts = files.map((bytes, i) =>
        Buffer.concat([
          Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="photo"; filename="bay${i}.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`),
          bytes,
          Buffer.from('\r\n'),
        ]),
      );
      const fields = Buffer.from(
        ['store_id', 'S1', 'bay', 'Q1']
          .flatMap((v, i, a) => (i % 2 ? [] : [`--${boundary}\r\ncontent-disposition: form-data; name="${v}"\r\n\r\n${a[i + 1]}\r\n`]))
          .join(''),
      );
      const payload = Buffer.concat([fields, ...parts, Buffer.from(`--${boundary}--\r\n`)]);
      return ingest.inject({ method: 'POST', url: '/v1/photos', headers: { ...server.admin(`multipart/form-data; boundary=${boundary}`) }, payload });
    };
    const read = async (id: string) => (await ingest.inject({ method: 'GET', url: `/v1/photos/${id}`, headers: server.admin() })).json();

    try {
      // A bay this file has not uploaded yet (another held-out seed), so the queue path starts from nothing.
      const { jpeg: bay, truth } = await renderShelf(900_011);
      // The bay's planogram: the worker, not ingest, looks it up when it analyses the photo.
      const planogram = await server.app.inject({
        method: 'POST',
        url: '/v1/planograms',
        headers: server.admin(),
        payload: [{ store_id: 'S1', bay: 'Q1', shelf_rows: truth.planogram }],
      });
      expect(planogram.json()).toMatchObject({ accepted: 1 });
      const queued = await post([bay]);
      expect(queued.statusCode).toBe(202);
      const [photo] = queued.json().photos;
      expect(photo).toMatchObject({ status: 'pending', detections: [] });
      expect(await read(photo.photo_id)).toMatchObject({ status: 'pending' });

      // The quality gate still runs in ingest: a blurred photo is a retake at once, never queued.
      const blurred = await post([await sharp(bay).blur(12).toBuffer()]);
      expect(blurred.statusCode).toBe(201);
      expect(blurred.json().photos[0]).toMatchObject({ status: 'retake' });

      await drainPhotos(store, 'warn');
      const analysed = await read(photo.photo_id);
      expect(analysed.status).toBe('analyzed');
      expect(analysed.detections.length).toBeGreaterThan(10);
      expect(analysed.bay).toBe('Q1');
      expect(analysed.planogram.score).toBeGreaterThan(0.8);
      const observations = await warehouse.query<{ sku: string }>('SELECT sku FROM shelf_observations FINAL WHERE photo_id = {id:String}', {
        id: photo.photo_id,
      });
      expect(observations.map((o) => o.sku).sort()).toEqual(
        analysed.facings
          .filter((f: { sku: string }) => f.sku !== 'unknown')
          .map((f: { sku: string }) => f.sku)
          .sort(),
      );
      await server.settle();
      const prices = await warehouse.query<{ source: string }>('SELECT source FROM competitor_prices WHERE startsWith(event_id, {prefix:String})', {
        prefix: `photo-${photo.photo_id.slice(0, 32)}-`,
      });
      // One event per competitor SKU of the photo (two tags of one SKU are one observation).
      const competitorSkus = new Set(analysed.prices.filter((p: { sku: string | null }) => p.sku?.startsWith('C')).map((p: { sku: string }) => p.sku));
      expect(competitorSkus.size).toBeGreaterThan(0);
      expect(prices.length).toBe(competitorSkus.size);
      expect(prices.every((p) => p.source === 'photo')).toBe(true);

      // The same bytes again: the stored analysis stands, nothing goes back to pending.
      const again = await post([bay]);
      expect(again.statusCode).toBe(201);
      expect(again.json().photos[0]).toMatchObject({ photo_id: photo.photo_id, status: 'analyzed' });
    } finally {
      await ingest.close();
    }
  });

  it('sends a photo record it cannot analyse to dead-letter with the reason', async () => {
    const { warehouse, log } = server.platform;
    const missing = { photo_id: 'f'.repeat(64), store_id: 'S1', visit_id: '', taken_at: '2026-11-20T02:00:00.000Z', lat: null, lon: null };
    await log.publish('photos', [
      { key: 'S1', value: missing },
      { key: 'S1', value: { ...missing, photo_id: '../../etc/passwd' } },
    ]);
    await drainPhotos(new PhotoStore(path.join(server.dataDir, 'photos')), 'silent');
    await server.settle();
    const reasons = (await listDeadLetters(warehouse, 'photos', 10)).map((d) => d.reason);
    expect(reasons).toContainEqual(expect.stringMatching(/is not in the photo store/));
    expect(reasons).toContainEqual(expect.stringMatching(/photo_id/));
  });
});
