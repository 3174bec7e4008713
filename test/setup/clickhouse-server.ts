import type { TestProject } from 'vitest/node';
import { startClickhouseServer } from '../clickhouse/server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The ClickHouse server the test files share (each file makes its own databases on it). */
    clickhouseUrl: string;
  }
}

/**
 * The ClickHouse server the test files share: CLICKHOUSE_TEST_URL when set (the same tests against a real
 * clickhouse-server, user `default` without a password), else the chdb library's server mode, stopped after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.CLICKHOUSE_TEST_URL;
  if (external) {
    project.provide('clickhouseUrl', external);
    return async () => {};
  }
  const server = await startClickhouseServer();
  project.provide('clickhouseUrl', server.url);
  return () => server.stop();
}
