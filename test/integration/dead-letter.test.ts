import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

describe('a poison record on the log', () => {
  it('lands in dead-letter with the reason, the stream goes on, and it can be replayed corrected', async () => {
    // Another producer on the log (not our validated ingest) writes a record the warehouse cannot take.
    await server.platform.log.publish('scans', [
      { key: 'S1', value: scan('ok-1') },
      { key: 'S1', value: scan('poison-1', { qty: 'seven' }) },
      { key: 'S1', value: scan('ok-2') },
    ]);
    await server.settle();

    const stored = await server.platform.warehouse.query<{ event_id: string }>(
      "SELECT event_id FROM scans WHERE event_id IN ('ok-1','ok-2','poison-1') ORDER BY event_id",
    );
    expect(stored.map((r) => r.event_id)).toEqual(['ok-1', 'ok-2']);

    const listed = await server.app.inject({ method: 'GET', url: '/v1/dead-letters?topic=scans', headers: server.admin() });
    expect(listed.statusCode).toBe(200);
    const [letter] = listed.json().dead_letters;
    expect(letter).toMatchObject({ topic: 'scans', reason: expect.stringContaining('qty') });
    expect(JSON.parse(letter.record)).toMatchObject({ event_id: 'poison-1', qty: 'seven' });

    const replay = await server.app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: server.admin(),
      payload: { ids: [letter.dead_letter_id, 'scans:0:999999'], corrections: { [letter.dead_letter_id]: scan('poison-1', { qty: 7 }) } },
    });
    expect(replay.statusCode).toBe(202);
    expect(replay.json()).toEqual({ replayed: [letter.dead_letter_id], not_found: ['scans:0:999999'] });
    await server.settle();
    const fixed = await server.platform.warehouse.query<{ qty: number }>("SELECT qty FROM scans WHERE event_id = 'poison-1'");
    expect(fixed).toEqual([{ qty: 7 }]);
  });

  it('dead letters are for admins only', async () => {
    const token = await server.issueToken({ name: 'cm', role: 'category_manager' });
    const res = await server.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(403);
  });
});
