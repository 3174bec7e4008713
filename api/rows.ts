import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseCsv } from 'csv-parse/sync';
import { feedRecord } from '../pipelines/validate.ts';
import { badRequest, tooLarge } from './errors.ts';
import { Sheet, sheetRows } from './sheet.ts';

/**
 * One row of a request body with its 1-based line (its JSON text, for NDJSON, and the fields it had that the record
 * has not), or why it could not be read.
 */
export type BodyRow = { line: number; value: unknown; text?: string | undefined; ignored?: readonly string[] } | { line: number; error: string };

export type BodyFormat = 'json' | 'ndjson' | 'csv' | 'xlsx';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function bodyFormat(contentType: string | undefined): BodyFormat {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') return 'ndjson';
  if (type === 'text/csv') return 'csv';
  if (type === XLSX) return 'xlsx';
  return 'json';
}

/**
 * Splits a request body into rows. JSON: an array (a single object counts as one row). NDJSON: a row a line,
 * blank lines skipped, a line that is not JSON rejected on its own. CSV: header row = field names, values
 * converted to the schema's types (numbers, booleans); empty cells are absent fields. XLSX: the first sheet, read
 * like a CSV (see sheet.ts). NDJSON and CSV arrive as text already decoded (body-text.ts), an .xlsx as its Sheet.
 * Every row is then read as feeds write it (feedRecord): `null` in an optional field is absent, unknown fields are
 * dropped and named.
 */
export function bodyRows(format: BodyFormat, body: unknown, schema: TSchema, maxRows: number): BodyRow[] {
  const rows = readRows(format, body, schema);
  if (rows.length > maxRows) throw tooLarge(`${rows.length} rows in one request; send at most ${maxRows} per request`);
  if (rows.length === 0) throw badRequest('the body holds no rows');
  const read = feedRecord(schema);
  return rows.map((row) => {
    if ('error' in row) return row;
    const { value, ignored, changed } = read(row.value);
    if (!changed) return row;
    // The NDJSON text goes on to the log as it arrived, unless reading dropped a field from it.
    return { line: row.line, value, text: undefined, ignored };
  });
}

function readRows(format: BodyFormat, body: unknown, schema: TSchema): BodyRow[] {
  if (format === 'json') {
    if (Array.isArray(body)) return body.map((value, i) => ({ line: i + 1, value }));
    if (body !== null && typeof body === 'object') return [{ line: 1, value: body }];
    throw badRequest('the body must be a JSON array of records (or NDJSON / CSV with the matching Content-Type)');
  }
  if (format === 'xlsx') {
    if (body instanceof Sheet) return sheetRows(body, schema);
    throw badRequest('the body could not be read as an .xlsx workbook');
  }
  if (typeof body !== 'string') throw badRequest('the body could not be read as text');
  if (format === 'ndjson') {
    const rows: BodyRow[] = [];
    body.split('\n').forEach((text, i) => {
      const trimmed = text.trim();
      if (trimmed === '') return;
      try {
        rows.push({ line: i + 1, value: JSON.parse(trimmed), text: trimmed });
      } catch {
        rows.push({ line: i + 1, error: 'not a JSON object' });
      }
    });
    return rows;
  }
  return csvRows(body, schema);
}

function csvRows(body: string, schema: TSchema): BodyRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(body, { bom: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: true }) as unknown as typeof records;
  } catch (err) {
    throw badRequest(`the CSV could not be read: ${(err as Error).message}`);
  }
  const [header, ...data] = records;
  if (!header) return [];
  const fields = header.record;
  // Rows are numbered as lines of the file (the header is line 1).
  return data.map(({ record, info }): BodyRow => {
    if (record.length !== fields.length) {
      return { line: info.lines, error: `expected ${fields.length} fields as in the header, found ${record.length}` };
    }
    const present = Object.fromEntries(fields.flatMap((field, i) => (record[i] === '' ? [] : [[field, record[i]]])));
    return { line: info.lines, value: Value.Convert(schema, present) };
  });
}
