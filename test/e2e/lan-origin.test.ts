import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchChromium } from './harness.ts';

// A phone on the store Wi-Fi reaches the server by a LAN name over plain http, not by localhost. Chromium resolves
// shelfpulse.test to loopback, so the page is served as from another host on the network.
let server: TestServer;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  server = await startTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://shelfpulse.test:${(server.app.server.address() as { port: number }).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the web app over plain http on a LAN address', () => {
  it('renders the sign-in page on a phone viewport: its scripts are not sent to https', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(`${request.url()} ${request.failure()?.errorText}`));
    const response = await page.goto(`${origin}/login`);
    await expect.poll(() => page.locator('input[type="password"]').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(failed).toEqual([]);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });
});
