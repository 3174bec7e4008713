import { describe, expect, it } from 'vitest';
import { ScanRecord, PromotionRecord, StoreRecord } from '../../../contracts/records.ts';
import { Sheet, sheetRows } from '../../../api/sheet.ts';

const day = (iso: string) => new Date(`${iso}Z`);

describe('sheetRows', () => {
  it('puts an Excel date into a date field as the day it shows, and into other text as the date (and time)', () => {
    const sheet = new Sheet(
      ['promo_id', 'sku', 'start_date', 'end_date', 'promo_price', '录入时间'],
      [{ line: 2, cells: ['P1', 690001, day('2026-11-20T00:00:00'), day('2026-11-26T00:00:00'), 1.99, day('2026-11-02T09:30:00')] }],
    );
    expect(sheetRows(sheet, PromotionRecord)).toEqual([
      {
        line: 2,
        value: { promo_id: 'P1', sku: '690001', start_date: '2026-11-20', end_date: '2026-11-26', promo_price: 1.99, 录入时间: '2026-11-02 09:30:00' },
      },
    ]);
  });

  it('rejects a row whose date-time field holds an Excel date (it has no UTC offset), saying what to type', () => {
    const sheet = new Sheet(
      ['event_id', 'store_id', 'sku', 'ts', 'qty', 'unit_price'],
      [{ line: 5, cells: ['e1', 'S1', 'P1', day('2026-11-20T09:30:00'), 1, 2] }],
    );
    expect(sheetRows(sheet, ScanRecord)).toEqual([{ line: 5, error: expect.stringMatching(/^ts: .*\+08:00/) }]);
  });

  it("rejects a row whose field holds a formula's error, but not for an error in a column the record has not", () => {
    const header = ['store_id', 'name', 'territory', 'region', 'city', 'lat', 'lon', '备注'];
    const row = ['S1', '上海南京路店', '浦西', '华东', '上海', 31.2, 121.5];
    const sheet = new Sheet(header, [
      { line: 2, cells: [...row.slice(0, 5), { error: '#N/A' }, 121.5] },
      { line: 3, cells: [...row, { error: '#REF!' }] },
    ]);
    const [bad, good] = sheetRows(sheet, StoreRecord);
    expect(bad).toEqual({ line: 2, error: expect.stringMatching(/^lat: .*#N\/A/) });
    expect(good).toMatchObject({ line: 3, value: { store_id: 'S1', lat: 31.2, 备注: '#REF!' } });
  });

  it('leaves empty cells and columns without a name out', () => {
    const sheet = new Sheet(['store_id', '', 'manager'], [{ line: 2, cells: ['S1', 'x', undefined] }]);
    expect(sheetRows(sheet, StoreRecord)).toEqual([{ line: 2, value: { store_id: 'S1' } }]);
  });
});
