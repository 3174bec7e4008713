import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF } from '../support/days.ts';
import { dailyScans } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let server: TestServer;

async function get(url: string, headers: Record<string, string> = server.admin()) {
  const res = await server.app.inject({ method: 'GET', url, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res;
}

async function sheetsOf(body: Buffer): Promise<Record<string, unknown[][]>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  const sheets: Record<string, unknown[][]> = {};
  workbook.eachSheet((sheet) => {
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    sheets[sheet.name] = rows;
  });
  return sheets;
}

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  const post = (url: string, payload: object) => server.app.inject({ method: 'POST', url, headers: server.admin(), payload });
  await server.addStores([
    { store_id: 'S1', name: '上海南京路店', territory: '浦西', region: '华东', city: '上海', lat: 31.23, lon: 121.47 },
    { store_id: 'S2', name: '杭州西湖店', territory: '杭州', region: '华东', city: '杭州', lat: 30.25, lon: 120.16 },
  ]);
  await post('/v1/products', [
    { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
    { sku: 'P2', name: '脆乐薯片', brand: '脆乐', category: '零食', regular_price: 10, is_competitor: false },
  ]);
  await post('/v1/assortment', [
    { store_id: 'S1', sku: 'P1' },
    { store_id: 'S1', sku: 'P2' },
    { store_id: 'S2', sku: 'P1' },
    { store_id: 'S2', sku: 'P2' },
  ]);
  // P1 stops selling in both stores: a zero-sale alert each; P2 keeps selling.
  await post('/v1/events/scans', [
    ...dailyScans('S1', 'P1', -30, -3, 4),
    ...dailyScans('S2', 'P1', -30, -3, 4),
    ...dailyScans('S1', 'P2', -30, 0, 4),
    ...dailyScans('S2', 'P2', -30, 0, 4),
  ]);
  await server.settle();
  const evaluated = await post('/v1/alerts/evaluate', { as_of: AS_OF });
  expect(evaluated.statusCode, evaluated.body).toBe(200);
}, 120_000);

afterAll(() => server?.stop());

describe('tables export as spreadsheets a person opens', () => {
  it('the alert list as .xlsx: a header row from the answer schema and every filtered alert, read back by a spreadsheet library', async () => {
    const json = (await get('/v1/alerts?type=zero_sale')).json() as { alerts: { id: string; store_id: string }[] };
    expect(json.alerts.length).toBe(2);
    const res = await get('/v1/alerts?type=zero_sale&format=xlsx&lang=zh');
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="alerts-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    const { alerts } = await sheetsOf(res.rawPayload);
    const [header, ...rows] = alerts!;
    expect(header).toEqual(expect.arrayContaining(['id', 'type', 'store_id', 'severity', 'message', 'messages.zh', 'messages.en', 'evidence']));
    expect(rows.map((r) => r[header!.indexOf('id')]).sort()).toEqual(json.alerts.map((a) => a.id).sort());
    expect(rows.every((r) => r[header!.indexOf('type')] === 'zero_sale')).toBe(true);
    expect(String(rows[0]![header!.indexOf('message')])).toMatch(/[\u4e00-\u9fff]/);
  });

  it('CSV by the Accept header, in UTF-8 with a byte-order mark so that Excel on Chinese Windows shows the names', async () => {
    const res = await get('/v1/alerts?type=zero_sale', { ...server.admin(), accept: 'text/csv' });
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(res.rawPayload.subarray(3).toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.store_id).sort()).toEqual(['S1', 'S2']);
    expect(rows[0]!['messages.zh']).toMatch(/[\u4e00-\u9fff]/);
  });

  it('the map as .xlsx has a stores and a territories sheet, and a store-scoped reader exports only their store', async () => {
    const { stores, territories } = await sheetsOf((await get('/v1/map?format=xlsx')).rawPayload);
    const nameAt = stores![0]!.indexOf('name');
    expect(
      stores!
        .slice(1)
        .map((r) => r[nameAt])
        .sort(),
    ).toEqual(['上海南京路店', '杭州西湖店']);
    expect(territories![0]).toContain('territory');
    expect(territories!.length).toBe(3);

    const token = await server.issueToken({ name: 'manager-s1', role: 'store_manager', store_ids: ['S1'] });
    const scoped = await sheetsOf((await get('/v1/map?format=xlsx', { authorization: `Bearer ${token}` })).rawPayload);
    expect(scoped.stores!.slice(1).map((r) => r[nameAt])).toEqual(['上海南京路店']);
    const alerts = await get('/v1/alerts?format=csv', { authorization: `Bearer ${token}` });
    const rows = parse(alerts.rawPayload.subarray(3).toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.store_id)).toEqual(['S1']);
  });

  it('the store list as CSV, nearest first from a point', async () => {
    const res = await get('/v1/stores?format=csv&near=30.25,120.16');
    const rows = parse(res.rawPayload.subarray(3).toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.store_id, r.name])).toEqual([
      ['S2', '杭州西湖店'],
      ['S1', '上海南京路店'],
    ]);
    expect(Number(rows[1]!.distance_km)).toBeGreaterThan(100);
  });

  it('an unknown format is a 400 that names the choices', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/v1/alerts?format=pdf', headers: server.admin() });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('format');
  });
});
