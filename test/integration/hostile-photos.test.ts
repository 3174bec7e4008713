import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderShelf } from '../../synthetic/render.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The photo route under a hostile-input campaign: damaged and fake images, odd fields and odd multipart. The
// answer is always a 2xx or a 4xx with a reason, and nothing lands outside the content-addressed photo store.
let server: TestServer;
let url: string;
let images: Buffer[];
const outcomes = new Set<string>();

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}/v1/photos`;
  await server.addStores([{ store_id: 'S1', name: '杭州延安路店', territory: '浙江大区', region: '华东', city: '杭州', lat: 30.26, lon: 120.17 }]);
  const { jpeg } = await renderShelf(77);
  images = [jpeg, await sharp(jpeg).png().toBuffer(), await sharp(jpeg).webp().toBuffer(), await sharp(jpeg).avif({ effort: 0 }).toBuffer()];
});
afterAll(async () => server?.stop());

/** Ways a photo gets damaged on the way: cut short, bytes flipped, junk spliced in, only the header left. */
const damaged = fc
  .tuple(
    fc.nat(3),
    fc.constantFrom('truncate', 'flip', 'splice', 'header', 'intact'),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
  )
  .map(([which, how, at, junk]) => {
    const image = Buffer.from(images[which]!);
    const cut = Math.floor(at * image.length);
    if (how === 'truncate') return image.subarray(0, cut);
    if (how === 'flip') {
      junk.forEach((bits, i) => {
        const at = (cut + i * 97) % image.length;
        image[at] = image[at]! ^ (bits | 1);
      });
      return image;
    }
    if (how === 'splice') return Buffer.concat([image.subarray(0, cut), Buffer.from(junk), image.subarray(cut)]);
    if (how === 'header') return image.subarray(0, Math.min(image.length, 32 + junk.length));
    return image;
  });

function flipped(image: Buffer): Buffer {
  const copy = Buffer.from(image);
  for (let at = Math.floor(copy.length * 0.6); at < copy.length * 0.6 + 40; at += 8) copy[at] = copy[at]! ^ 0x10;
  return copy;
}

const fieldValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('S1', '../../etc/passwd', 'S1\u0000', "S1' OR 1=1 --", '华东', '', ' ', 'NaN', '1e999', '-91', '2026-02-30T25:61:00+08:00'),
);
const fields = fc.record(
  {
    store_id: fc.oneof({ arbitrary: fc.constant('S1'), weight: 4 }, { arbitrary: fieldValue, weight: 1 }),
    visit_id: fieldValue,
    taken_at: fieldValue,
    lat: fieldValue,
    lon: fieldValue,
  },
  { requiredKeys: ['store_id'] },
);
const fileName = fc.oneof(fc.constantFrom('shelf.jpg', '../../../escape.jpg', '/etc/passwd', 'a\u0000b.png', '货架.webp', ''), fc.string({ maxLength: 30 }));
const contentType = fc.constantFrom('image/jpeg', 'image/png', 'image/webp', 'image/heic', 'application/octet-stream', 'text/plain', '');

async function post(form: FormData): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: server.admin().authorization! }, body: form });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function expectAnswered(res: { status: number; body: any }): void {
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
  if (res.status >= 400) expect(res.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  else for (const photo of res.body.photos) expect(['analyzed', 'retake']).toContain(photo.status);
}

describe('hostile photo uploads never get a 5xx', () => {
  it('damaged images, random bytes, odd names and types: 2xx or 4xx with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.oneof({ arbitrary: damaged, weight: 3 }, { arbitrary: fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)), weight: 1 }),
            fileName,
            contentType,
          ),
          { minLength: 1, maxLength: 3 },
        ),
        fc.constantFrom('photo', 'file', 'photos[]'),
        async (files, partName) => {
          const form = new FormData();
          form.append('store_id', 'S1');
          for (const [bytes, name, type] of files) form.append(partName, new Blob([new Uint8Array(bytes)], { type }), name);
          const res = await post(form);
          outcomes.add(`${res.status} ${res.body?.error ?? res.body?.photos?.map((p: { status: string }) => p.status).join('+')}`);
          expectAnswered(res);
        },
      ),
      // Always among the cases: a JPEG with bytes flipped inside its picture data (it decodes, with artefacts).
      { numRuns: 40, examples: [[[[flipped(images[0]!), 'shelf.jpg', 'image/jpeg']], 'photo']] },
    );
    // The campaign reached the analysis of damaged photos, not only the early refusals.
    expect([...outcomes].some((o) => o.startsWith('201') && o.includes('analyzed'))).toBe(true);
  });

  it('odd store ids, times and coordinates with a good photo: 2xx or 4xx with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(fields, async (values) => {
        const form = new FormData();
        for (const [key, value] of Object.entries(values)) if (value !== undefined) form.append(key, value);
        form.append('photo', new Blob([new Uint8Array(images[0]!)], { type: 'image/jpeg' }), 'shelf.jpg');
        expectAnswered(await post(form));
      }),
      { numRuns: 40 },
    );
  });

  it('too many fields, too many files and an oversized field are refused with a reason', async () => {
    const many = new FormData();
    many.append('store_id', 'S1');
    for (let i = 0; i < 40; i++) many.append(`f${i}`, 'x');
    expect(await post(many)).toMatchObject({ status: 400, body: { error: 'bad_request', message: expect.stringMatching(/fields limit/) } });
    const files = new FormData();
    files.append('store_id', 'S1');
    for (let i = 0; i < 11; i++) files.append('photo', new Blob([new Uint8Array(images[0]!)], { type: 'image/jpeg' }), `shelf-${i}.jpg`);
    expect(await post(files)).toMatchObject({ status: 400, body: { error: 'bad_request', message: expect.stringMatching(/files limit/) } });
    const longField = new FormData();
    longField.append('store_id', 'S'.repeat(100_000));
    longField.append('photo', new Blob([new Uint8Array(images[0]!)], { type: 'image/jpeg' }), 'shelf.jpg');
    expect(await post(longField)).toMatchObject({
      status: 400,
      body: { error: 'bad_request', message: expect.stringContaining('field store_id is longer than 1024 bytes') },
    });
  });

  it('keeps every file inside the content-addressed store, whatever the upload names it', async () => {
    const form = new FormData();
    form.append('store_id', 'S1');
    form.append('photo', new Blob([new Uint8Array(images[1]!)], { type: 'image/png' }), '../../../escape.jpg');
    const res = await post(form);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const id: string = res.body.photos[0].photo_id;
    const root = path.join(server.dataDir, 'photos');
    const files = fs
      .readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((file) => path.relative(root, path.join(file.parentPath, file.name)));
    expect(files).toEqual(expect.arrayContaining([`${id.slice(0, 2)}/${id.slice(2)}/original`, `${id.slice(0, 2)}/${id.slice(2)}/derivative.jpg`]));
    for (const file of files) expect(file).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{62}\/(original|derivative\.jpg)$/);
    // Anywhere under the data dir and beside it; the warehouse's own folder only at its top, as the engine moves its
    // parts while we read (a merge's temporary folder vanishes mid-walk).
    const names = (dir: string, recursive: boolean) => fs.readdirSync(dir, { recursive, encoding: 'utf8' });
    const everywhere = [
      ...names(path.dirname(server.dataDir), false),
      ...names(server.dataDir, false).flatMap((top) =>
        top === 'warehouse' || !fs.statSync(path.join(server.dataDir, top)).isDirectory()
          ? [top]
          : names(path.join(server.dataDir, top), true).map((name) => `${top}/${name}`),
      ),
    ];
    expect(everywhere.filter((name) => /escape|passwd/.test(name))).toEqual([]);
  });
});
