import fs from 'node:fs';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Three tiers, each its own project (integration twice: embedded and on a ClickHouse server): `npm run test:unit` (plain functions, no services: the loop while editing a rule),
// `test:integration` (real chDB, the embedded log and the Kafka mock cluster, real ONNX models), `test:e2e` (Chromium
// against the real server). `npm test` runs all three.
// The suites that start the app (startTestServer) run a second time on the ClickHouse server shape
// (`npm run test:distributed`): a ClickHouse 26.7 HTTP server from the chdb library, a database per test server.
const appSuites = fs
  .readdirSync('test/integration')
  .filter((file) => file.endsWith('.test.ts') && fs.readFileSync(`test/integration/${file}`, 'utf8').includes('startTestServer('))
  .map((file) => `test/integration/${file}`);

export default defineConfig({
  test: {
    // Each test file runs in its own process: chDB allows one data directory per process.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        // The web app's plain modules import rune modules (*.svelte.ts): the Svelte compiler turns those into JavaScript.
        plugins: [svelte({ configFile: false })],
        // Strip types with the root tsconfig everywhere: web/tsconfig.json extends the one `svelte-kit sync` writes,
        // which a fresh clone has not got yet.
        tsconfig: 'tsconfig.json',
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/kafka-broker.ts', 'test/setup/clickhouse-server.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration-server',
          include: appSuites,
          env: { SHELFPULSE_TEST_WAREHOUSE: 'clickhouse' },
          globalSetup: ['test/setup/kafka-broker.ts', 'test/setup/clickhouse-server.ts'],
        },
      },
      {
        extends: true,
        // The deployment test: every role its own process on the Kafka mock cluster and the ClickHouse server.
        test: { name: 'distributed', include: ['test/distributed/**/*.test.ts'], globalSetup: ['test/setup/clickhouse-server.ts'] },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
