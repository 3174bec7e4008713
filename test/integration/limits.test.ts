import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_RATE_LIMIT_PER_MIN: '3', SHELFPULSE_MAX_ROWS: '5' });
});
afterAll(async () => server?.stop());

describe('request limits', () => {
  it('refuses more rows than a request may carry, naming the limit', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/events/scans',
      headers: server.admin(),
      payload: Array.from({ length: 6 }, (_, i) => scan(`r${i}`)),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/at most 5/);
  });

  it('rate-limits ingest per token with 429 and Retry-After, and keeps the security headers', async () => {
    const headers = { authorization: `Bearer ${await server.issueToken({ name: 'POS feed', role: 'admin' })}`, 'content-type': 'application/json' };
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push(await server.app.inject({ method: 'POST', url: '/v1/events/scans', headers, payload: [scan(`q${i}`)] }));
    }
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202, 429]);
    const refused = answers[3]!;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('3 requests a minute') });
    // Another token is not starved by this one.
    const other = await server.issueToken({ name: 'ERP', role: 'admin' });
    const fresh = await server.app.inject({
      method: 'POST',
      url: '/v1/events/scans',
      headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json' },
      payload: [scan('q9')],
    });
    expect(fresh.statusCode).toBe(202);
    const health = await server.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['access-control-allow-origin']).toBeUndefined();
  });
});
