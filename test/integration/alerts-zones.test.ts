import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../contracts/alerts.ts';
import { AS_OF as D, day } from '../support/days.ts';
import { adminRequests } from '../support/requests.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// A chain in two time zones: the scheduler closes each zone's day on its own, over its own stores.

let server: TestServer;
const { post } = adminRequests(() => server);

const found = (alerts: readonly Alert[]) => alerts.map((a) => `${a.type} ${a.store_id} ${a.status}`).sort();

beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest,sink', SHELFPULSE_TIMEZONE: 'Asia/Shanghai' });
  const store = (store_id: string, timezone = '') => ({
    store_id,
    name: `门店${store_id}`,
    territory: '华东一区',
    region: '华东',
    city: '上海',
    lat: 31.2,
    lon: 121.4,
    timezone,
  });
  await server.addStores([store('S1'), store('S2'), store('T1', 'Asia/Tokyo'), store('T2', 'Asia/Tokyo')]);
  await post('/v1/products', [
    { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
    { sku: 'C1', name: '恒泰矿泉水', brand: '恒泰', category: '饮料', regular_price: 9, is_competitor: true, matches_sku: 'P1' },
  ]);
  // In each zone: one store whose tills went silent three days ago (no_data), one that last ordered 100 days ago
  // (dormant_customer) and where a competitor sells 10% under the own price (price_gap).
  const scans = ['S1', 'T1'].flatMap((store_id) =>
    Array.from({ length: 28 }, (_, i) => ({ event_id: `${store_id}-${i}`, store_id, sku: 'P1', ts: `${day(-30 + i)}T12:00:00+08:00`, qty: 3, unit_price: 10 })),
  );
  await post('/v1/events/scans', scans);
  await post(
    '/v1/events/orders',
    ['S2', 'T2'].map((store_id) => ({
      event_id: `o-${store_id}`,
      order_id: `O-${store_id}`,
      store_id,
      sku: 'P1',
      ts: `${day(-100)}T10:00:00+08:00`,
      qty: 100,
      unit_price: 8,
    })),
  );
  await post(
    '/v1/events/competitor-prices',
    ['S2', 'T2'].map((store_id) => ({ event_id: `cp-${store_id}`, store_id, sku: 'C1', ts: `${D}T09:00:00+08:00`, price: 9, source: 'manual' })),
  );
  await server.settle();
});
afterAll(async () => server?.stop());

describe('the daily close of a chain in two time zones', () => {
  it("each zone's close raises the alerts of its own stores only, and every alert once", async () => {
    const tokyo = await server.platform.alertService.closeDay(D, undefined, 'Asia/Tokyo');
    expect(found(tokyo.changed)).toEqual(['dormant_customer T2 open', 'no_data T1 open', 'price_gap T2 open']);
    const shanghai = await server.platform.alertService.closeDay(D, undefined, 'Asia/Shanghai');
    expect(found(shanghai.changed)).toEqual(['dormant_customer S2 open', 'no_data S1 open', 'price_gap S2 open']);

    // The dormant are ranked over the whole chain, whichever zone's close raises their alert.
    for (const alert of [...tokyo.changed, ...shanghai.changed].filter((a) => a.type === 'dormant_customer')) {
      expect(alert.evidence).toMatchObject({ dormant_customers: 2 });
    }

    // Closing the day again in every zone neither repeats nor resolves any of them.
    expect((await server.platform.alertService.closeDay(D)).changed).toEqual([]);
    const res = await server.app.inject({ method: 'GET', url: '/v1/alerts', headers: server.admin() });
    expect(found(res.json().alerts)).toEqual([
      'dormant_customer S2 open',
      'dormant_customer T2 open',
      'no_data S1 open',
      'no_data T1 open',
      'price_gap S2 open',
      'price_gap T2 open',
    ]);
  });
});
