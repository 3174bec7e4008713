import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { demoChain } from '../../synthetic/chain.ts';
import { upsertMasterData } from '../../analytics/master-data.ts';
import { finishDemoShelves, planDemoShelves, type DemoShelves } from '../../synthetic/demo-shelves.ts';
import { PhotoStore } from '../../pipelines/photo-store.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const AS_OF = '2026-11-20';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-demo-resume-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

// The first 15 demo stores: three photographed bays, the second of them with the planted sold-out gaps.
const chain = demoChain();
const storeIds = chain.stores.slice(0, 15).map((s) => s.store_id as string);

/** What the serve command does on start: finish the data dir's demo plan (here with a logger of our own). */
function finish(server: TestServer, logger: pino.Logger, signal?: AbortSignal): Promise<DemoShelves | undefined> {
  const { config } = server.platform;
  const store = new PhotoStore(path.join(dataDir, 'photos'));
  return finishDemoShelves(
    { warehouse: server.platform.warehouse, photoFiles: store, dataDir },
    { timezone: config.timezone, thresholds: config.thresholds, logger, signal },
  );
}

interface PhotoRow {
  photo_id: string;
  store_id: string;
  visit_id: string;
  uploaded_at: string;
  observations: string;
}

const photos = (server: TestServer) =>
  server.platform.warehouse.query<PhotoRow>(
    `SELECT p.photo_id AS photo_id, p.store_id AS store_id, p.visit_id AS visit_id, toString(p.uploaded_at) AS uploaded_at,
       (SELECT count() FROM shelf_observations FINAL WHERE photo_id = p.photo_id) AS observations
     FROM photos AS p FINAL ORDER BY store_id`,
  );
const visionAlerts = (server: TestServer) =>
  server.platform.warehouse.query<{ type: string; store_id: string; status: string; version: string }>(
    `SELECT type, store_id, status, toString(version) AS version FROM alerts FINAL
     WHERE type IN ('shelf_gap', 'low_share_of_shelf', 'planogram') ORDER BY type, store_id`,
  );

describe('a demo start stopped during its shelf photos', () => {
  it('is finished by the next start: every bay photographed once, the close with the photos in run once', async () => {
    // First start: the demo chain is loaded and its photos planned; the start is stopped after two of the three bays.
    const first = await startTestServer({ SHELFPULSE_DATA_DIR: dataDir });
    await upsertMasterData(first.platform.warehouse, 'stores', chain.stores.slice(0, 15));
    await upsertMasterData(first.platform.warehouse, 'products', chain.products);
    await planDemoShelves(dataDir, storeIds, AS_OF);
    const stop = new AbortController();
    let bays = 0;
    const watching = pino({ level: 'debug' }, { write: (line: string) => line.includes('demo bay photographed') && ++bays === 2 && stop.abort() });
    await expect(finish(first, watching, stop.signal)).rejects.toThrow();
    const interrupted = await photos(first);
    await first.close();
    expect(interrupted.map((p) => p.store_id)).toEqual([storeIds[1], storeIds[6]]);

    // Second start: the third bay is photographed, the first two are not analysed again, and the day is closed.
    const second = await startTestServer({ SHELFPULSE_DATA_DIR: dataDir });
    const shelves = (await finish(second, pino({ level: 'silent' })))!;
    expect(shelves.resumed).toBe(2);
    expect(shelves.bays.map((b) => [b.store_id, b.problem])).toEqual([
      [storeIds[1], 'none'],
      [storeIds[6], 'gaps'],
      [storeIds[11], 'none'],
    ]);
    const finished = await photos(second);
    expect(finished.map((p) => [p.photo_id, p.store_id])).toEqual(shelves.bays.map((b) => [b.photo_id, b.store_id]));
    expect(finished.slice(0, 2)).toEqual(interrupted);
    for (const p of finished) expect(Number(p.observations), p.store_id).toBeGreaterThan(0);
    expect(await visionAlerts(second)).toMatchObject([{ type: 'shelf_gap', store_id: storeIds[6], status: 'open' }]);
    const alerts = await visionAlerts(second);
    await second.close();

    // Third start: the plan is done; nothing is photographed or closed again.
    const third = await startTestServer({ SHELFPULSE_DATA_DIR: dataDir });
    expect(await finish(third, pino({ level: 'silent' }))).toBeUndefined();
    expect(await photos(third)).toEqual(finished);
    expect(await visionAlerts(third)).toEqual(alerts);
    await third.close();
  }, 300_000);
});
