import fs from 'node:fs';
import { Session } from 'chdb';
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

// In-process, the parser's own threads take the cores from the app (and from the sink's next fetch): parsing on the
// inserting thread used ~8 % less CPU for the same rows (200k till lines in 25k-row inserts).
const INSERT_SETTINGS = { ...SHARED_INSERT_SETTINGS, input_format_parallel_parsing: 0 } as const;

/**
 * ClickHouse sizes its caches for a dedicated server (5 GiB each for marks and indexes), so in-process they would
 * grow the platform's memory for as long as data grows. These bounds keep the embedded shape's memory flat;
 * a ClickHouse server keeps its own configuration.
 */
const EMBEDDED_CACHES = {
  mark_cache_size: 256 * 2 ** 20,
  index_mark_cache_size: 64 * 2 ** 20,
  primary_index_cache_size: 128 * 2 ** 20,
  query_condition_cache_size: 32 * 2 ** 20,
} as const;

/**
 * Embedded ClickHouse. chDB allows one data directory per process, so the platform opens one of these and
 * shares it. Queries run off the event loop (queryAsync), so a long alert evaluation does not stall HTTP.
 */
export class ChdbWarehouse implements Warehouse {
  readonly kind = 'chdb' as const;
  private readonly session: Session;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.session = new Session(dataDir, {
      connectionArgs: [
        `--output_format_json_quote_64bit_integers=${OUTPUT_SETTINGS.output_format_json_quote_64bit_integers}`,
        ...Object.entries(EMBEDDED_CACHES).map(([name, bytes]) => `--${name}=${bytes}`),
      ],
    });
  }

  async query<T = Row>(sql: string, params?: QueryParams): Promise<T[]> {
    try {
      const result = params
        ? await this.session.queryBindAsync(sql, params, { format: 'JSONEachRow' })
        : await this.session.queryAsync(sql, { format: 'JSONEachRow' });
      const text = result.text();
      if (text.length === 0) return [];
      return text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as T);
    } catch (err) {
      throw classifyClickhouseError(err);
    }
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    try {
      if (params) await this.session.queryBindAsync(sql, params, { format: 'Null' });
      else await this.session.queryAsync(sql, { format: 'Null' });
    } catch (err) {
      throw classifyClickhouseError(err);
    }
  }

  async insert(table: string, rows: Iterable<Row> | AsyncIterable<Row>): Promise<number> {
    let written = 0;
    try {
      for await (const chunk of rowChunks(rows))
        written += await this.insertEncoded(
          table,
          chunk.map((row) => JSON.stringify(row)),
        );
    } catch (err) {
      throw classifyClickhouseError(err);
    }
    return written;
  }

  async insertEncoded(table: string, jsonRows: readonly (string | Uint8Array)[]): Promise<number> {
    if (jsonRows.length === 0) return 0;
    try {
      // JSONEachRow bytes go to the engine's own parser; no row-by-row binding in JS.
      await this.session.insert({ table, values: jsonLinesBuffer(jsonRows), format: 'JSONEachRow', settings: INSERT_SETTINGS });
    } catch (err) {
      throw classifyClickhouseError(err);
    }
    return jsonRows.length;
  }

  async ping(): Promise<boolean> {
    try {
      await this.session.queryAsync('SELECT 1', { format: 'Null' });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.session.close();
  }
}
