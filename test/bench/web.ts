/// <reference lib="dom" />
import zlib from 'node:zlib';
import { startWebHarness } from '../e2e/harness.ts';

/**
 * web_home_ms: median over fresh browser contexts (cold cache) of the time from navigation to the home map painted
 * with every demo store (the map sets data-stores-rendered once all marks are drawn over the basemap).
 * home_js_gzip_kb: the gzip size of every script the home page loads.
 */
export async function benchWeb(): Promise<{ web_home_ms: number; home_js_gzip_kb: number }> {
  const web = await startWebHarness();
  try {
    const timings: number[] = [];
    let scriptBytes = 0;
    for (let run = 0; run < 6; run++) {
      const page = await web.signedInPage('zh');
      const scripts: Promise<number>[] = [];
      if (run === 0) {
        page.on('response', (response) => {
          if (response.request().resourceType() === 'script') scripts.push(response.body().then((body) => zlib.gzipSync(body).length));
        });
      }
      const started = performance.now();
      await page.goto(web.baseUrl);
      await page.waitForSelector(`[data-stores-rendered="${web.storeCount}"]`, { timeout: 30_000 });
      // Painted, not just in the DOM: wait for the frame that shows the marks.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
      const elapsed = performance.now() - started;
      if (run === 0) scriptBytes = (await Promise.all(scripts)).reduce((a, b) => a + b, 0);
      else timings.push(elapsed); // run 0 warms the server's query path and the OS file cache
      await page.context().close();
    }
    timings.sort((a, b) => a - b);
    return { web_home_ms: Math.round(timings[Math.floor(timings.length / 2)]!), home_js_gzip_kb: Math.round((scriptBytes / 1024) * 10) / 10 };
  } finally {
    await web.stop();
  }
}
