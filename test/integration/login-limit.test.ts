import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

// Its own server (one chDB per process): a per-user limit of 1 makes the per-address limit 20. The test client
// comes from 127.0.0.1, which plays the reverse proxy trusted to name the client's address.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SHELFPULSE_ROLES: 'ingest', SHELFPULSE_LOGIN_ATTEMPTS_PER_MIN: '1', SHELFPULSE_TRUST_PROXY: '127.0.0.1' });
});
afterAll(async () => server?.stop());

describe('password spraying', () => {
  it('limits one address across user names too (20 × the per-user limit), with Retry-After', async () => {
    const attempt = (i: number) =>
      server.app.inject({
        method: 'POST',
        url: '/v1/session',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': '203.0.113.7' },
        payload: { username: `user${i}`, password: 'a guess' },
      });
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push((await attempt(i)).statusCode);
    expect(answers).toEqual(Array(20).fill(401));
    const limited = await attempt(20);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('behind a trusted reverse proxy', () => {
  it("counts each client's forwarded address, not the proxy's", async () => {
    const attempt = (client: string) =>
      server.app.inject({
        method: 'POST',
        url: '/v1/session',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': client },
        payload: { username: 'same-user', password: 'a guess' },
      });
    expect((await attempt('198.51.100.1')).statusCode).toBe(401);
    expect((await attempt('198.51.100.1')).statusCode).toBe(429);
    // Another client through the same proxy has its own allowance.
    expect((await attempt('198.51.100.2')).statusCode).toBe(401);
  });

  it('ignores X-Forwarded-For from an address that is not the proxy, so a client cannot pick a fresh address per try', async () => {
    const attempt = (claimed: string) =>
      server.app.inject({
        method: 'POST',
        url: '/v1/session',
        remoteAddress: '192.0.2.9',
        headers: { 'x-forwarded-for': claimed },
        payload: { username: 'spoofer', password: 'a guess' },
      });
    expect((await attempt('198.51.100.10')).statusCode).toBe(401);
    expect((await attempt('198.51.100.11')).statusCode).toBe(429);
  });
});
