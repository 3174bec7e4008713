import http from 'node:http';

/** What the process is doing before the app answers: shown on the starting page and in its JSON answer. */
export interface StartingProgress {
  /** 1-based step of `steps`. */
  step: number;
  steps: number;
  label: { en: string; zh: string };
  startedAt: number;
}

/** The page's texts are the stages' own constants: nothing a request sends is echoed. */
function page(progress: StartingProgress, zh: boolean): string {
  const seconds = Math.round((Date.now() - progress.startedAt) / 1000);
  const title = zh ? 'Shelfpulse 正在启动' : 'Shelfpulse is starting';
  const line = zh
    ? `第 ${progress.step} 步，共 ${progress.steps} 步：${progress.label.zh}（已用 ${seconds} 秒）`
    : `Step ${progress.step} of ${progress.steps}: ${progress.label.en} (${seconds} s so far)`;
  const hint = zh
    ? '首次启动会载入演示连锁（120 家门店、420 天销售），约需一分钟。本页会自动刷新。'
    : 'The first start loads the demo chain (120 stores, 420 days of sales), about a minute. This page refreshes by itself.';
  return `<!doctype html><html lang="${zh ? 'zh' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="2"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2937}
progress{width:100%;height:1rem}</style></head><body><h1>${title}</h1>
<p>${line}</p><progress max="${progress.steps}" value="${progress.step - 1}"></progress><p>${hint}</p></body></html>`;
}

/**
 * Answers on the port while the platform starts and the demo chain loads, so a first `npm start` shows what it is
 * doing instead of refusing connections for a minute: browsers get a page that refreshes itself, API clients a 503
 * with Retry-After and the step. It is closed right before the app listens on the same port.
 */
export async function openStartingPage(port: number, host: string, progress: () => StartingProgress): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const now = progress();
    const wantsPage = (request.headers.accept ?? '').includes('text/html');
    response.setHeader('retry-after', '2');
    response.setHeader('cache-control', 'no-store');
    if (wantsPage) {
      const zh = /^zh/i.test(request.headers['accept-language'] ?? '');
      response.writeHead(503, { 'content-type': 'text/html; charset=utf-8' }).end(page(now, zh));
    } else {
      const message = `Shelfpulse is starting: step ${now.step} of ${now.steps}, ${now.label.en}; retry shortly`;
      response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'starting', message, step: now.step, steps: now.steps }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
