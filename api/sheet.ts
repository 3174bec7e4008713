import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import ExcelJS from 'exceljs';
import { badRequest } from './errors.ts';

/** A cell as a feed means it: text (trimmed), a number, a boolean, an Excel date, or a formula's error. */
export type SheetCell = string | number | boolean | Date | { error: string };

/** The first sheet of an .xlsx upload: the header row's names and the rows that hold a value, numbered as in Excel. */
export class Sheet {
  constructor(
    readonly header: readonly string[],
    readonly rows: readonly { line: number; cells: readonly (SheetCell | undefined)[] }[],
  ) {}
}

/** Reads the first sheet; its first row that holds a value is the header. Rows left empty (often formatted, at the end) are skipped. */
export async function readSheet(bytes: Buffer): Promise<Sheet> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch (err) {
    throw badRequest(`the .xlsx file could not be read (${(err as Error).message}); save it again from Excel as an Excel workbook (*.xlsx)`);
  }
  const sheet = book.worksheets[0];
  const rows: { line: number; cells: (SheetCell | undefined)[] }[] = [];
  sheet?.eachRow((row, line) => {
    const cells: (SheetCell | undefined)[] = [];
    row.eachCell((cell, column) => {
      cells[column - 1] = sheetCell(cell.value, cell.numFmt);
    });
    if (cells.some((cell) => cell !== undefined)) rows.push({ line, cells });
  });
  const [header, ...data] = rows;
  return new Sheet(
    Array.from(header?.cells ?? [], (cell) => (cell === undefined ? '' : String(cell instanceof Date ? isoDay(cell) : cell))),
    data,
  );
}

function sheetCell(value: ExcelJS.CellValue, numFmt: string | undefined): SheetCell | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  // A code such as 000123 typed as a number and shown with a 000000 format: the text the sheet shows.
  if (typeof value === 'number') return numFmt && /^0+$/.test(numFmt) && Number.isInteger(value) ? String(value).padStart(numFmt.length, '0') : value;
  if (typeof value === 'boolean') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if ('error' in value) return { error: value.error };
  if ('richText' in value) return sheetCell(value.richText.map((run) => run.text).join(''), numFmt);
  if ('hyperlink' in value) return sheetCell(value.text, numFmt);
  if ('result' in value) return sheetCell(value.result, numFmt);
  return undefined;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** A row of the sheet as a record (a body row, see rows.ts), or why it cannot be one. */
export type SheetRow = { line: number; value: unknown } | { line: number; error: string };

/**
 * The sheet's rows as records of the schema. Excel dates go into date fields as YYYY-MM-DD; a date-time field needs
 * a UTC offset, which an Excel date has not, so such a cell rejects its row with what to type instead.
 */
export function sheetRows(sheet: Sheet, schema: TSchema): SheetRow[] {
  const fields: Record<string, TSchema> = schema.properties ?? {};
  return sheet.rows.map(({ line, cells }): SheetRow => {
    const present: [string, unknown][] = [];
    for (const [i, field] of sheet.header.entries()) {
      const cell = cells[i];
      if (cell === undefined || field === '') continue;
      const known = Object.hasOwn(fields, field);
      if (cell instanceof Date) {
        if (known && fields[field]?.format === 'date-time') {
          return { line, error: `${field}: an Excel date has no UTC offset; type it as text with one, e.g. 2026-11-20T09:30:00+08:00` };
        }
        const midnight = cell.getUTCHours() + cell.getUTCMinutes() + cell.getUTCSeconds() === 0;
        present.push([
          field,
          known && fields[field]?.format === 'date'
            ? isoDay(cell)
            : cell
                .toISOString()
                .slice(0, midnight ? 10 : 19)
                .replace('T', ' '),
        ]);
      } else if (typeof cell === 'object') {
        if (known) return { line, error: `${field}: the cell holds the error ${cell.error}; correct its formula or type the value` };
        present.push([field, cell.error]);
      } else {
        present.push([field, cell]);
      }
    }
    return { line, value: Value.Convert(schema, Object.fromEntries(present)) };
  });
}
