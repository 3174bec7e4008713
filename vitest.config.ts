import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Three tiers, each its own project: `npm run test:unit` (plain functions, no services: the loop while editing a rule),
// `test:integration` (real chDB, the embedded log and the Kafka mock cluster, real ONNX models), `test:e2e` (Chromium
// against the real server). `npm test` runs all three.
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
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
