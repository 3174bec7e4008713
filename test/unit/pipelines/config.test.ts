import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../pipelines/config.ts';
import { DEFAULT_MODEL_DIR } from '../../../vision/settings.ts';

const byoDetector = path.resolve(import.meta.dirname, '../../fixtures/ultralytics/one-class');

describe('configuration', () => {
  it('links channel messages to the public address, and takes due hours per alert type', () => {
    expect(loadConfig({}).alerting.publicUrl).toBe('http://localhost:3000');
    const config = loadConfig({ SHELFPULSE_PUBLIC_URL: 'https://sp.example.com/', SHELFPULSE_ALERT_DUE_HOURS: 'out_of_stock=8' });
    expect(config.alerting.publicUrl).toBe('https://sp.example.com');
    expect(config.alerting.dueHours).toMatchObject({ out_of_stock: 8, zero_sale: 24 });
  });

  it('takes the zero-sale window and its P(0) threshold per category, and says which entry is wrong', () => {
    const config = loadConfig({ SHELFPULSE_ZERO_SALE_DAYS_BY_CATEGORY: '乳品=2', SHELFPULSE_MAX_ZERO_PROBABILITY_BY_CATEGORY: '饮料=0.01, 零食=0.002' });
    expect(config.thresholds.zeroSaleWindowDaysByCategory).toEqual({ 乳品: 2 });
    expect(config.thresholds.maxZeroProbabilityByCategory).toEqual({ 饮料: 0.01, 零食: 0.002 });
    expect(() => loadConfig({ SHELFPULSE_MAX_ZERO_PROBABILITY_BY_CATEGORY: '饮料=5' })).toThrow(
      new ConfigError('SHELFPULSE_MAX_ZERO_PROBABILITY_BY_CATEGORY entry "饮料=5" is not category=probability (between 0 and 1)'),
    );
    expect(() => loadConfig({ SHELFPULSE_ZERO_SALE_DAYS_BY_CATEGORY: '乳品' })).toThrow(/entry "乳品" is not category=days \(1-60\)/);
  });

  it('defaults to the embedded shape on port 3000 in Asia/Shanghai', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, timezone: 'Asia/Shanghai', clickhouse: undefined, kafka: undefined });
    expect(config.roles).toEqual(['ingest', 'sink', 'vision', 'alerts', 'notifier', 'web']);
  });

  it('reads the distributed adapters from CLICKHOUSE_URL and KAFKA_BROKERS', () => {
    const config = loadConfig({ CLICKHOUSE_URL: 'http://u:p%40ss@ch:8123', KAFKA_BROKERS: 'k1:9092, k2:9092' });
    expect(config.clickhouse).toEqual({ url: 'http://ch:8123', user: 'u', password: 'p@ss', database: 'shelfpulse' });
    expect(config.kafka?.brokers).toEqual(['k1:9092', 'k2:9092']);
  });

  it('trusts no proxy unless told: true, a hop count, or addresses and CIDRs', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ SHELFPULSE_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ SHELFPULSE_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ SHELFPULSE_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy).toBe('10.0.0.0/8, 127.0.0.1,::1');
  });

  it('analyses photos with the bundled detector, at most two threads, min score 0.6 and the text of unsure packs unless told', () => {
    expect(loadConfig({}).vision).toEqual({ modelDir: DEFAULT_MODEL_DIR, threads: Math.min(2, os.availableParallelism()), minScore: 0.6, packText: 'unsure' });
    const env = { SHELFPULSE_VISION_MODEL_DIR: byoDetector, SHELFPULSE_VISION_THREADS: '1', SHELFPULSE_VISION_MIN_SCORE: '0.35', SHELFPULSE_PACK_TEXT: 'all' };
    expect(loadConfig(env).vision).toEqual({ modelDir: byoDetector, threads: 1, minScore: 0.35, packText: 'all' });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT=eighty/],
    [{ PORT: '70000' }, /PORT=70000/],
    [{ CLICKHOUSE_URL: 'clickhouse' }, /CLICKHOUSE_URL/],
    [{ CLICKHOUSE_URL: 'ftp://x' }, /http/],
    [{ KAFKA_BROKERS: 'kafka' }, /host:port/],
    [{ SHELFPULSE_ROLES: 'ingest,cooking' }, /cooking/],
    [{ SHELFPULSE_TIMEZONE: 'Mars/Olympus' }, /IANA/],
    [{ SHELFPULSE_ADMIN_TOKEN: 'short' }, /16 characters/],
    [{ SHELFPULSE_TRUST_PROXY: 'proxy.local' }, /addresses\/CIDRs/],
    [{ SHELFPULSE_TRUST_PROXY: '10.0.0.0/40' }, /10\.0\.0\.0\/40/],
    [{ SHELFPULSE_VISION_MODEL_DIR: os.tmpdir() }, /SHELFPULSE_VISION_MODEL_DIR=.* holds no model\.onnx/],
    [{ SHELFPULSE_VISION_THREADS: 'two' }, /SHELFPULSE_VISION_THREADS=two/],
    [{ SHELFPULSE_VISION_THREADS: '0' }, /SHELFPULSE_VISION_THREADS=0/],
    [{ SHELFPULSE_VISION_MIN_SCORE: '60%' }, /SHELFPULSE_VISION_MIN_SCORE=60% must be a detector score/],
    [{ SHELFPULSE_VISION_MIN_SCORE: '1.5' }, /SHELFPULSE_VISION_MIN_SCORE=1\.5/],
    [{ SHELFPULSE_PACK_TEXT: 'some' }, /SHELFPULSE_PACK_TEXT=some is not one of unsure, all, off/],
    [{ SHELFPULSE_PUBLIC_URL: 'shelfpulse.example.com' }, /SHELFPULSE_PUBLIC_URL=shelfpulse\.example\.com is not an http\(s\) address/],
    [{ SHELFPULSE_ALERT_DUE_HOURS: 'stockout=8' }, /SHELFPULSE_ALERT_DUE_HOURS: "stockout=8" names no alert type/],
  ])('refuses %o with one clear line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
