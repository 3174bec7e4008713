import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, spawnServer } from '../support/process.ts';
import { until } from '../support/wait.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-first-start-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('the first `npm start` on an empty data directory', () => {
  it('answers at once with a page that says the demo chain is loading, then serves the app on the same port', async () => {
    const server = await spawnServer([], { SHELFPULSE_DATA_DIR: dataDir }, { starting: true });
    try {
      const page = await fetch(server.url, { headers: { accept: 'text/html', 'accept-language': 'zh-CN,zh;q=0.9' } });
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).toBe('2');
      const html = await page.text();
      expect(html).toContain('Shelfpulse 正在启动');
      expect(html).toMatch(/第 \d 步，共 5 步/);
      expect(html).toContain('http-equiv="refresh"');

      const api = await fetch(`${server.url}/v1/map`, { headers: { accept: 'application/json' } });
      expect(api.status).toBe(503);
      const body = (await api.json()) as { error: string; message: string; steps: number };
      expect(body).toMatchObject({ error: 'starting', steps: 5 });
      expect(body.message).toMatch(/^Shelfpulse is starting: step \d of 5/);

      // The demo loaded, the app takes over the very port the page was on.
      await until(() => /running at http:\/\/localhost:\d+/.test(server.output()), 'the app to listen', 240_000);
      expect(server.output()).toContain(`running at ${server.url}`);
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
  }, 300_000);
});
