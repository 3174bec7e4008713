import { describe, expect, it } from 'vitest';
import { DEFAULT_DUE_HOURS, dueAt, escalationDue, isOverdue, parseDueHours } from '../../../../analytics/alerts/deadlines.ts';

const HOUR = 3_600_000;
const opened = '2026-11-20T02:00:00.000Z';
const gap = { type: 'price_gap' as const, created_at: opened, status: 'open' as const };
const hours = parseDueHours('price_gap=24');
const at = (h: number) => new Date(Date.parse(opened) + h * HOUR);

describe('alert deadlines', () => {
  it('reads per-type hours over the defaults, and says which entry is wrong', () => {
    expect(parseDueHours('out_of_stock=8, dormant_customer=72')).toEqual({ ...DEFAULT_DUE_HOURS, out_of_stock: 8, dormant_customer: 72 });
    expect(parseDueHours(undefined)).toEqual(DEFAULT_DUE_HOURS);
    expect(() => parseDueHours('stockout=8')).toThrow(/"stockout=8" names no alert type; types: zero_sale/);
    expect(() => parseDueHours('zero_sale=0')).toThrow(/needs hours between 0 and 2160/);
    expect(() => parseDueHours('zero_sale')).toThrow(/needs hours/);
  });

  it('is due its type hours after opening, overdue from then until resolved', () => {
    expect(dueAt(gap, hours).toISOString()).toBe('2026-11-21T02:00:00.000Z');
    expect(isOverdue(gap, hours, at(23.9))).toBe(false);
    expect(isOverdue(gap, hours, at(24))).toBe(true);
    expect(isOverdue({ ...gap, status: 'acknowledged' }, hours, at(30))).toBe(true);
    expect(isOverdue({ ...gap, status: 'resolved' }, hours, at(30))).toBe(false);
  });

  it('climbs to the territory lead when due and to the sales director a due period later', () => {
    expect([0, 23, 24, 47, 48, 500].map((h) => escalationDue(gap, hours, at(h)))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(escalationDue({ ...gap, status: 'resolved' }, hours, at(500))).toBe(0);
  });
});
