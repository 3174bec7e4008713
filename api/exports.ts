import type { TObject, TSchema } from '@sinclair/typebox';
import ExcelJS from 'exceljs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { oneOf } from '../contracts/one-of.ts';

export const TABLE_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The `format` query parameter of a route whose answer is a table: for links, where a browser cannot set Accept. */
export const FormatQuery = oneOf(TABLE_FORMATS, { description: 'json (default), csv or xlsx; the Accept header text/csv or the xlsx type does the same' });

/** What the caller asked for: `?format=` first, then Accept; JSON unless a spreadsheet was asked for by name. */
export function tableFormat(request: FastifyRequest, format: TableFormat | undefined): TableFormat {
  if (format) return format;
  const accept = request.headers.accept ?? '';
  if (accept.includes(XLSX)) return 'xlsx';
  if (accept.includes('text/csv')) return 'csv';
  return 'json';
}

/** One sheet of an export: rows shaped by the answer schema of its items, which gives the columns and their order. */
export interface Sheet {
  name: string;
  schema: TObject;
  rows: readonly object[];
}

interface Column {
  header: string;
  value: (row: Record<string, unknown>) => unknown;
}

/** Columns from the schema: scalars as they are, a nested object's fields as `parent.field`, anything else as JSON. */
function columnsOf(schema: TObject, prefix = '', pick: (row: Record<string, unknown>) => unknown = (row) => row): Column[] {
  return Object.entries(schema.properties).flatMap(([key, property]: [string, TSchema]) => {
    const header = prefix + key;
    const value = (row: Record<string, unknown>) => (pick(row) as Record<string, unknown> | undefined)?.[key];
    if (property.type === 'object' && property.properties) return columnsOf(property as TObject, `${header}.`, value);
    return [{ header, value }];
  });
}

function cell(value: unknown): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

function workbookOf(sheets: readonly Sheet[]): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Shelfpulse';
  for (const sheet of sheets) {
    const columns = columnsOf(sheet.schema);
    const worksheet = workbook.addWorksheet(sheet.name);
    worksheet.columns = columns.map((c) => ({ header: c.header, key: c.header, width: Math.max(10, c.header.length + 2) }));
    for (const row of sheet.rows) worksheet.addRow(columns.map((c) => cell(c.value(row as Record<string, unknown>))));
    worksheet.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return workbook;
}

/**
 * Sends a table answer as a spreadsheet. CSV carries the first sheet only, in UTF-8 with a byte-order mark: without
 * it, Excel on a Chinese Windows reads the file as GBK and shows store names as mojibake.
 */
export async function sendTable(reply: FastifyReply, format: Exclude<TableFormat, 'json'>, filename: string, sheets: readonly Sheet[]): Promise<FastifyReply> {
  const workbook = workbookOf(sheets);
  const day = new Date().toISOString().slice(0, 10);
  reply.header('content-disposition', `attachment; filename="${filename}-${day}.${format}"`);
  if (format === 'xlsx') return reply.type(XLSX).send(Buffer.from(await workbook.xlsx.writeBuffer()));
  const csv = Buffer.from(await workbook.csv.writeBuffer({ sheetName: sheets[0]!.name }));
  return reply.type('text/csv; charset=utf-8').send(Buffer.concat([Buffer.from('\uFEFF'), csv]));
}
