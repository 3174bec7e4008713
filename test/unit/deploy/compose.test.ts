import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, ROLES } from '../../../pipelines/config.ts';
import { TOPICS } from '../../../pipelines/log/topics.ts';

interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(fs.readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const appServices = Object.entries(compose.services).filter(([name, s]) => s.image === 'shelfpulse:latest' && name !== 'migrate');

/** Compose's ${VAR:-default} and ${VAR:?message} as a user without those variables set would get them (the required ones set). */
function interpolate(value: string): string {
  return value.replace(
    /\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}/g,
    (_m, name: string, fallback?: string) => fallback ?? (name === 'SHELFPULSE_ADMIN_TOKEN' ? 'a-token-of-sixteen-plus' : ''),
  );
}

/** The environment variables the configuration code actually reads (with both distributed adapters on). */
function variablesReadByConfig(): Set<string> {
  const read = new Set<string>();
  const adapters: Record<string, string> = { CLICKHOUSE_URL: 'http://clickhouse:8123', KAFKA_BROKERS: 'kafka:9092' };
  const env = new Proxy<NodeJS.ProcessEnv>(
    {},
    {
      get: (_target, name) => {
        read.add(String(name));
        return adapters[String(name)];
      },
    },
  );
  loadConfig(env);
  return read;
}

describe('docker-compose.yml matches what the code reads', () => {
  it('runs the app image once per role, covering every role', () => {
    const roles = appServices.flatMap(([, s]) => (s.environment?.SHELFPULSE_ROLES ?? '').split(','));
    expect(new Set(roles)).toEqual(new Set(ROLES));
  });

  it.each(appServices)('%s: command, environment and port are the ones the CLI and config take', (_name, service) => {
    expect(service.command).toEqual(['node', 'bin/shelfpulse.mjs', 'serve', '--no-demo']);
    expect(fs.existsSync(new URL('../../../bin/shelfpulse.mjs', import.meta.url))).toBe(true);

    const known = variablesReadByConfig();
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
    for (const name of Object.keys(env)) expect(known, `${name} is not read by pipelines/config.ts`).toContain(name);

    const config = loadConfig(env);
    expect(config.clickhouse?.url).toBe('http://clickhouse:8123');
    expect(config.kafka?.brokers).toEqual(['kafka:9092']);
    for (const port of service.ports ?? []) expect(port.split(':').pop()).toBe(String(config.port));
  });

  it('points the app at services that listen where the app looks', () => {
    const kafka = compose.services.kafka!.environment!;
    expect(kafka.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://kafka:9092');
    expect(compose.services.clickhouse!.image).toMatch(/^clickhouse\/clickhouse-server:/);
  });

  it('runs the migrations once, before the app containers, which count as healthy only when ready', () => {
    const migrate = compose.services.migrate!;
    expect(migrate.command).toEqual(['node', 'bin/shelfpulse.mjs', 'migrate']);
    expect(loadConfig(Object.fromEntries(Object.entries(migrate.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]))).clickhouse?.url).toBe(
      'http://clickhouse:8123',
    );
    for (const [, service] of appServices) {
      expect(service.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
      expect(service.healthcheck?.test.join(' ')).toContain('/readyz');
    }
  });

  it('runs the ClickHouse release the tests run against (the chdb library, test/clickhouse/server.c)', () => {
    const library = JSON.parse(fs.readFileSync(new URL('../../../node_modules/@chdb/lib-linux-x64-gnu/package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const [major, minor] = library.version.split('.');
    expect(compose.services.clickhouse!.image).toBe(`clickhouse/clickhouse-server:${major}.${minor}`);
  });

  it('creates every topic the code uses', () => {
    const command = ([] as string[]).concat(compose.services['kafka-topics']!.command ?? []).join(' ');
    const created = /for t in ([\w\s-]+); do/.exec(command)![1]!.trim().split(/\s+/);
    expect(new Set(created)).toEqual(new Set(TOPICS));
  });
});
