import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WarehouseError, type Warehouse } from '../../analytics/warehouse.ts';
import { startWarehouseSink } from '../../pipelines/workers/warehouse-sink.ts';
import { scans } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/wait.ts';

// This process plays ingest only: nothing drains the log until the test starts a sink.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest', SHELFPULSE_MAX_SINK_LAG: '500' });
});
afterAll(async () => server?.stop());

const batch = (prefix: string, n = 200) => scans(prefix, n, (i) => ({ sku: `P${i}` }));

/** The real chDB warehouse behind a switch that makes every insert fail as an unreachable server would. */
function interruptible(warehouse: Warehouse) {
  const state = { down: true, refused: 0 };
  const wrapped: Warehouse = Object.create(warehouse);
  wrapped.insertEncoded = async (table, rows) => {
    if (state.down) {
      state.refused++;
      throw new WarehouseError('unavailable', 'connection refused (test outage)');
    }
    return warehouse.insertEncoded(table, rows);
  };
  return { wrapped, state };
}

async function sinkLag(): Promise<number> {
  return (await server.app.inject({ method: 'GET', url: '/readyz' })).json().sink_lag;
}

describe('the warehouse is unavailable for a while', () => {
  it('ingest buffers in the log up to a bound, then answers 503 with Retry-After, and recovers without loss', async () => {
    const accepted: string[] = [];
    for (const prefix of ['a', 'b', 'c']) {
      const res = await server.app.inject({ method: 'POST', url: '/v1/events/scans', headers: server.admin(), payload: batch(prefix) });
      expect(res.statusCode).toBe(202);
      accepted.push(...batch(prefix).map((r) => r.event_id));
    }
    await until(async () => (await sinkLag()) >= 600, 'a sink lag of 600 events');
    const refused = await server.app.inject({ method: 'POST', url: '/v1/events/scans', headers: server.admin(), payload: batch('d') });
    expect(refused.statusCode).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ error: 'unavailable' });

    // A sink starts while the warehouse still refuses writes, then the warehouse comes back.
    const { wrapped, state } = interruptible(server.platform.warehouse);
    const sink = await startWarehouseSink(server.platform.log, wrapped, server.platform.logger, { lingerMs: 10 });
    try {
      await until(async () => state.refused >= 2, 'two refused writes');
      expect(await sinkLag()).toBeGreaterThanOrEqual(600);
      state.down = false;
      await until(async () => (await sinkLag()) === 0, 'the sink to catch up');

      const again = await server.app.inject({ method: 'POST', url: '/v1/events/scans', headers: server.admin(), payload: batch('d') });
      expect(again.statusCode).toBe(202);
      accepted.push(...batch('d').map((r) => r.event_id));
      await server.settle();
      const counts = await server.platform.warehouse.query<{ n: number; ids: number }>('SELECT count() AS n, uniqExact(event_id) AS ids FROM scans');
      expect(counts).toEqual([{ n: accepted.length, ids: accepted.length }]);
    } finally {
      await sink.stop();
    }
  });
});
