import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

// Its own server (one chDB per process): a per-user limit of 1 makes the per-address limit 20.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest', SHELFPULSE_LOGIN_ATTEMPTS_PER_MIN: '1' });
});
afterAll(async () => server?.stop());

describe('password spraying', () => {
  it('limits one address across user names too (20 × the per-user limit), with Retry-After', async () => {
    const attempt = (i: number) => server.app.inject({ method: 'POST', url: '/v1/session', payload: { username: `user${i}`, password: 'a guess' } });
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push((await attempt(i)).statusCode);
    expect(answers).toEqual(Array(20).fill(401));
    const limited = await attempt(20);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
