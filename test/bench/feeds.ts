import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { bodyText } from '../../api/body-text.ts';
import { readSheet, sheetRows } from '../../api/sheet.ts';
import { StoreRecord } from '../../contracts/records.ts';

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Reading real feeds: an .xlsx store master of BENCH_XLSX_ROWS rows (default 50,000; 10 columns) read whole into
 * records, with the peak RSS of this process; and decoding a 32 MB CSV as UTF-8 and as GBK (told from the bytes).
 */
export async function benchFeeds(): Promise<Record<string, number>> {
  const rows = Number(process.env.BENCH_XLSX_ROWS ?? 50_000);
  // Written by the streaming writer to a file, so that this process's peak memory is the reading's.
  const filePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-bench-feeds-')), 'stores.xlsx');
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: filePath, useSharedStrings: true });
  const sheet = book.addWorksheet('门店');
  sheet.addRow(['store_id', 'name', 'territory', 'region', 'city', 'lat', 'lon', 'format', 'manager', '开业日期']).commit();
  for (let i = 0; i < rows; i++) {
    const opened = new Date(Date.UTC(2019, 4, 1));
    sheet.addRow([String(i).padStart(6, '0'), `上海南京路店${i}`, '浦西', '华东', '上海', 31.2 + i / 1e6, 121.47, '大卖场', '张伟', opened]).commit();
  }
  await book.commit();
  const file = fs.readFileSync(filePath);
  fs.rmSync(path.dirname(filePath), { recursive: true });
  const start = performance.now();
  const records = sheetRows(await readSheet(file), StoreRecord);
  const xlsxSeconds = (performance.now() - start) / 1000;
  if (records.length !== rows) throw new Error(`read ${records.length} of ${rows} rows`);
  const xlsxPeakRss = process.resourceUsage().maxRSS / 1024;

  const line = 'SH001,上海南京路店,浦西,华东,上海,31.2353,121.4747,大卖场,"张伟, 李娜"\r\n';
  const text = line.repeat(Math.floor((32 * 1024 * 1024) / Buffer.byteLength(line)));
  const decode = (bytes: Buffer) => {
    const t = performance.now();
    bodyText(bytes, 'text/csv');
    return bytes.length / 1e6 / ((performance.now() - t) / 1000);
  };
  return {
    xlsx_rows: rows,
    xlsx_file_mb: round(file.length / 1e6),
    xlsx_rows_per_s: Math.round(rows / xlsxSeconds),
    xlsx_peak_rss_mb: Math.round(xlsxPeakRss),
    csv_utf8_decode_mb_per_s: Math.round(decode(Buffer.from(text))),
    csv_gbk_decode_mb_per_s: Math.round(decode(iconv.encode(text, 'gbk'))),
  };
}
