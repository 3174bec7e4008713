import { describe, expect, it } from 'vitest';
import { stockFindings, type StockRows } from '../../../../analytics/alerts/stock-findings.ts';
import { noDataTexts, outOfStockTexts, zeroSaleTexts } from '../../../../analytics/alerts/texts.ts';
import { addDays } from '../../../../lib/days.ts';
import { AS_OF, openAlert, ruleInputs } from './inputs.ts';

const noRows: StockRows = { storeDays: [], candidates: [], onHand: [], days: [], lastSales: [], closures: [], promotions: [], firstSales: [] };

/** 28 days of units from `from` on, with the given units on some days and 0 on the others. */
const series = (from: string, units: Record<string, number>) =>
  Array.from({ length: 28 }, (_, i) => addDays(from, i)).map((date) => ({ date, units: units[date] ?? 0 }));

/** `units` a day over the 28 baseline days before W (21 Oct – 17 Nov), but on the days left out. */
const everyBaselineDay = (units: number, leftOut: string[] = []) =>
  Object.fromEntries(
    Array.from({ length: 28 }, (_, i) => addDays('2026-10-21', i))
      .filter((d) => !leftOut.includes(d))
      .map((d) => [d, units]),
  );
const pairDays = (store_id: string, sku: string, units: Record<string, number>) =>
  Object.entries(units).map(([date, n]) => ({ store_id, sku, date, units: n }));

describe('the stock family (zero_sale, out_of_stock, no_data) from plain rows', () => {
  it('raises a zero-sale streak that is improbable and keeps quiet on one that is not', () => {
    // W = 18–20 Nov, baseline the 28 days before: 28 units → λ = 3, P(0) = 4.98% ≤ 5%; 27 units → P(0) = 5.5%.
    const rows: StockRows = {
      ...noRows,
      candidates: [
        { store_id: 'S1', sku: 'COLA', windowDays: 3, category: 'Drinks', product_name: 'Cola 330ml' },
        { store_id: 'S1', sku: 'WATER', windowDays: 3, category: 'Drinks', product_name: 'Water 1l' },
      ],
      days: [...pairDays('S1', 'COLA', everyBaselineDay(1)), ...pairDays('S1', 'WATER', everyBaselineDay(1, ['2026-11-01']))],
    };
    expect(stockFindings(rows, ruleInputs())).toEqual({
      findings: [
        {
          type: 'zero_sale',
          store_id: 'S1',
          sku: 'COLA',
          territory: 'T1',
          category: 'Drinks',
          severity: 'low',
          assignee: 'ann',
          evidence: {
            window: { from: '2026-11-18', to: AS_OF, days: 3 },
            baseline_units: 28,
            expected_units: 3,
            p_zero: 0.04979,
            on_hand: null,
            series: series('2026-10-24', everyBaselineDay(1)),
            last_year: [],
          },
          ...zeroSaleTexts({ storeName: 'Riverside', productName: 'Cola 330ml', sku: 'COLA', days: 3, expected: 3, pZero: Math.exp(-3) }),
          message_en: 'Riverside: Cola 330ml (COLA) has sold nothing for 3 days; the previous 28 days predict about 3.0 units (chance of zero 5.0%).',
        },
      ],
      resolved: new Set(),
    });
  });

  it('calls a streak with nothing on hand a stock-out, by the sales it costs, with last year beside it', () => {
    const rows: StockRows = {
      ...noRows,
      candidates: [{ store_id: 'S2', sku: 'CHIPS', windowDays: 3, category: 'Snacks', product_name: 'Chips' }],
      onHand: [{ store_id: 'S2', sku: 'CHIPS', on_hand: 0 }],
      days: [{ store_id: 'S2', sku: 'CHIPS', date: '2025-11-20', units: 4 }, ...pairDays('S2', 'CHIPS', everyBaselineDay(10))],
    };
    expect(stockFindings(rows, ruleInputs())).toEqual({
      findings: [
        {
          type: 'out_of_stock',
          store_id: 'S2',
          sku: 'CHIPS',
          territory: 'T2',
          category: 'Snacks',
          severity: 'high',
          assignee: 'manager:S2',
          evidence: {
            window: { from: '2026-11-18', to: AS_OF, days: 3 },
            baseline_units: 280,
            expected_units: 30,
            p_zero: 9.358e-14,
            on_hand: 0,
            series: series('2026-10-24', everyBaselineDay(10)),
            last_year: series('2025-10-24', { '2025-11-20': 4 }),
          },
          ...outOfStockTexts({ storeName: 'Old Town', productName: 'Chips', sku: 'CHIPS', days: 3, expected: 30 }),
        },
      ],
      resolved: new Set(),
    });
    // On hand above 0 (or never counted) leaves it a display problem.
    const counted = stockFindings({ ...rows, onHand: [{ store_id: 'S2', sku: 'CHIPS', on_hand: 6 }] }, ruleInputs());
    expect(counted.findings.map((f) => [f.type, f.severity, f.evidence.on_hand])).toEqual([['zero_sale', 'high', 6]]);
    const texts = zeroSaleTexts({ storeName: 'Old Town', productName: 'Chips', sku: 'CHIPS', days: 3, expected: 30, pZero: Math.exp(-30) });
    expect(counted.findings[0]).toMatchObject(texts);
  });

  it('raises no_data for a store that stopped scanning, and resolves what scanning or selling again ends', () => {
    const rows: StockRows = {
      ...noRows,
      storeDays: [
        { store_id: 'S1', date: '2026-11-19', lines: 120 },
        { store_id: 'S1', date: '2026-11-02', lines: 900 },
        { store_id: 'S3', date: '2026-11-02', lines: 850 },
        // Scanned only before the baseline: not a feed that broke now.
        { store_id: 'S2', date: '2026-09-02', lines: 50 },
      ],
      lastSales: [
        { store_id: 'S2', sku: 'CHIPS', last_sale: '2026-11-19' },
        { store_id: 'S1', sku: 'COLA', last_sale: '2026-11-19' },
      ],
    };
    const open = [
      openAlert('no_data', 'S1'),
      openAlert('no_data', 'S3'),
      openAlert('out_of_stock', 'S2', 'CHIPS', '2026-11-18'),
      // Its last sale is its own day: the streak it reported has not ended.
      openAlert('zero_sale', 'S1', 'COLA', '2026-11-19'),
    ];
    expect(stockFindings(rows, ruleInputs({ open }))).toEqual({
      findings: [
        {
          type: 'no_data',
          store_id: 'S3',
          sku: '',
          territory: 'T1',
          category: '',
          severity: 'high',
          assignee: 'cy',
          evidence: { window: { from: '2026-11-18', to: AS_OF, days: 3 } },
          ...noDataTexts({ storeName: 'Harbour', days: 3 }),
        },
      ],
      resolved: new Set(['no_data:S1', 'stock:S2:CHIPS']),
    });
  });

  it('a closed store raises no no_data, and a closed day leaves the window (marked in the evidence)', () => {
    // S3 closed 19–20 Nov: its window is 16–18 Nov, in which it scanned; S1's COLA sold nothing on those days.
    const closures = ['2026-11-19', '2026-11-20'].map((date) => ({ date, store_id: 'S3', region: '', reason: '装修' }));
    const rows: StockRows = {
      ...noRows,
      closures,
      storeDays: [
        { store_id: 'S3', date: '2026-11-16', lines: 300 },
        { store_id: 'S3', date: '2026-11-02', lines: 850 },
      ],
      candidates: [{ store_id: 'S3', sku: 'COLA', windowDays: 3, category: 'Drinks', product_name: 'Cola 330ml' }],
      // Ten a day over the 28 days before 16 Nov, nothing since.
      days: pairDays('S3', 'COLA', Object.fromEntries(Array.from({ length: 28 }, (_, i) => [addDays('2026-10-19', i), 10]))),
    };
    const { findings } = stockFindings(rows, ruleInputs());
    expect(findings.map((f) => [f.type, f.store_id, f.evidence.window])).toEqual([['zero_sale', 'S3', { from: '2026-11-16', to: '2026-11-18', days: 3 }]]);
    const series = findings[0]!.evidence.series as { date: string; closed?: string }[];
    expect(series.filter((d) => d.closed).map((d) => [d.date, d.closed])).toEqual([
      ['2026-11-19', '装修'],
      ['2026-11-20', '装修'],
    ]);
    // Closed for good (no open day in the lookback): nothing to judge, no no_data either.
    const shut = Array.from({ length: 70 }, (_, i) => ({ date: addDays(AS_OF, -i), store_id: 'S3', region: '', reason: '装修' }));
    expect(stockFindings({ ...rows, closures: shut }, ruleInputs()).findings).toEqual([]);
  });
});
