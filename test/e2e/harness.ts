/// <reference lib="dom" />
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadDemoIfEmpty } from '../../synthetic/demo-load.ts';
import { startServer, type Server } from '../../bin/server.ts';
import { WEB_BUILD_DIR } from '../../api/routes/web-app.ts';
import { loadConfig } from '../../pipelines/config.ts';
import { photographDemoShelves, type DemoShelves } from '../../synthetic/demo-shelves.ts';
import { PhotoStore } from '../../pipelines/photo-store.ts';
import { countRows } from '../../analytics/master-data.ts';

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
export const ARTIFACTS = fileURLToPath(new URL('../artifacts', import.meta.url));

export interface WebHarness {
  server: Server;
  baseUrl: string;
  /** The same server as a phone on the store Wi-Fi reaches it: a LAN name over plain http (shelfpulse.test, mapped to loopback). */
  lanUrl: string;
  browser: Browser;
  storeCount: number;
  /** The demo's photographed bays and what was planted on them. */
  shelves: DemoShelves;
  /** A fresh page already signed in with the admin token, in the given language. */
  signedInPage(lang?: 'zh' | 'en', viewport?: { width: number; height: number }): Promise<Page>;
  stop(): Promise<void>;
}

/** Headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH), with the artifacts folder for screenshots made. */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      // A LAN name for the phone tests, without leaving the machine.
      '--host-resolver-rules=MAP shelfpulse.test 127.0.0.1',
    ],
  });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return browser;
}

/** A fresh page signed in with the token (the web app's token sign-in), in the given language. */
export async function pageSignedIn(browser: Browser, token: string, lang: 'zh' | 'en' = 'zh', viewport = { width: 1440, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: lang === 'zh' ? 'zh-CN' : 'en-GB' });
  await context.addInitScript((secret) => localStorage.setItem('shelfpulse.token', secret), token);
  const page = await context.newPage();
  // A script error in the app fails loudly in the test log instead of showing up only as a missing element.
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  return page;
}

/** The real server on loopback with the demo chain and its shelf photos, and headless Chromium (Debian's /usr/bin/chromium). */
export async function startWebHarness(): Promise<WebHarness> {
  if (!fs.existsSync(path.join(WEB_BUILD_DIR, 'index.html'))) throw new Error('web/build is missing: run `npm run build:web` first');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-e2e-'));
  const config = loadConfig({ SHELFPULSE_DATA_DIR: dataDir, SHELFPULSE_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn' }, { port: 0 });
  const server = await startServer(config);
  const demo = { timezone: config.timezone, thresholds: config.thresholds };
  const loaded = await loadDemoIfEmpty(server.platform.warehouse, server.platform.logger, demo);
  // The demo as `npm start` ends up: its shelf photos analysed and their vision alerts open.
  const store = new PhotoStore(path.join(dataDir, 'photos'));
  const shelves = await photographDemoShelves({ warehouse: server.platform.warehouse, photoFiles: store }, loaded!.storeIds, {
    ...demo,
    asOf: loaded!.story.asOf,
    logger: server.platform.logger,
  });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  const storeCount = await countRows(server.platform.warehouse, 'stores');
  const browser = await launchChromium();
  return {
    server,
    baseUrl,
    lanUrl: `http://shelfpulse.test:${port}`,
    browser,
    storeCount,
    shelves,
    signedInPage: (lang, viewport) => pageSignedIn(browser, ADMIN_TOKEN, lang, viewport),
    async stop() {
      await browser.close();
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
