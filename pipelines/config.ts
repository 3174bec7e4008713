import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseDueHours } from '../analytics/alerts/deadlines.ts';
import type { AlertType } from '../contracts/enums.ts';
import { DEFAULT_THRESHOLDS, type RuleThresholds } from '../analytics/rules/thresholds.ts';
import { defaultVisionSettings, PACK_TEXT_POLICIES, type VisionSettings } from '../vision/settings.ts';

/** The roles one process can play; the embedded shape runs all of them. */
export const ROLES = ['ingest', 'sink', 'vision', 'alerts', 'notifier', 'web'] as const;
export type Role = (typeof ROLES)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  adminToken: string | undefined;
  roles: Role[];
  /** Store-local calendar for day boundaries when a store names no zone of its own. */
  timezone: string;
  clickhouse: { url: string; user: string; password: string; database: string } | undefined;
  kafka: { brokers: string[]; clientId: string } | undefined;
  logLevel: string;
  /** `pretty` (human-readable lines) or `json` (one object a line, for collectors); unset: pretty on a terminal only. */
  logFormat: 'pretty' | 'json' | undefined;
  /** Largest request body the ingest routes take, in bytes. */
  bodyLimitBytes: number;
  /** Most rows one ingest request may carry. */
  maxRowsPerRequest: number;
  /** Requests a minute per token on the ingest routes. */
  rateLimitPerMinute: number;
  /**
   * Which hops in front may name the client's address (X-Forwarded-For): false (none, the default), true (any),
   * a hop count, or addresses/CIDRs. Sign-in limits count per client address, so behind a reverse proxy this must
   * name the proxy, or every user shares the proxy's address and its limit.
   */
  trustProxy: boolean | number | string;
  /** Events accepted but not yet in the warehouse above which ingest answers 503 + Retry-After. */
  maxSinkLag: number;
  /** Shelf photo analysis: the detector folder, onnxruntime threads, the detector's min score, whose pack text is read. */
  vision: VisionSettings;
  /** Password sign-in: session length, Secure cookies (https), attempts a minute per user name and address. */
  sessions: { ttlHours: number; secureCookie: boolean; loginAttemptsPerMinute: number };
  /** Alert rule thresholds. */
  thresholds: RuleThresholds;
  /** Webhooks that receive every new or changed alert, signed with the secret. */
  webhooks: { urls: string[]; secret: string };
  /** Channels and deadlines: the web app's address for links in messages, hours to due per alert type. */
  alerting: { publicUrl: string; dueHours: Record<AlertType, number> };
  /** Merchandisers may name unknown packs too (by default category managers and admins do). */
  merchandisersTeach: boolean;
}

/** Bad configuration: the message is the one line a person reads before start-up stops. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ConfigOverrides {
  port?: number;
  dataDir?: string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not a whole number between ${min} and ${max}`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name}=${env[name]} must be true or false`);
}

function trustProxy(env: NodeJS.ProcessEnv): boolean | number | string {
  const raw = (env.SHELFPULSE_TRUST_PROXY ?? '').trim();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  for (const entry of raw.split(',').map((e) => e.trim())) {
    const [address, bits, extra] = entry.split('/');
    const isIp = isIP(address ?? '');
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (isIp === 6 ? 128 : 32));
    if (!isIp || !bitsOk || extra !== undefined) {
      throw new ConfigError(`SHELFPULSE_TRUST_PROXY names "${entry}": give true, a hop count, or the proxy's addresses/CIDRs (e.g. 10.0.0.0/8,127.0.0.1)`);
    }
  }
  return raw;
}

function timeZone(env: NodeJS.ProcessEnv): string {
  const zone = env.SHELFPULSE_TIMEZONE || 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new ConfigError(`SHELFPULSE_TIMEZONE=${zone} is not an IANA time zone (e.g. Asia/Shanghai)`);
  }
  return zone;
}

function clickhouse(env: NodeJS.ProcessEnv): Config['clickhouse'] {
  const url = env.CLICKHOUSE_URL;
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`CLICKHOUSE_URL=${url} is not a URL (e.g. http://clickhouse:8123)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`CLICKHOUSE_URL=${url} must use http:// or https://`);
  }
  return {
    url: `${parsed.protocol}//${parsed.host}`,
    user: env.CLICKHOUSE_USER || decodeURIComponent(parsed.username) || 'default',
    password: env.CLICKHOUSE_PASSWORD ?? decodeURIComponent(parsed.password),
    database: env.CLICKHOUSE_DATABASE || 'shelfpulse',
  };
}

function kafka(env: NodeJS.ProcessEnv): Config['kafka'] {
  const raw = env.KAFKA_BROKERS;
  if (!raw) return undefined;
  const brokers = raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const broker of brokers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(broker)) {
      throw new ConfigError(`KAFKA_BROKERS entry "${broker}" is not host:port (e.g. kafka:9092)`);
    }
  }
  if (brokers.length === 0) throw new ConfigError('KAFKA_BROKERS is set but names no broker');
  return { brokers, clientId: env.KAFKA_CLIENT_ID || 'shelfpulse' };
}

function fraction(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value >= 1) throw new ConfigError(`${name}=${raw} must be a fraction between 0 and 1 (e.g. 0.05)`);
  return value;
}

/** "饮料=2,乳品=4": a value per category (the zero-sale window, its P(0) threshold), each checked by `parse`. */
function byCategory(env: NodeJS.ProcessEnv, name: string, parse: (raw: string) => number | undefined, wants: string): Record<string, number> {
  const raw = env[name];
  if (!raw) return {};
  return Object.fromEntries(
    raw.split(',').map((pair) => {
      const [category, value] = pair.split('=').map((s) => s.trim());
      const n = value === undefined ? undefined : parse(value);
      if (!category || n === undefined) throw new ConfigError(`${name} entry "${pair}" is not category=${wants}`);
      return [category, n];
    }),
  );
}

const windowDays = (raw: string) => (Number.isInteger(Number(raw)) && Number(raw) >= 1 && Number(raw) <= 60 ? Number(raw) : undefined);
const probability = (raw: string) => (raw !== '' && Number(raw) > 0 && Number(raw) < 1 ? Number(raw) : undefined);

function webhooks(env: NodeJS.ProcessEnv): Config['webhooks'] {
  const urls = (env.SHELFPULSE_WEBHOOKS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(`SHELFPULSE_WEBHOOKS entry "${url}" is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ConfigError(`SHELFPULSE_WEBHOOKS entry "${url}" must be http(s)`);
  }
  const secret = env.SHELFPULSE_WEBHOOK_SECRET ?? '';
  if (urls.length > 0 && secret.length < 16)
    throw new ConfigError('SHELFPULSE_WEBHOOKS needs SHELFPULSE_WEBHOOK_SECRET (16+ characters) to sign the deliveries');
  return { urls, secret };
}

function alerting(env: NodeJS.ProcessEnv, port: number): Config['alerting'] {
  const raw = (env.SHELFPULSE_PUBLIC_URL ?? '').trim();
  let publicUrl = `http://localhost:${port}`;
  if (raw) {
    const parsed = URL.canParse(raw) ? new URL(raw) : undefined;
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:'))
      throw new ConfigError(
        `SHELFPULSE_PUBLIC_URL=${raw} is not an http(s) address; give the web app's address as people open it, e.g. https://shelfpulse.example.com`,
      );
    publicUrl = raw.replace(/\/+$/, '');
  }
  try {
    return { publicUrl, dueHours: parseDueHours(env.SHELFPULSE_ALERT_DUE_HOURS) };
  } catch (err) {
    throw new ConfigError(`SHELFPULSE_ALERT_DUE_HOURS: ${(err as Error).message}`);
  }
}

function vision(env: NodeJS.ProcessEnv): VisionSettings {
  const defaults = defaultVisionSettings();
  const modelDir = env.SHELFPULSE_VISION_MODEL_DIR ? path.resolve(env.SHELFPULSE_VISION_MODEL_DIR) : defaults.modelDir;
  // The bundled folder may lack model.onnx (photos then get the quality gate only); a folder a person names may not.
  if (modelDir !== defaults.modelDir && !fs.existsSync(path.join(modelDir, 'model.onnx'))) {
    const named = env.SHELFPULSE_VISION_MODEL_DIR;
    throw new ConfigError(`SHELFPULSE_VISION_MODEL_DIR=${named} holds no model.onnx: name a folder with model.onnx and manifest.json, or unset it`);
  }
  const rawScore = env.SHELFPULSE_VISION_MIN_SCORE;
  const minScore = rawScore === undefined || rawScore === '' ? defaults.minScore : Number(rawScore);
  if (!(minScore > 0 && minScore < 1)) throw new ConfigError(`SHELFPULSE_VISION_MIN_SCORE=${rawScore} must be a detector score between 0 and 1 (e.g. 0.6)`);
  const rawPolicy = env.SHELFPULSE_PACK_TEXT;
  const packText = rawPolicy === undefined || rawPolicy === '' ? defaults.packText : PACK_TEXT_POLICIES.find((p) => p === rawPolicy);
  if (!packText) throw new ConfigError(`SHELFPULSE_PACK_TEXT=${rawPolicy} is not one of ${PACK_TEXT_POLICIES.join(', ')}`);
  return { modelDir, threads: integer(env, 'SHELFPULSE_VISION_THREADS', defaults.threads, 1, 64), minScore, packText };
}

function roles(env: NodeJS.ProcessEnv): Role[] {
  const raw = env.SHELFPULSE_ROLES;
  if (!raw || raw === 'all') return [...ROLES];
  const wanted = raw
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  for (const role of wanted) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new ConfigError(`SHELFPULSE_ROLES names "${role}"; known roles: ${ROLES.join(', ')}, all`);
    }
  }
  return wanted as Role[];
}

function logFormat(env: NodeJS.ProcessEnv): Config['logFormat'] {
  const raw = env.SHELFPULSE_LOG_FORMAT;
  if (!raw) return undefined;
  if (raw !== 'pretty' && raw !== 'json') throw new ConfigError(`SHELFPULSE_LOG_FORMAT is "${raw}"; use pretty or json`);
  return raw;
}

/** Reads the environment once at the edge; everything below takes the typed result. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const port = overrides.port ?? integer(env, 'PORT', 3000, 0, 65535);
  const dataDir = path.resolve(overrides.dataDir ?? (env.SHELFPULSE_DATA_DIR || 'data'));
  const adminToken = env.SHELFPULSE_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('SHELFPULSE_ADMIN_TOKEN must be at least 16 characters');
  }
  return {
    port,
    host: env.HOST || '0.0.0.0',
    dataDir,
    adminToken,
    roles: roles(env),
    timezone: timeZone(env),
    clickhouse: clickhouse(env),
    kafka: kafka(env),
    logLevel: env.LOG_LEVEL || 'info',
    logFormat: logFormat(env),
    bodyLimitBytes: integer(env, 'SHELFPULSE_BODY_LIMIT_MB', 32, 1, 1024) * 1024 * 1024,
    maxRowsPerRequest: integer(env, 'SHELFPULSE_MAX_ROWS', 100_000, 1, 10_000_000),
    rateLimitPerMinute: integer(env, 'SHELFPULSE_RATE_LIMIT_PER_MIN', 6000, 1, 10_000_000),
    trustProxy: trustProxy(env),
    maxSinkLag: integer(env, 'SHELFPULSE_MAX_SINK_LAG', 5_000_000, 1, 1_000_000_000),
    vision: vision(env),
    sessions: {
      ttlHours: integer(env, 'SHELFPULSE_SESSION_HOURS', 12, 1, 24 * 90),
      secureCookie: flag(env, 'SHELFPULSE_SECURE_COOKIES'),
      loginAttemptsPerMinute: integer(env, 'SHELFPULSE_LOGIN_ATTEMPTS_PER_MIN', 5, 1, 10_000),
    },
    webhooks: webhooks(env),
    alerting: alerting(env, port),
    merchandisersTeach: flag(env, 'SHELFPULSE_MERCHANDISERS_TEACH'),
    thresholds: {
      zeroSaleWindowDays: integer(env, 'SHELFPULSE_ZERO_SALE_DAYS', DEFAULT_THRESHOLDS.zeroSaleWindowDays, 1, 60),
      zeroSaleWindowDaysByCategory: byCategory(env, 'SHELFPULSE_ZERO_SALE_DAYS_BY_CATEGORY', windowDays, 'days (1-60)'),
      baselineDays: DEFAULT_THRESHOLDS.baselineDays,
      baselineLookbackDays: DEFAULT_THRESHOLDS.baselineLookbackDays,
      minExposureDays: integer(env, 'SHELFPULSE_MIN_EXPOSURE_DAYS', DEFAULT_THRESHOLDS.minExposureDays, 1, 28),
      recloseDays: integer(env, 'SHELFPULSE_RECLOSE_DAYS', DEFAULT_THRESHOLDS.recloseDays, 0, 30),
      maxZeroProbability: fraction(env, 'SHELFPULSE_MAX_ZERO_PROBABILITY', DEFAULT_THRESHOLDS.maxZeroProbability),
      maxZeroProbabilityByCategory: byCategory(env, 'SHELFPULSE_MAX_ZERO_PROBABILITY_BY_CATEGORY', probability, 'probability (between 0 and 1)'),
      minPriceGap: fraction(env, 'SHELFPULSE_MIN_PRICE_GAP', DEFAULT_THRESHOLDS.minPriceGap),
      dormantAfterDays: integer(env, 'SHELFPULSE_DORMANT_DAYS', DEFAULT_THRESHOLDS.dormantAfterDays, 1, 3650),
      shelfLookbackDays: integer(env, 'SHELFPULSE_SHELF_LOOKBACK_DAYS', DEFAULT_THRESHOLDS.shelfLookbackDays, 1, 90),
      minShelfGaps: integer(env, 'SHELFPULSE_MIN_SHELF_GAPS', DEFAULT_THRESHOLDS.minShelfGaps, 1, 1000),
      minShareOfShelf: fraction(env, 'SHELFPULSE_MIN_SHARE_OF_SHELF', DEFAULT_THRESHOLDS.minShareOfShelf),
    },
  };
}
