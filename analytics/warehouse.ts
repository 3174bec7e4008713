/** Values bound server-side to `{name:Type}` placeholders; never spliced into SQL text. */
export type QueryParams = Record<string, unknown>;
export type Row = Record<string, unknown>;

/**
 * ClickHouse as the rest of the platform sees it. Two adapters: embedded chDB and a ClickHouse server.
 * No rule or query knows which one runs.
 */
export interface Warehouse {
  readonly kind: 'chdb' | 'clickhouse';
  /** Runs a SELECT and returns its rows as plain objects (64-bit integers come back as numbers, as counts want). */
  query<T = Row>(sql: string, params?: QueryParams): Promise<T[]>;
  /** Runs a statement that returns nothing (DDL, INSERT … SELECT, ALTER). */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** Appends rows to a table; resolves once the engine has written them. */
  insert(table: string, rows: Iterable<Row> | AsyncIterable<Row>): Promise<number>;
  /**
   * Appends rows that are already JSON text, as the event log holds them: each item one object, or several one a
   * line; text or its UTF-8 bytes (a log message as it came). Resolves to the number of items.
   */
  insertEncoded(table: string, jsonRows: readonly (string | Uint8Array)[]): Promise<number>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type WarehouseErrorCode = 'unavailable' | 'bad_query' | 'bad_data';

/**
 * A warehouse failure. `unavailable` is transient (retry later, apply backpressure);
 * `bad_data` means the rows themselves cannot be stored (dead-letter them).
 */
export class WarehouseError extends Error {
  override name = 'WarehouseError';
  constructor(
    readonly code: WarehouseErrorCode,
    message: string,
    readonly clickhouseCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// ClickHouse error codes that mean "these rows cannot be parsed/stored", as opposed to an engine fault.
const BAD_DATA_CODES = new Set([6, 26, 27, 38, 41, 53, 69, 70, 72, 117, 321, 377, 457]);
const BAD_QUERY_CODES = new Set([36, 43, 44, 46, 47, 60, 62, 81, 386]);

/**
 * The ClickHouse error code of a failure: @clickhouse/client gives it as `code` (a string of digits, the message
 * stripped of "Code: N."); chDB keeps "Code: N." in the message.
 */
function clickhouseCodeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  const match = /Code: (\d+)\./.exec(err instanceof Error ? err.message : String(err));
  return match ? Number(match[1]) : undefined;
}

export function classifyClickhouseError(err: unknown): WarehouseError {
  if (err instanceof WarehouseError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = clickhouseCodeOf(err);
  if (code !== undefined && BAD_DATA_CODES.has(code)) return new WarehouseError('bad_data', message, code, { cause: err });
  if (code !== undefined && BAD_QUERY_CODES.has(code)) return new WarehouseError('bad_query', message, code, { cause: err });
  return new WarehouseError('unavailable', message, code, { cause: err });
}

/** Splits a (possibly streamed) row source into bounded inserts, so memory stays flat on large loads. */
export async function* rowChunks(rows: Iterable<Row> | AsyncIterable<Row>, rowsPerChunk = 50_000): AsyncGenerator<Row[]> {
  let chunk: Row[] = [];
  for await (const row of rows) {
    chunk.push(row);
    if (chunk.length >= rowsPerChunk) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Settings shared by both adapters so that the same rows parse the same way. */
export const INSERT_SETTINGS = {
  date_time_input_format: 'best_effort',
  input_format_skip_unknown_fields: 1,
} as const;

/** Both adapters render results alike: counts and sums as JSON numbers, not quoted strings. */
export const OUTPUT_SETTINGS = {
  output_format_json_quote_64bit_integers: 0,
} as const;

const NEWLINE = Buffer.from('\n');

/** JSON rows given as text or bytes (see `insertEncoded`) as one buffer, one a line: text is joined before encoding. */
export function jsonLinesBuffer(jsonRows: readonly (string | Uint8Array)[]): Buffer {
  if (jsonRows.every((row) => typeof row === 'string')) return Buffer.from(jsonRows.join('\n'));
  const parts: Uint8Array[] = [];
  for (const row of jsonRows) parts.push(typeof row === 'string' ? Buffer.from(row) : row, NEWLINE);
  return Buffer.concat(parts);
}
