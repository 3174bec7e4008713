import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

const post = (payload: string | object[], contentType = 'application/json') =>
  server.app.inject({
    method: 'POST',
    url: '/v1/closures',
    headers: { authorization: server.admin().authorization!, 'content-type': contentType },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

const closures = () =>
  server.platform.warehouse.query<{ day: string; store_id: string; region: string; reason: string }>(
    'SELECT toString(date) AS day, store_id, region, reason FROM closures FINAL ORDER BY day, region, store_id',
  );

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

describe('the chain calendar as master data', () => {
  it('takes closed days of the chain, a region or a store as JSON, NDJSON or CSV; the latest write of a day wins', async () => {
    const json = await post([
      { date: '2027-02-06', reason: '春节' },
      { date: '2026-11-20', region: '华南', reason: '台风' },
      { date: '2026-11-21', reason: '' },
      { date: '20261122', store_id: 'S1', reason: '装修' },
    ]);
    expect(json.statusCode).toBe(202);
    expect(json.json()).toMatchObject({ accepted: 3, rejected: [{ line: 4 }] });
    const ndjson = await post('{"date":"2026-11-22","store_id":"S1","reason":"装修"}\n', 'application/x-ndjson');
    expect(ndjson.json()).toMatchObject({ accepted: 1, rejected: [] });
    // CSV with empty cells for the absent store and region; the same chain day again, with another reason.
    const csv = await post('date,store_id,region,reason\n2027-02-06,,,春节假期\n', 'text/csv');
    expect(csv.json()).toMatchObject({ accepted: 1, rejected: [] });
    expect(await closures()).toEqual([
      { day: '2026-11-20', store_id: '', region: '华南', reason: '台风' },
      { day: '2026-11-21', store_id: '', region: '', reason: '' },
      { day: '2026-11-22', store_id: 'S1', region: '', reason: '装修' },
      { day: '2027-02-06', store_id: '', region: '', reason: '春节假期' },
    ]);
    // Sending the same rows again changes nothing a reader sees.
    await post('{"date":"2026-11-22","store_id":"S1","reason":"装修"}\n', 'application/x-ndjson');
    expect(await closures()).toHaveLength(4);
  });
});
