import { createHmac } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signature } from '../../pipelines/workers/notifier.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const SECRET = 'webhook-secret-0123456789';
interface Received {
  path: string;
  body: string;
  signature: string;
  delivery: string;
}
const received: Received[] = [];
let flakyFailures = 0;
let receiver: http.Server;
let server: TestServer;

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  // A real webhook receiver on loopback: /ok accepts, /flaky fails twice first, /down always fails.
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url!, body, signature: String(req.headers['x-shelfpulse-signature']), delivery: String(req.headers['x-shelfpulse-delivery']) });
      if (req.url === '/down' || (req.url === '/flaky' && flakyFailures++ < 2)) res.writeHead(503).end();
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  server = await startTestServer({
    SHELFPULSE_WEBHOOKS: `${base}/ok,${base}/flaky,${base}/down`,
    SHELFPULSE_WEBHOOK_SECRET: SECRET,
    SHELFPULSE_ROLES: 'ingest,sink,notifier',
  });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const admin = server.admin();
  await server.addStores([{ store_id: 'S1', name: '南京新街口店', territory: '苏中苏北', region: '华东', city: '南京', lat: 32.04, lon: 118.78 }]);
  await server.app.inject({
    method: 'POST',
    url: '/v1/products',
    headers: admin,
    payload: [
      { sku: 'P1', name: '清泉矿泉水', brand: '清泉', category: '饮料', regular_price: 10, is_competitor: false },
      { sku: 'C1', name: '恒泰矿泉水', brand: '恒泰', category: '饮料', regular_price: 10, is_competitor: true, matches_sku: 'P1' },
    ],
  });
});
afterAll(async () => {
  await server?.stop();
  receiver?.close();
});

describe('alerts reach webhooks and live views', () => {
  it('a new alert arrives on the SSE stream and at every webhook, signed; failing hooks are retried, then dead-lettered', async () => {
    const port = (server.app.server.address() as { port: number }).port;
    const controller = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${port}/v1/alerts/stream?access_token=${server.admin().authorization!.slice(7)}&lang=en`, {
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.getReader();
    let text = '';
    const events = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })().catch(() => {});

    await server.app.inject({
      method: 'POST',
      url: '/v1/events/competitor-prices',
      headers: server.admin(),
      payload: [{ event_id: 'cp1', store_id: 'S1', sku: 'C1', ts: '2026-11-20T10:00:00+08:00', price: 9, source: 'manual' }],
    });
    await server.settle();
    const evaluated = await server.app.inject({ method: 'POST', url: '/v1/alerts/evaluate', headers: server.admin(), payload: { as_of: '2026-11-20' } });
    expect(evaluated.json()).toMatchObject({ by_type: { price_gap: { opened: 1 } } });

    await until(() => text.includes('event: alert'), 'the SSE event');
    const data = JSON.parse(/data: (.*)\n/.exec(text)![1]!);
    expect(data).toMatchObject({ type: 'price_gap', store_id: 'S1', sku: 'P1', message: expect.stringContaining('10.0%') });
    controller.abort();
    await events;

    await until(() => received.some((r) => r.path === '/ok') && received.filter((r) => r.path === '/flaky').length >= 3, 'the webhook deliveries');
    // Checked as a receiver would, from the documented scheme: HMAC-SHA256 of the raw body, hex, after "sha256=".
    for (const r of received) expect(r.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
    // The body is the alert as GET /v1/alerts/:id shows it, in both languages.
    const delivered = JSON.parse(received.find((r) => r.path === '/ok')!.body);
    expect(delivered).toMatchObject({ type: 'price_gap', store_id: 'S1', status: 'open', messages: { zh: expect.any(String), en: expect.any(String) } });
    expect(delivered.message).toBe(`${delivered.messages.zh} / ${delivered.messages.en}`);
    const flaky = received.filter((r) => r.path === '/flaky');
    expect(flaky).toHaveLength(3);
    // Retries repeat one delivery (same id, so a receiver can drop duplicates); each webhook gets its own.
    expect(new Set(flaky.map((r) => r.delivery)).size).toBe(1);
    expect(flaky[0]!.delivery).toMatch(/^[0-9a-f-]{36}$/);
    expect(received.find((r) => r.path === '/ok')!.delivery).not.toBe(flaky[0]!.delivery);

    await until(async () => {
      const res = await server.app.inject({ method: 'GET', url: '/v1/dead-letters?topic=alerts', headers: server.admin() });
      return res.json().dead_letters.length > 0;
    }, 'the dead letter of /down');
    const res = await server.app.inject({ method: 'GET', url: '/v1/dead-letters?topic=alerts', headers: server.admin() });
    expect(res.json().dead_letters[0].reason).toMatch(/\/down failed after 5 attempts: .*503/);
    expect(received.filter((r) => r.path === '/down')).toHaveLength(5);
  });
});

describe('the webhook signature', () => {
  it('matches a known HMAC-SHA256 vector (RFC 4231, test case 2)', () => {
    expect(signature('what do ya want for nothing?', 'Jefe')).toBe('sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});
