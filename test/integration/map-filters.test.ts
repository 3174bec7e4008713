import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayRange } from '../../lib/days.ts';
import { adminRequests } from '../support/requests.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
const { post } = adminRequests(() => server);

const PRODUCTS = [
  { sku: 'M1', name: '牧原纯牛奶', brand: '牧原', category: '乳品', regular_price: 5, is_competitor: false },
  { sku: 'M2', name: '光明酸奶', brand: '光明', category: '乳品', regular_price: 8, is_competitor: false },
  { sku: 'D1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 4, is_competitor: false },
  { sku: 'X1', name: '恒泰矿泉水', brand: '恒泰', category: '饮料', regular_price: 3.5, is_competitor: true, matches_sku: 'D1' },
];
const CATEGORY = new Map(PRODUCTS.map((p) => [p.sku, p.category]));
const BRAND = new Map(PRODUCTS.map((p) => [p.sku, p.brand]));
const PRICE = new Map(PRODUCTS.map((p) => [p.sku, p.regular_price]));

/** Store A is closed for a refit on 5 and 6 October 2026: no sales those days. */
const CLOSED = new Set(['2026-10-05', '2026-10-06']);

interface Scan {
  event_id: string;
  store_id: string;
  sku: string;
  ts: string;
  qty: number;
  unit_price: number;
}

/** One POS line a day at noon Shanghai time, its quantity varying with the day of the month (1, 2 or 3, times k). */
function scans(store: string, sku: string, from: string, to: string, k: number): Scan[] {
  return dayRange(from, to)
    .filter((d) => !(store === 'A' && CLOSED.has(d)))
    .map((d) => ({
      event_id: `${store}-${sku}-${d}`,
      store_id: store,
      sku,
      ts: `${d}T12:00:00+08:00`,
      qty: k * ((Number(d.slice(8)) % 3) + 1),
      unit_price: PRICE.get(sku)!,
    }));
}

const SALES: Scan[] = [
  // Last year's October, September and October of this year, up to the latest sales day 2026-11-20.
  ...scans('A', 'M1', '2025-10-01', '2025-10-31', 1),
  ...scans('A', 'M1', '2026-09-01', '2026-11-20', 2),
  ...scans('A', 'M2', '2026-09-01', '2026-11-20', 1),
  ...scans('A', 'D1', '2025-10-01', '2026-11-20', 3),
  ...scans('B', 'M1', '2026-09-15', '2026-11-20', 1),
  ...scans('B', 'D1', '2026-09-01', '2026-11-20', 2),
  ...scans('C', 'D1', '2025-10-01', '2026-11-20', 1),
];

/** The hand-computed sum: revenue of the fixture's scans of a store in days, of the SKUs that pass the filter. */
const handSum = (store: string | string[], from: string, to: string, keep: (sku: string) => boolean = () => true) =>
  Math.round(
    SALES.filter((s) => [store].flat().includes(s.store_id) && keep(s.sku) && s.ts.slice(0, 10) >= from && s.ts.slice(0, 10) <= to).reduce(
      (n, s) => n + s.qty * s.unit_price,
      0,
    ) * 100,
  ) / 100;
const dairy = (sku: string) => CATEGORY.get(sku) === '乳品';

async function get(url: string) {
  return server.app.inject({ method: 'GET', url, headers: server.admin() });
}
async function map(query: string) {
  const res = await get(`/v1/map?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    period: string;
    from: string;
    to: string;
    compare: { kind: string; from: string; to: string };
    filter: { category: string; brand: string };
    options: { categories: string[]; brands: string[] };
    stores: Record<string, any>[];
    territories: Record<string, any>[];
  };
}
const storeOf = (view: { stores: Record<string, any>[] }, id: string) => view.stores.find((s) => s.store_id === id)!;

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink' });
  await post('/v1/stores', [
    { store_id: 'A', name: '上海徐家汇店', territory: '上海', region: '华东', city: '上海', lat: 31.19, lon: 121.43 },
    { store_id: 'B', name: '上海五角场店', territory: '上海', region: '华东', city: '上海', lat: 31.3, lon: 121.51 },
    { store_id: 'C', name: '广州天河店', territory: '广州', region: '华南', city: '广州', lat: 23.13, lon: 113.32 },
  ]);
  await post('/v1/products', PRODUCTS);
  await post(
    '/v1/closures',
    [...CLOSED].map((date) => ({ date, store_id: 'A', reason: '装修' })),
  );
  for (let i = 0; i < SALES.length; i += 2000) await post('/v1/events/scans', SALES.slice(i, i + 2000));
  await post('/v1/events/inventory', [
    { event_id: 'i-m1', store_id: 'A', sku: 'M1', ts: '2026-11-20T20:00:00+08:00', on_hand: 10 },
    { event_id: 'i-d1', store_id: 'A', sku: 'D1', ts: '2026-11-20T20:00:00+08:00', on_hand: 100 },
  ]);
  await server.settle();
}, 120_000);
afterAll(async () => server?.stop());

describe('GET /v1/map by category or brand, week / month / custom periods and a compare-to period', () => {
  it('period=month is last complete month; a category filter sums only its SKUs, against hand-computed sums of the fixture', async () => {
    const view = await map(`period=month&category=${encodeURIComponent('乳品')}`);
    expect(view).toMatchObject({ period: 'month', from: '2026-10-01', to: '2026-10-31', filter: { category: '乳品', brand: '' } });
    expect(view.options).toEqual({ categories: ['乳品', '饮料'], brands: ['光明', '清泉', '牧原'] }); // no competitor brand
    for (const id of ['A', 'B', 'C']) expect(storeOf(view, id).sales).toBe(handSum(id, '2026-10-01', '2026-10-31', dairy));
    expect(storeOf(view, 'C').sales).toBe(0);
    const shanghai = view.territories.find((t) => t.territory === '上海')!;
    expect(shanghai.sales).toBe(handSum(['A', 'B'], '2026-10-01', '2026-10-31', dairy));
    expect(shanghai.daily_sales).toHaveLength(31);
    expect(shanghai.daily_sales.reduce((n: number, x: number) => n + x, 0)).toBeCloseTo(shanghai.sales, 2);
    // Unfiltered, the same stores sell more: the filter changed the figures, not the period.
    const whole = await map('period=month');
    expect(storeOf(whole, 'A').sales).toBe(handSum('A', '2026-10-01', '2026-10-31'));
    expect(storeOf(whole, 'A').sales).toBeGreaterThan(storeOf(view, 'A').sales);
    // Sell-through of the category: its units against its own stock only (M1's 10 packs, not the water's 100).
    const units = SALES.filter((s) => s.store_id === 'A' && dairy(s.sku) && s.ts.slice(0, 7) === '2026-10').reduce((n, s) => n + s.qty, 0);
    expect(storeOf(view, 'A').sell_through).toBe(Number((units / (units + 10)).toFixed(4)));
  });

  it('a brand filter takes that brand’s SKUs only', async () => {
    const view = await map(`from=2026-11-01&to=2026-11-20&brand=${encodeURIComponent('光明')}`);
    expect(view.period).toBe('custom');
    expect(storeOf(view, 'A').sales).toBe(handSum('A', '2026-11-01', '2026-11-20', (sku) => BRAND.get(sku) === '光明'));
    expect(storeOf(view, 'B').sales).toBe(0);
  });

  it('compares with the previous month or with the same month last year, per open day (closed days left out)', async () => {
    const category = encodeURIComponent('乳品');
    const previous = await map(`period=month&category=${category}&compare=previous_period&metric=sales_vs_compare`);
    expect(previous.compare).toEqual({ kind: 'previous_period', from: '2026-09-01', to: '2026-09-30' });
    const a = storeOf(previous, 'A');
    const sep = handSum('A', '2026-09-01', '2026-09-30', dairy);
    expect(a.sales_compare).toBe(sep);
    // October has 31 days, A was open on 29 of them; September's 30 days were all open.
    expect(a.vs_compare).toBe(Number((a.sales / 29 / (sep / 30) - 1).toFixed(4)));
    expect(a.value).toBe(a.vs_compare);
    // B sold from 15 September: its previous period is half empty, and still per open day of the calendar.
    const b = storeOf(previous, 'B');
    expect(b.vs_compare).toBe(Number((b.sales / 31 / (handSum('B', '2026-09-01', '2026-09-30', dairy) / 30) - 1).toFixed(4)));

    const lastYear = await map(`period=month&category=${category}&metric=sales_vs_compare`);
    expect(lastYear.compare).toEqual({ kind: 'last_year', from: '2025-10-01', to: '2025-10-31' });
    const ly = handSum('A', '2025-10-01', '2025-10-31', dairy);
    expect(storeOf(lastYear, 'A').sales_compare).toBe(ly);
    expect(storeOf(lastYear, 'A').vs_compare).toBe(Number((storeOf(lastYear, 'A').sales / 29 / (ly / 31) - 1).toFixed(4)));
    expect(storeOf(lastYear, 'B').vs_compare).toBeNull(); // B sold no dairy last October: no base
    // The territory compares its sales per open store-day.
    const shanghai = previous.territories.find((t) => t.territory === '上海')!;
    const base = handSum(['A', 'B'], '2026-09-01', '2026-09-30', dairy);
    expect(shanghai.vs_compare).toBe(Number((shanghai.sales / (29 + 31) / (base / 60) - 1).toFixed(4)));
  });

  it('takes week and a custom compare-to period', async () => {
    const week = await map('period=week&compare=previous_period');
    expect(week).toMatchObject({ period: 'week', from: '2026-11-09', to: '2026-11-15', compare: { from: '2026-11-02', to: '2026-11-08' } });
    expect(storeOf(week, 'C').sales_compare).toBe(handSum('C', '2026-11-02', '2026-11-08'));
    const rolling = await map('days=7');
    expect(rolling).toMatchObject({
      period: 'days',
      from: '2026-11-14',
      to: '2026-11-20',
      compare: { kind: 'last_year', from: '2025-11-15', to: '2025-11-21' },
    });
    expect(storeOf(rolling, 'C').sales).toBe(handSum('C', '2026-11-14', '2026-11-20'));
    const custom = await map('from=2026-11-01&to=2026-11-07&compare_from=2025-11-01&compare_to=2025-11-07');
    expect(custom.compare).toEqual({ kind: 'custom', from: '2025-11-01', to: '2025-11-07' });
    expect(storeOf(custom, 'C').sales_compare).toBe(handSum('C', '2025-11-01', '2025-11-07'));
  });

  it('answers 400 with what to change for a bad period or an unknown category or brand', async () => {
    const cases: [string, RegExp][] = [
      ['from=2026-11-10&to=2026-11-01', /from 2026-11-10 is after to 2026-11-01/],
      ['from=2025-01-01&to=2026-11-01', /longer than 366 days/],
      ['period=month&from=2026-11-01', /leave out from\/to/],
      ['compare=custom&compare_from=2026-01-01', /needs both compare_from and compare_to/],
      ['compare_from=2026-02-01&compare_to=2026-01-01', /compare_from 2026-02-01 is after compare_to/],
      [`category=${encodeURIComponent('玩具')}`, /no own product has category 玩具: pick one of 乳品, 饮料/],
      [`brand=${encodeURIComponent('恒泰')}`, /no own product has brand 恒泰/],
      ['period=quarter', /period/],
      ['days=7&period=week', /leave out period, from and to/],
    ];
    for (const [query, message] of cases) {
      const res = await get(`/v1/map?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().message, query).toMatch(message);
    }
  });

  it('exports the filtered map as a spreadsheet with the same figures', async () => {
    const res = await get(`/v1/map?period=month&category=${encodeURIComponent('乳品')}&compare=previous_period&format=xlsx`);
    expect(res.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('stores')!;
    const headers = (sheet.getRow(1).values as string[]).slice(1);
    const rowOf = (id: string) => {
      const values = (sheet.getRow([...Array(sheet.rowCount).keys()].find((i) => sheet.getRow(i + 1).getCell(1).value === id)! + 1).values as unknown[]).slice(
        1,
      );
      return Object.fromEntries(headers.map((h, i) => [h, values[i]]));
    };
    expect(rowOf('A').sales).toBe(handSum('A', '2026-10-01', '2026-10-31', dairy));
    expect(rowOf('A').sales_compare).toBe(handSum('A', '2026-09-01', '2026-09-30', dairy));
  });
});
