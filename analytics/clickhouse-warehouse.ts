import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { classifyClickhouseError, INSERT_SETTINGS, OUTPUT_SETTINGS, rowChunks, type QueryParams, type Row, type Warehouse } from './warehouse.ts';

export interface ClickhouseServerOptions {
  url: string;
  user: string;
  password: string;
  database: string;
}

/** A ClickHouse server over HTTP (@clickhouse/client), for the distributed shape. */
export class ClickhouseWarehouse implements Warehouse {
  readonly kind = 'clickhouse' as const;
  private readonly client: ClickHouseClient;

  private constructor(client: ClickHouseClient) {
    this.client = client;
  }

  /** Creates the database first, since a client bound to a missing database cannot run anything. */
  static async connect(options: ClickhouseServerOptions): Promise<ClickhouseWarehouse> {
    const bootstrap = createClient({ url: options.url, username: options.user, password: options.password });
    try {
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(options.database)}` });
    } catch (err) {
      throw classifyClickhouseError(err);
    } finally {
      await bootstrap.close();
    }
    return new ClickhouseWarehouse(
      createClient({
        url: options.url,
        username: options.user,
        password: options.password,
        database: options.database,
        clickhouse_settings: OUTPUT_SETTINGS,
      }),
    );
  }

  async query<T = Row>(sql: string, params?: QueryParams): Promise<T[]> {
    try {
      const result = await this.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
      return await result.json<T>();
    } catch (err) {
      throw classifyClickhouseError(err);
    }
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    try {
      await this.client.command({ query: sql, query_params: params });
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

  async insertEncoded(table: string, jsonRows: readonly string[]): Promise<number> {
    if (jsonRows.length === 0) return 0;
    try {
      await this.client.insert({
        table,
        values: Readable.from(jsonRows.map((row) => `${row}\n`)),
        format: 'JSONEachRow',
        clickhouse_settings: INSERT_SETTINGS,
      });
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
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`database name "${name}" must be a plain identifier`);
  return name;
}
