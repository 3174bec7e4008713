import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type Logger as ClientLogger } from '@clickhouse/client';
import type { Logger } from 'pino';
import {
  classifyClickhouseError,
  INSERT_SETTINGS as SHARED_INSERT_SETTINGS,
  jsonLinesBuffer,
  OUTPUT_SETTINGS,
  rowChunks,
  type QueryParams,
  type Row,
  type Warehouse,
} from './warehouse.ts';

/**
 * Synchronous on the server (asynchronous is its default from 26.2): there a bad row in an asynchronous insert is
 * parsed later, with other clients' rows, while the sink needs it to fail its own insert to dead-letter it. The
 * embedded chDB rejects a bad row in the insert either way (the contract suite checks both), and keeps its default:
 * synchronous inserts there slowed the photo path (`npm run bench -- vision`).
 */
const INSERT_SETTINGS = { ...SHARED_INSERT_SETTINGS, async_insert: 0 } as const;

export interface ClickhouseServerOptions {
  url: string;
  user: string;
  password: string;
  database: string;
}

export interface ClickhouseLimits {
  /** Server-side limit (max_execution_time) of a SELECT: the API's and the alerts' reads. */
  querySeconds: number;
  /** Server-side limit of a statement: refills, INSERT … SELECT, migrations. */
  commandSeconds: number;
}

export const DEFAULT_LIMITS: ClickhouseLimits = { querySeconds: 120, commandSeconds: 900 };

/**
 * The client waits this much longer than the longest server-side limit, so the server always ends a statement
 * itself (TIMEOUT_EXCEEDED, an answer) rather than the client leaving while the server goes on running it.
 */
const CLIENT_MARGIN_SECONDS = 30;

/** The client's own log lines go through the platform's pino logger (JSON, one stream), not console. */
function pinoClientLogger(logger: Logger): new () => ClientLogger {
  return class {
    trace({ module, message, args }: Parameters<ClientLogger['trace']>[0]) {
      logger.trace({ module, ...args }, message);
    }
    debug({ module, message, args }: Parameters<ClientLogger['debug']>[0]) {
      logger.debug({ module, ...args }, message);
    }
    info({ module, message, args }: Parameters<ClientLogger['info']>[0]) {
      logger.info({ module, ...args }, message);
    }
    warn({ module, message, args, err }: Parameters<ClientLogger['warn']>[0]) {
      // The one Config warning is the advice to send progress headers, declined on purpose (see connect).
      if (module === 'Config') logger.debug({ module, ...args }, message);
      else logger.warn({ module, ...args, err }, message);
    }
    // Every failed request is also thrown to its caller as a WarehouseError, which the caller logs with what it
    // was doing; at error level each failure would be logged twice.
    error({ module, message, args, err }: Parameters<ClientLogger['error']>[0]) {
      logger.debug({ module, ...args, err }, message);
    }
  };
}

/** A ClickHouse server over HTTP (@clickhouse/client), for the distributed shape. */
export class ClickhouseWarehouse implements Warehouse {
  readonly kind = 'clickhouse' as const;
  private readonly client: ClickHouseClient;
  private readonly limits: ClickhouseLimits;

  private constructor(client: ClickHouseClient, limits: ClickhouseLimits) {
    this.client = client;
    this.limits = limits;
  }

  /** Creates the database first, since a client bound to a missing database cannot run anything. */
  static async connect(options: ClickhouseServerOptions, extra: { logger?: Logger; limits?: Partial<ClickhouseLimits> } = {}): Promise<ClickhouseWarehouse> {
    const limits = { ...DEFAULT_LIMITS, ...extra.limits };
    const common = {
      url: options.url,
      username: options.user,
      password: options.password,
      log: extra.logger ? { LoggerClass: pinoClientLogger(extra.logger), level: ClickHouseLogLevel.WARN } : { level: ClickHouseLogLevel.OFF },
    };
    const bootstrap = createClient(common);
    try {
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(options.database)}` });
    } catch (err) {
      throw classifyClickhouseError(err);
    } finally {
      await bootstrap.close();
    }
    const client = createClient({
      ...common,
      database: options.database,
      request_timeout: (Math.max(limits.querySeconds, limits.commandSeconds) + CLIENT_MARGIN_SECONDS) * 1000,
      // No progress headers (which the client suggests for long timeouts): once one is sent the answer is a 200, and a
      // statement failing after it (a time limit) came back as a reset connection, its ClickHouse error lost (tried).
      clickhouse_settings: OUTPUT_SETTINGS,
    });
    return new ClickhouseWarehouse(client, limits);
  }

  async query<T = Row>(sql: string, params?: QueryParams): Promise<T[]> {
    try {
      const result = await this.client.query({
        query: sql,
        query_params: params,
        format: 'JSONEachRow',
        clickhouse_settings: { max_execution_time: this.limits.querySeconds },
      });
      return await result.json<T>();
    } catch (err) {
      throw classifyClickhouseError(err);
    }
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    try {
      await this.client.command({ query: sql, query_params: params, clickhouse_settings: { max_execution_time: this.limits.commandSeconds } });
    } catch (err) {
      throw classifyClickhouseError(err);
    }
  }

  async insert(table: string, rows: Iterable<Row> | AsyncIterable<Row>): Promise<number> {
    let written = 0;
    try {
      for await (const chunk of rowChunks(rows)) {
        await this.client.insert({ table, values: chunk, format: 'JSONEachRow', clickhouse_settings: INSERT_SETTINGS });
        written += chunk.length;
      }
    } catch (err) {
      throw classifyClickhouseError(err);
    }
    return written;
  }

  async insertEncoded(table: string, jsonRows: readonly (string | Uint8Array)[]): Promise<number> {
    if (jsonRows.length === 0) return 0;
    try {
      // The rows are JSON text already: sent as bytes with the INSERT (the client's insert() would encode each again).
      const result = await this.client.exec({
        query: `INSERT INTO ${quoteIdentifier(table)} FORMAT JSONEachRow`,
        values: Readable.from([jsonLinesBuffer(jsonRows)], { objectMode: false }),
        clickhouse_settings: INSERT_SETTINGS,
      });
      result.stream.resume();
    } catch (err) {
      throw classifyClickhouseError(err);
    }
    return jsonRows.length;
  }

  async ping(): Promise<boolean> {
    const result = await this.client.ping();
    return result.success;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`"${name}" must be a plain identifier (letters, digits, _)`);
  return name;
}
