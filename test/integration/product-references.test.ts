import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recognitionCatalogueRows } from '../../analytics/catalogue.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let dataDir: string;

/** A pack front: a coloured carton with its brand printed large, as a category manager photographs one. */
const packShot = (brand: string, colour: string) =>
  sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="420"><rect width="300" height="420" fill="${colour}"/><text x="150" y="200" font-size="64" text-anchor="middle" fill="white">${brand}</text></svg>`,
    ),
  )
    .jpeg()
    .toBuffer();

const origin = () => `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;

async function postReference(sku: string, files: Buffer[], authorization = server.admin().authorization!) {
  const form = new FormData();
  for (const [i, f] of files.entries()) form.append('image', new Blob([new Uint8Array(f)], { type: 'image/jpeg' }), `pack-${i}.jpg`);
  return fetch(`${origin()}/v1/products/${encodeURIComponent(sku)}/references`, { method: 'POST', headers: { authorization }, body: form });
}

const get = (url: string) => server.app.inject({ method: 'GET', url, headers: server.admin() });

async function start(env: NodeJS.ProcessEnv = {}) {
  server = await startTestServer(env);
  await server.app.listen({ port: 0, host: '127.0.0.1' });
}

beforeAll(async () => {
  await start();
  dataDir = server.dataDir;
  const products = [
    { sku: 'YL-250', name: '伊利纯牛奶 250ml', brand: '伊利', category: '乳品', regular_price: 3.5, is_competitor: false, aliases: ['伊利', 'yili', '纯牛奶'] },
    { sku: 'MN-250', name: '蒙牛纯牛奶 250ml', brand: '蒙牛', category: '乳品', regular_price: 3.3, is_competitor: true, matches_sku: 'YL-250' },
  ];
  const res = await server.app.inject({ method: 'POST', url: '/v1/products', headers: server.admin(), payload: products });
  expect(res.statusCode).toBe(202);
  await server.addStores([{ store_id: 'S1', name: '上海人民路店', territory: '上海大区', region: '华东', city: '上海', lat: 31.23, lon: 121.47 }]);
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the product catalogue as recognition data', () => {
  it('keeps the aliases of a product and lists products with them, own first', async () => {
    const list = (await get('/v1/products?q=yili')).json();
    expect(list.products).toEqual([
      {
        sku: 'YL-250',
        name: '伊利纯牛奶 250ml',
        brand: '伊利',
        category: '乳品',
        is_competitor: false,
        aliases: ['伊利', 'yili', '纯牛奶'],
        reference_images: 0,
      },
    ]);
    expect((await get('/v1/products')).json().products.map((p: { sku: string }) => p.sku)).toEqual(['YL-250', 'MN-250']);
  });

  it('adds pack shots as reference images, serves and lists them, and refuses what it cannot use with a reason', async () => {
    const added = await postReference('YL-250', [await packShot('伊利', '#1d4ed8'), await packShot('yili', '#1e40af')]);
    expect(added.status).toBe(201);
    const { references } = await added.json();
    expect(references).toHaveLength(2);
    expect(references[0]).toMatchObject({ sku: 'YL-250', source: 'upload', photo_id: '', bbox: [], width: 300, height: 420, created_by: 'bootstrap-admin' });

    const image = await get(references[0].image_url);
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(image.rawPayload).metadata()).width).toBe(300);

    expect(
      (await get('/v1/products/YL-250/references'))
        .json()
        .references.map((r: { reference_id: string }) => r.reference_id)
        .sort(),
    ).toEqual(references.map((r: { reference_id: string }) => r.reference_id).sort());

    const unknownSku = await postReference('NOPE', [await packShot('x', '#000')]);
    expect(unknownSku.status).toBe(404);
    expect((await unknownSku.json()).message).toContain('POST /v1/products');
    const notAnImage = await postReference('YL-250', [Buffer.from('not a picture')]);
    expect(notAnImage.status).toBe(422);
    expect((await notAnImage.json()).error).toBe('photo_not_an_image');

    const merchandiser = await server.issueToken({ name: 'merch', role: 'merchandiser', store_ids: ['S1'] });
    expect((await postReference('YL-250', [await packShot('伊利', '#1d4ed8')], `Bearer ${merchandiser}`)).status).toBe(403);
  });

  it('takes a reference from a box on an analysed shelf photo, checking the box', async () => {
    const shelf = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#777' } })
      .composite([{ input: await packShot('伊利', '#1d4ed8'), left: 400, top: 300 }])
      .jpeg()
      .toBuffer();
    const form = new FormData();
    form.append('store_id', 'S1');
    form.append('photo', new Blob([new Uint8Array(shelf)], { type: 'image/jpeg' }), 'bay.jpg');
    const uploaded = await fetch(`${origin()}/v1/photos`, { method: 'POST', headers: { authorization: server.admin().authorization! }, body: form });
    const photo = (await uploaded.json()).photos[0];
    expect(photo.width).toBe(1600);

    const fromBox = (bbox: number[]) =>
      server.app.inject({ method: 'POST', url: '/v1/products/YL-250/references', headers: server.admin(), payload: { photo_id: photo.photo_id, bbox } });
    const taken = await fromBox([400, 300, 300, 420]);
    expect(taken.statusCode).toBe(201);
    expect(taken.json().references[0]).toMatchObject({ source: 'photo', photo_id: photo.photo_id, bbox: [400, 300, 300, 420], width: 300, height: 420 });

    expect((await fromBox([1500, 1100, 300, 300])).statusCode).toBe(400);
    expect(
      (
        await server.app.inject({
          method: 'POST',
          url: '/v1/products/YL-250/references',
          headers: server.admin(),
          payload: { photo_id: 'f'.repeat(64), bbox: [0, 0, 10, 10] },
        })
      ).statusCode,
    ).toBe(404);
  });

  it('deletes a reference from recognition, and keeps the rest through a restart', async () => {
    const before = (await get('/v1/products/YL-250/references')).json().references;
    expect(before).toHaveLength(3);
    const gone = before[0].reference_id;
    expect(
      (await server.app.inject({ method: 'DELETE', url: `/v1/products/YL-250/references/${gone}`, headers: { authorization: server.admin().authorization! } }))
        .statusCode,
    ).toBe(204);
    expect(
      (await server.app.inject({ method: 'DELETE', url: `/v1/products/YL-250/references/${gone}`, headers: { authorization: server.admin().authorization! } }))
        .statusCode,
    ).toBe(404);
    expect((await get(`/v1/products/YL-250/references/${gone}/image`)).statusCode).toBe(404);

    await server.close();
    await start({ SHELFPULSE_DATA_DIR: dataDir });
    const after = (await get('/v1/products/YL-250/references')).json().references;
    expect(after.map((r: { reference_id: string }) => r.reference_id).sort()).toEqual(
      before
        .slice(1)
        .map((r: { reference_id: string }) => r.reference_id)
        .sort(),
    );
    expect((await get(after[0].image_url)).statusCode).toBe(200);
    const catalogue = await recognitionCatalogueRows(server.platform.warehouse);
    expect(catalogue.products.find((p) => p.sku === 'YL-250')?.aliases).toEqual(['伊利', 'yili', '纯牛奶']);
    expect(catalogue.references).toHaveLength(2);
  });
});
