import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XLSX_BODY_LIMIT_BYTES } from '../../api/body-parsers.ts';
import { XLSX } from '../../api/rows.ts';
import { scan } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

const fixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url));

/** The text of stores-excel-gbk.csv as Excel on Chinese Windows saves it: CRLF, quotes only where needed. */
const GBK_STORES_TEXT = [
  'store_id,name,territory,region,city,lat,lon,format,manager,备注',
  'SH001,上海南京路店,浦西,华东,上海,31.2353,121.4747,大卖场,"张伟, 李娜","营业至22:00,周末延长"',
  'SH002,"上海""五角场""店",浦东,华东,上海,31.2989,121.5141,,陈喆,',
  '',
].join('\r\n');

async function post(url: string, contentType: string, payload: string | Buffer | object) {
  return server.app.inject({ method: 'POST', url, headers: server.admin(contentType), payload });
}

const storesById = (ids: string[]) =>
  server.platform.warehouse.query<{ store_id: string; name: string; manager: string; format: string; lat: number }>(
    'SELECT store_id, name, manager, format, lat FROM stores FINAL WHERE store_id IN {ids:Array(String)} ORDER BY store_id',
    { ids },
  );

const productsBySku = (skus: string[]) =>
  server.platform.warehouse.query<{ sku: string; name: string; regular_price: number; is_competitor: boolean; matches_sku: string }>(
    'SELECT sku, name, regular_price, is_competitor, matches_sku FROM products FINAL WHERE sku IN {skus:Array(String)} ORDER BY sku',
    { skus },
  );

describe('CSV as Excel writes it', () => {
  it('the GBK fixture is the known text in GBK bytes (no BOM, CRLF)', () => {
    expect(fixture('stores-excel-gbk.csv').equals(iconv.encode(GBK_STORES_TEXT, 'gbk'))).toBe(true);
  });

  it.each([
    ['told from the bytes', 'text/csv'],
    ['named by charset=gbk', 'text/csv; charset=gbk'],
    ['named by charset=GB18030', 'text/csv; charset="GB18030"'],
  ])('stores a GBK CSV from Chinese Excel as the text it holds (%s)', async (_how, contentType) => {
    const res = await post('/v1/stores', contentType, fixture('stores-excel-gbk.csv'));
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [], ignored_fields: ['备注'] });
    expect(await storesById(['SH001', 'SH002'])).toEqual([
      { store_id: 'SH001', name: '上海南京路店', manager: '张伟, 李娜', format: '大卖场', lat: 31.2353 },
      { store_id: 'SH002', name: '上海"五角场"店', manager: '陈喆', format: '', lat: 31.2989 },
    ]);
  });

  it('reads a UTF-8 CSV with a byte-order mark: the first column keeps its name, TRUE/FALSE are booleans', async () => {
    const res = await post('/v1/products', 'text/csv', fixture('products-excel-utf8-bom.csv'));
    expect(res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [], ignored_fields: [] });
    expect(await productsBySku(['0690001', '0690002'])).toEqual([
      { sku: '0690001', name: '清泉 矿泉水 550ml', regular_price: 2.5, is_competitor: false, matches_sku: '' },
      { sku: '0690002', name: '恒泰 矿泉水 550ml, 24瓶', regular_price: 2.3, is_competitor: true, matches_sku: '0690001' },
    ]);
  });

  it('decodes GBK NDJSON named by charset= and stores the events once', async () => {
    const lines = [scan('gbk-1', { store_id: '上海南京路店' }), scan('gbk-2', { store_id: '上海南京路店' })].map((r) => JSON.stringify(r)).join('\n');
    const res = await post('/v1/events/scans', 'application/x-ndjson; charset=gbk', iconv.encode(lines, 'gbk'));
    expect(res.json()).toMatchObject({ accepted: 2, rejected: [] });
    await server.settle();
    const rows = await server.platform.warehouse.query("SELECT event_id, store_id FROM scans WHERE event_id LIKE 'gbk-%' ORDER BY event_id");
    expect(rows).toEqual([
      { event_id: 'gbk-1', store_id: '上海南京路店' },
      { event_id: 'gbk-2', store_id: '上海南京路店' },
    ]);
  });
});

describe('a body in an encoding we cannot be sure of is refused, and nothing of it stored', () => {
  const latin1 = Buffer.from('store_id,name,territory,region,city,lat,lon\nFR1,Café,Île,Nord,Lille,50.6,3.06\n', 'latin1');
  it.each([
    ['Latin-1 (neither UTF-8 nor GB18030)', 'text/csv', latin1],
    ["UTF-16 (Excel's Unicode Text)", 'text/csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('store_id,name\nFR1,Café\n', 'utf16le')])],
    ['a charset we do not take', 'text/csv; charset=iso-8859-1', latin1],
    ['charset=utf-8 on GBK bytes', 'text/csv; charset=utf-8', fixture('stores-excel-gbk.csv')],
    ['JSON that is not UTF-8', 'application/json', latin1],
  ])('%s', async (_name, contentType, body) => {
    const res = await post('/v1/stores', contentType, body);
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ error: 'unsupported_encoding', message: expect.stringMatching(/UTF-8.*GBK/) });
    expect(await storesById(['FR1'])).toEqual([]);
  });
});

describe('JSON exports: null and extra fields', () => {
  const store = { store_id: 'JN1', name: '苏州观前街店', territory: '苏南', region: '华东', city: '苏州', lat: 31.31, lon: 120.62 };

  it('null in an optional field means absent, for every record type; null in a required field still rejects the row', async () => {
    const stores = await post('/v1/stores', 'application/json', [
      { ...store, format: null, manager: null, timezone: null },
      { ...store, store_id: 'JN2', name: null },
    ]);
    expect(stores.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [{ line: 2, error: expect.stringContaining('name') }], ignored_fields: [] });
    const products = await post('/v1/products', 'application/json', [
      { sku: 'JN-P1', name: '清泉 矿泉水', brand: '清泉', category: '饮料', regular_price: 2.5, is_competitor: false, matches_sku: null, aliases: null },
    ]);
    expect(products.json()).toMatchObject({ accepted: 1, rejected: [] });
    const promotions = await post(
      '/v1/promotions',
      'application/x-ndjson',
      [
        JSON.stringify({
          promo_id: 'JN-PR1',
          sku: 'JN-P1',
          start_date: '2026-11-20',
          end_date: '2026-11-26',
          promo_price: 1.99,
          region: '华东',
          store_id: null,
        }),
      ].join('\n'),
    );
    expect(promotions.json()).toMatchObject({ accepted: 1, rejected: [] });
    expect(await storesById(['JN1', 'JN2'])).toEqual([{ store_id: 'JN1', name: '苏州观前街店', manager: '', format: '', lat: 31.31 }]);
    expect(await productsBySku(['JN-P1'])).toMatchObject([{ sku: 'JN-P1', matches_sku: '' }]);
    const promos = await server.platform.warehouse.query("SELECT region, store_id FROM promotions FINAL WHERE promo_id = 'JN-PR1'");
    expect(promos).toEqual([{ region: '华东', store_id: '' }]);
  });

  it('an extra field is ignored and named, the row goes in (JSON master data and NDJSON events)', async () => {
    const stores = await post('/v1/stores', 'application/json', [{ ...store, store_id: 'JN3', extra: 'x', erp_code: 7 }]);
    expect(stores.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [], ignored_fields: ['extra', 'erp_code'] });
    expect(await storesById(['JN3'])).toHaveLength(1);
    const events = await post('/v1/events/scans', 'application/x-ndjson', JSON.stringify({ ...scan('extra-1'), extra: 1, cashier: '王芳' }));
    expect(events.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [], ignored_fields: ['extra', 'cashier'] });
    await server.settle();
    const rows = await server.platform.warehouse.query("SELECT event_id, qty FROM scans WHERE event_id = 'extra-1'");
    expect(rows).toEqual([{ event_id: 'extra-1', qty: scan('extra-1').qty }]);
  });
});

describe('master data as .xlsx (written by openpyxl)', () => {
  it('stores: codes typed as text keep their zeros, numbers stay numbers, empty formatted rows at the end are no rows', async () => {
    const res = await post('/v1/stores', XLSX, fixture('stores.xlsx'));
    expect(res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [], ignored_fields: ['开业日期'] });
    expect(await storesById(['00123', '1002'])).toEqual([
      { store_id: '00123', name: '上海南京路店', manager: '张伟, 李娜', format: '大卖场', lat: 31.2353 },
      { store_id: '1002', name: '杭州湖滨店', manager: '', format: '', lat: 30.2592 },
    ]);
  });

  it('products: an EAN typed as a number, a code shown with a 0000000 format, Excel booleans', async () => {
    const res = await post('/v1/products', XLSX, fixture('products.xlsx'));
    expect(res.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [], ignored_fields: [] });
    expect(await productsBySku(['0690001', '0690003', '6901234567892'])).toEqual([
      { sku: '0690001', name: '清泉 矿泉水 550ml', regular_price: 2.5, is_competitor: false, matches_sku: '' },
      { sku: '0690003', name: '清泉 苏打水 350ml', regular_price: 3, is_competitor: false, matches_sku: '' },
      { sku: '6901234567892', name: '恒泰 矿泉水 550ml', regular_price: 2.3, is_competitor: true, matches_sku: '0690001' },
    ]);
  });

  it('promotions: Excel dates are the days they show', async () => {
    const res = await post('/v1/promotions', XLSX, fixture('promotions.xlsx'));
    expect(res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [], ignored_fields: [] });
    const rows = await server.platform.warehouse.query(
      "SELECT toString(start_date) AS start_date, toString(end_date) AS end_date, promo_price, region FROM promotions FINAL WHERE promo_id = 'P-2026-11'",
    );
    expect(rows).toEqual([{ start_date: '2026-11-20', end_date: '2026-11-26', promo_price: 1.99, region: '华东' }]);
  });

  it('an .xlsx over its own limit (it is read whole) is a 413 that says to split it or send CSV', async () => {
    const res = await post('/v1/stores', XLSX, Buffer.alloc(XLSX_BODY_LIMIT_BYTES + 1));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: 'payload_too_large', message: expect.stringContaining('CSV') });
  });

  it('OpenAPI names the formats and ignored_fields', async () => {
    const spec = (await server.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const upsert = spec.paths['/v1/stores'].post;
    expect(Object.keys(upsert.requestBody.content)).toEqual(expect.arrayContaining(['text/csv', XLSX]));
    expect(upsert.responses['202'].content['application/json'].schema.properties).toHaveProperty('ignored_fields');
  });

  it('a body that is not a workbook is a 400 saying what to do', async () => {
    const res = await post('/v1/stores', XLSX, fixture('stores-excel-gbk.csv'));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining('.xlsx') });
  });
});
