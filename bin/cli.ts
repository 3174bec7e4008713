import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import pino from 'pino';
import { listUsers, saveUser } from '../analytics/access.ts';
import { loadDemoIfEmpty, type DemoStage } from '../synthetic/demo-load.ts';
import { storeList } from '../analytics/kpi/stores.ts';
import { SchemaNotReadyError } from '../analytics/migrate.ts';
import { migrateWarehouse, openWarehouse } from '../analytics/open-warehouse.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import { newToken } from '../api/auth.ts';
import type { UserRole } from '../contracts/enums.ts';
import { hashPassword } from '../api/passwords.ts';
import { analyzeShelfPhoto, bundledModels, setBundledCatalogue } from '../vision/analyze.ts';
import { CatalogueFileError, readCatalogueFile } from '../vision/catalogue-file.ts';
import { formatModelCard } from '../vision/evaluation.ts';
import { LabelFormatError } from '../vision/labels.ts';
import { ConfigError, loadConfig, type Config } from '../pipelines/config.ts';
import { lockDataDir } from '../pipelines/data-dir-lock.ts';
import { finishDemoShelves, planDemoShelves } from '../synthetic/demo-shelves.ts';
import { PhotoStore } from '../pipelines/photo-store.ts';
import { routeOpenAlerts } from '../pipelines/alert-routing.ts';
import { closePhotoThreads, configurePhotoThreads } from '../vision/photo-threads.ts';
import { evaluatePhotoDir } from './eval-photos.ts';
import { TrainingError, trainDetector } from './train-detector.ts';
import { startServer } from './server.ts';
import { openStartingPage, type StartingProgress } from './starting-page.ts';

/** In demo mode without SHELFPULSE_ADMIN_TOKEN: one token generated on first start and kept in the data dir. */
function demoAdminToken(config: Config): string {
  const file = path.join(config.dataDir, 'admin-token');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const token = newToken();
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(file, token, { mode: 0o600 });
  return token;
}

/**
 * In demo mode, one user per role on first start so that the password sign-in can be tried at once; they share one
 * generated password, kept in the data dir. The store manager and the merchandiser work in the first demo store.
 */
async function demoUsers(config: Config, warehouse: Warehouse): Promise<{ password: string; users: string[] } | undefined> {
  if ((await listUsers(warehouse, 1)).length > 0) return undefined;
  const file = path.join(config.dataDir, 'demo-password');
  const password = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : newToken().slice(3, 19);
  fs.writeFileSync(file, password, { mode: 0o600 });
  const [store] = await storeList(warehouse, { storeIds: [], territories: [], limit: 1 });
  const stores = store ? [store.store_id] : [];
  const users: [string, UserRole, string[]][] = [
    ['admin', 'admin', []],
    ['director', 'sales_director', []],
    ['category', 'category_manager', []],
    ['manager', 'store_manager', stores],
    ['merch', 'merchandiser', stores],
  ];
  const passwordHash = await hashPassword(password);
  const now = new Date().toISOString();
  for (const [username, role, storeIds] of users) {
    await saveUser(warehouse, {
      username,
      name: username,
      role,
      store_ids: storeIds,
      territories: [],
      password_hash: passwordHash,
      disabled: false,
      created_at: now,
    });
  }
  return { password, users: users.map(([username]) => username) };
}

const STARTING_STAGES: Record<'platform' | DemoStage | 'demo users', StartingProgress['label']> = {
  platform: { en: 'starting the platform (schema, models, workers)', zh: '启动平台（数据表、模型、工作进程）' },
  'master data': { en: 'loading the demo chain: stores and products', zh: '载入演示连锁：门店与商品' },
  'sales history': { en: 'loading the demo chain: 420 days of sales history', zh: '载入演示连锁：420 天销售历史' },
  'daily close': { en: "closing yesterday: the demo's alerts", zh: '日结：生成演示预警' },
  'demo users': { en: 'creating the demo users', zh: '创建演示用户' },
};

async function serve(options: { port?: number; dataDir?: string; demo: boolean }): Promise<void> {
  let config = loadConfig(process.env, { port: options.port, dataDir: options.dataDir });
  const generatedToken = !config.adminToken && options.demo ? demoAdminToken(config) : undefined;
  if (generatedToken) config = { ...config, adminToken: generatedToken };
  const stages = Object.keys(STARTING_STAGES) as (keyof typeof STARTING_STAGES)[];
  let stage: keyof typeof STARTING_STAGES = 'platform';
  const startedAt = Date.now();
  const starting = await openStartingPage(config.port, config.host, () => ({
    step: stages.indexOf(stage) + 1,
    steps: stages.length,
    label: STARTING_STAGES[stage],
    startedAt,
  }));
  console.log(`Shelfpulse is starting at http://localhost:${starting.port} (a page there shows the progress)`);
  const server = await startServer(config);
  const { app, platform } = server;
  const logger = platform.logger;

  const demoOptions = { timezone: config.timezone, thresholds: config.thresholds };
  const loaded = options.demo ? await loadDemoIfEmpty(platform.warehouse, logger, { ...demoOptions, onStage: (next) => (stage = next) }) : undefined;
  if (loaded) await planDemoShelves(config.dataDir, loaded.storeIds, loaded.story.asOf);
  stage = 'demo users';
  const demo = options.demo ? await demoUsers(config, platform.warehouse) : undefined;
  // The demo's alerts were closed before its users existed: give them their people ("My alerts" of manager, merch).
  if (demo) await routeOpenAlerts(platform.warehouse);
  // The same port, so the starting page's refresh lands on the app.
  await starting.close();
  await app.listen({ port: starting.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`Shelfpulse is running at http://localhost:${port}  (API docs: http://localhost:${port}/docs)`);
  if (generatedToken) console.log(`Admin token (demo, kept in ${path.join(config.dataDir, 'admin-token')}): ${generatedToken}`);
  if (demo)
    console.log(`Demo users ${demo.users.join(', ')} sign in with the password ${demo.password} (kept in ${path.join(config.dataDir, 'demo-password')})`);
  if (!config.adminToken) console.log('No SHELFPULSE_ADMIN_TOKEN set: only existing API tokens can sign in.');
  // The shelf photos (half a minute of analysis) come while the server already answers; their vision alerts
  // follow with the log line "demo shelf photos analysed". A start stopped during them finishes them here.
  const stopShelves = new AbortController();
  const shelves = options.demo
    ? finishDemoShelves(
        { warehouse: platform.warehouse, photoFiles: new PhotoStore(path.join(config.dataDir, 'photos')), dataDir: config.dataDir },
        { ...demoOptions, logger, signal: stopShelves.signal },
      )
        .then(() => routeOpenAlerts(platform.warehouse))
        .catch((err: Error) =>
          stopShelves.signal.aborted
            ? logger.info('demo shelf photos paused: the next start finishes them')
            : logger.warn({ err: err.message }, 'demo shelf photos stopped'),
        )
    : undefined;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests and workers');
    // The bay in hand is finished first, so the photos are not cut off from the warehouse mid-write.
    stopShelves.abort();
    await shelves;
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

const program = new Command('shelfpulse')
  .description('Shelfpulse: shelf photos to facings and prices, sell-through alerts, territory heat map')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the server (ingest, workers and web app) on the configured adapters')
  .addOption(new Option('--port <n>', 'HTTP port (env PORT, default 3000)').argParser((v) => parsePort(v)))
  .option('--data-dir <dir>', 'data directory (env SHELFPULSE_DATA_DIR, default ./data)')
  .option('--no-demo', 'do not load the demo chain into an empty warehouse')
  .action(serve);

program
  .command('migrate')
  .description(
    'bring the warehouse schema up to date and exit: run it once before the app processes on a ClickHouse server (the compose `migrate` service); they wait for it',
  )
  .option('--data-dir <dir>', 'data directory (env SHELFPULSE_DATA_DIR, default ./data), for the embedded warehouse')
  .action(migrateCommand);

/** Applies the migrations not yet recorded, from this one process, and prints what it applied. */
async function migrateCommand(options: { dataDir?: string }): Promise<void> {
  const config = loadConfig(process.env, { dataDir: options.dataDir });
  const unlock = config.clickhouse ? () => {} : lockDataDir(config.dataDir);
  try {
    const logger = pino({ level: config.logLevel });
    const applied = await migrateWarehouse({ clickhouse: config.clickhouse, dataDir: config.dataDir, timezone: config.timezone, logger });
    console.log(JSON.stringify({ warehouse: config.clickhouse ? config.clickhouse.url : 'embedded', applied }));
  } finally {
    unlock();
  }
}

program
  .command('demo')
  .description('load the demo chain (stores, products, 420 days of history and shelf photos with injected problems) and close the last day')
  .option('--data-dir <dir>', 'data directory (env SHELFPULSE_DATA_DIR, default ./data)')
  .action(demo);

/** Fills an empty warehouse with the demo chain and prints what was loaded and which alerts the close raised. */
async function demo(options: { dataDir?: string }): Promise<void> {
  const config = loadConfig(process.env, { dataDir: options.dataDir });
  configurePhotoThreads(config.vision);
  const unlock = config.clickhouse ? () => {} : lockDataDir(config.dataDir);
  const warehouse = await openWarehouse({ clickhouse: config.clickhouse, dataDir: config.dataDir, timezone: config.timezone });
  try {
    const logger = pino({ level: 'warn' });
    const demoOptions = { timezone: config.timezone, thresholds: config.thresholds };
    const loaded = await loadDemoIfEmpty(warehouse, logger, demoOptions);
    if (loaded) await planDemoShelves(config.dataDir, loaded.storeIds, loaded.story.asOf);
    // A demo stopped during its photos is finished here (its history is in).
    const photoFiles = new PhotoStore(path.join(config.dataDir, 'photos'));
    const shelves = await finishDemoShelves({ warehouse, photoFiles, dataDir: config.dataDir }, { ...demoOptions, logger });
    if (!shelves) console.log('The warehouse already holds stores: the demo loads into an empty one only (choose another --data-dir).');
    else {
      const problems = shelves.bays.filter((b) => b.problem !== 'none').map((b) => ({ store_id: b.store_id, problem: b.problem, skus: b.planogram_skus }));
      const history = loaded ? { load_s: (loaded.ms + shelves.ms) / 1000, history_s: loaded.ms / 1000 } : {};
      const report = {
        ...history,
        photos_s: shelves.ms / 1000,
        as_of: shelves.alerts.as_of,
        photos: shelves.bays.length,
        resumed: shelves.resumed,
        shelf_problems: problems,
      };
      // The first close (sales rules) and the second, with the photos in (vision alerts opened; open counts of every type).
      console.log(JSON.stringify({ ...report, alerts: loaded?.alerts, shelf_close: shelves.alerts }, null, 2));
    }
  } finally {
    await closePhotoThreads();
    await warehouse.close();
    unlock();
  }
}

program
  .command('analyze')
  .description('run the shelf vision pipeline on local photos and print the result')
  .argument('<image...>', 'photo files (JPEG, PNG, WebP; not iPhone HEIC unless sharp decodes HEVC)')
  .option('--json', 'print JSON (one object per photo in an array)')
  .option('--catalogue <file>', 'the products to recognise: JSON {"products":[{"sku","brand","name","aliases","own","references":[pack shot files]}]}')
  .action(async (images: string[], options: { json?: boolean; catalogue?: string }) => {
    const { vision } = loadConfig(process.env);
    if (options.catalogue) await setBundledCatalogue(readCatalogueFile(options.catalogue));
    const models = await bundledModels(vision);
    const results = [];
    let failed = false;
    for (const image of images) {
      try {
        const { analysis } = await analyzeShelfPhoto(fs.readFileSync(image), { models, minScore: vision.minScore, packText: vision.packText });
        results.push({ file: image, ...analysis });
      } catch (err) {
        failed = true;
        results.push({ file: image, error: (err as Error).message });
      }
    }
    if (options.json) console.log(JSON.stringify(results, null, 2));
    else
      for (const r of results) {
        if ('error' in r) console.log(`${r.file}: cannot analyse: ${r.error}`);
        else {
          console.log(
            `${r.file}: ${r.width}×${r.height} ${r.format}, ${r.status}` + (r.retake.length ? ` — ${r.retake.map((x) => x.message_en).join(' ')}` : ''),
          );
          console.log(
            `  sharpness ${r.quality.sharpness}, brightness ${r.quality.brightness}; detector: ${r.detector ?? 'none installed'}; ${r.detections.length} packs, ${r.gaps.length} gaps`,
          );
          for (const f of r.facings) console.log(`  ${f.sku.padEnd(8)} ${f.brand}\t${f.facings} facings`);
          for (const s of r.share_of_shelf)
            console.log(`  share ${s.brand}\t${(s.by_width * 100).toFixed(1)}% of width, ${(s.by_facings * 100).toFixed(1)}% of facings`);
          for (const p of r.prices) console.log(`  price ${p.text}\t${p.price.toFixed(2)}${p.promo ? ' (promo)' : ''} → ${p.sku ?? '?'}`);
        }
      }
    if (failed) process.exitCode = 1;
  });

program
  .command('eval-photos')
  .description('score the shelf analysis on your own labelled photos (COCO JSON, SKU-110K CSV or YOLO txt labels) and print a model card')
  .argument('<dir>', 'folder with the photos and their labels (a COCO JSON file, a SKU-110K CSV, or one YOLO txt per photo with classes.txt / data.yaml)')
  .option('--json', 'print the model card as JSON')
  .option('--labels <file>', 'a COCO JSON or SKU-110K CSV label file kept outside the folder')
  .option('--catalogue <file>', 'the products to recognise, as for analyze: JSON {"products":[{"sku","brand","name","aliases","own","references"}]}')
  .addOption(new Option('--min-score <s>', 'detector score below which a box is dropped (env SHELFPULSE_VISION_MIN_SCORE, default 0.6)').argParser(parseScore))
  .action(async (dir: string, options: { json?: boolean; labels?: string; minScore?: number; catalogue?: string }) => {
    try {
      const { vision } = loadConfig(process.env);
      const catalogue = options.catalogue ? readCatalogueFile(options.catalogue) : undefined;
      const evaluated = {
        labels: options.labels,
        modelDir: vision.modelDir,
        minScore: options.minScore ?? vision.minScore,
        catalogue,
        packText: vision.packText,
      };
      const { card, detector, minScore } = await evaluatePhotoDir(dir, evaluated);
      console.log(options.json ? JSON.stringify({ detector, min_score: minScore, ...card }, null, 2) : formatModelCard(card, { detector, minScore }));
    } catch (err) {
      if (!(err instanceof LabelFormatError || err instanceof CatalogueFileError)) throw err;
      console.error(`shelfpulse eval-photos: ${err.message}`);
      process.exitCode = 1;
    }
  });

program
  .command('train-detector')
  .description('fine-tune the shelf detector on your own labelled photos, measured before and after on photos kept aside')
  .argument('<dir>', 'folder with the photos and their labels (COCO JSON, a SKU-110K CSV, or YOLO txt with classes.txt / data.yaml)')
  .requiredOption('--out <dir>', 'a new folder for the trained model (then SHELFPULSE_VISION_MODEL_DIR=<dir>)')
  .option('--labels <file>', 'a COCO JSON or SKU-110K CSV label file kept outside the folder')
  .option('--from <dir>', 'the model to fine-tune, one this command or the bundled recipe made (default: the bundled detector)')
  .addOption(new Option('--minutes <n>', 'training time; about 1,000 steps in 30 min on 2 CPU cores').default(30).argParser((v) => positive('--minutes', v)))
  .addOption(new Option('--keep-aside <share>', 'share of the photos kept aside to measure (0 to train on all)').default(0.2).argParser(parseShare))
  .addOption(new Option('--views <n>', 'training views a photo (the whole photo and random crops)').default(24).argParser((v) => positive('--views', v)))
  .addOption(new Option('--renders <n>', 'rendered bays beside the photos, keeping what the renders teach').default(360).argParser(parseCount))
  .option('--name <name>', "the model's name in its manifest and in each analysis (default: the folder's name)")
  .option('--python <path>', 'a Python with torch, numpy, Pillow and onnx (default: python3 on the PATH, else /usr/bin/python3)')
  .action(
    async (
      dir: string,
      options: {
        out: string;
        labels?: string;
        from?: string;
        minutes: number;
        keepAside: number;
        views: number;
        renders: number;
        name?: string;
        python?: string;
      },
    ) => {
      try {
        const result = await trainDetector(dir, { ...options, log: (line) => console.error(line) });
        if (result.before && result.after) {
          const figures = (c: NonNullable<typeof result.after>) =>
            `recall ${c.classes.product.recall.toFixed(3)}, precision ${c.classes.product.precision.toFixed(3)}, fragments ${c.fragments}, gaps where packs stand ${c.gap_false_alarms}`;
          console.log(`On the ${result.keptAside.length} photos kept aside (${result.after.labelled_packs} packs):`);
          console.log(`  before  ${figures(result.before)}`);
          console.log(`  after   ${figures(result.after)}`);
          console.log(`Model cards: ${path.join(result.modelDir, 'model-card.txt')}`);
        }
        console.log(`Use it: SHELFPULSE_VISION_MODEL_DIR=${result.modelDir}`);
      } catch (err) {
        if (!(err instanceof TrainingError || err instanceof LabelFormatError)) throw err;
        console.error(`shelfpulse train-detector: ${err.message}`);
        process.exitCode = 1;
      }
    },
  );

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new ConfigError(`${flag} ${value} is not a positive number`);
  return n;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`--renders ${value} is not a count (0 or more)`);
  return n;
}

function parseShare(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 1)) throw new ConfigError(`--keep-aside ${value} is not a share from 0 to below 1`);
  return n;
}

function parseScore(value: string): number {
  const score = Number(value);
  if (!(score >= 0 && score <= 1)) throw new ConfigError(`--min-score ${value} is not a score between 0 and 1`);
  return score;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port ${value} is not a port number (0-65535)`);
  return port;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError || err instanceof SchemaNotReadyError) {
    console.error(`shelfpulse: ${err.message}`);
    process.exit(1);
  }
  if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`shelfpulse: port ${(err as { port?: number }).port ?? ''} is already in use; choose another with --port or PORT`);
    process.exit(1);
  }
  throw err;
}
