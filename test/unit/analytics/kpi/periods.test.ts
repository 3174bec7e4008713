import { describe, expect, it } from 'vitest';
import {
  comparableChange,
  lastCompleteMonth,
  lastCompleteWeek,
  MAX_PERIOD_DAYS,
  openDays,
  periodProblem,
  resolveCompare,
  resolvePeriod,
} from '../../../../analytics/kpi/periods.ts';

describe('lastCompleteWeek', () => {
  it('is the anchor’s own week when the anchor is a Sunday, else the week before', () => {
    expect(lastCompleteWeek('2026-11-29')).toEqual({ from: '2026-11-23', to: '2026-11-29' }); // Sunday
    expect(lastCompleteWeek('2026-11-30')).toEqual({ from: '2026-11-23', to: '2026-11-29' }); // Monday
    expect(lastCompleteWeek('2026-11-28')).toEqual({ from: '2026-11-16', to: '2026-11-22' }); // Saturday
  });
  it('crosses the year end as ISO weeks do (week 1 of 2026 starts on Monday 29 December 2025)', () => {
    expect(lastCompleteWeek('2026-01-04')).toEqual({ from: '2025-12-29', to: '2026-01-04' });
    expect(lastCompleteWeek('2026-01-02')).toEqual({ from: '2025-12-22', to: '2025-12-28' });
  });
});

describe('lastCompleteMonth', () => {
  it('is the anchor’s month on its last day, else the month before', () => {
    expect(lastCompleteMonth('2026-11-30')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(lastCompleteMonth('2026-11-29')).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    expect(lastCompleteMonth('2026-12-01')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(lastCompleteMonth('2026-01-15')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
  });
  it('knows February’s length, leap years included', () => {
    expect(lastCompleteMonth('2024-02-29')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(lastCompleteMonth('2024-02-28')).toEqual({ from: '2024-01-01', to: '2024-01-31' });
    expect(lastCompleteMonth('2025-03-01')).toEqual({ from: '2025-02-01', to: '2025-02-28' });
  });
});

describe('resolvePeriod', () => {
  const latest = '2026-11-28';
  it('defaults to the 28 days up to the latest sales day', () => {
    expect(resolvePeriod({}, latest)).toEqual({ kind: 'days', from: '2026-11-01', to: latest });
    expect(resolvePeriod({ days: 7 }, latest)).toEqual({ kind: 'days', from: '2026-11-22', to: latest });
  });
  it('takes week and month from the latest sales day', () => {
    expect(resolvePeriod({ period: 'week' }, latest)).toEqual({ kind: 'week', from: '2026-11-16', to: '2026-11-22' });
    expect(resolvePeriod({ period: 'month' }, latest)).toEqual({ kind: 'month', from: '2026-10-01', to: '2026-10-31' });
  });
  it('fills a custom period’s missing end with 28 days', () => {
    expect(resolvePeriod({ from: '2026-02-01', to: '2026-02-10' }, latest)).toEqual({ kind: 'custom', from: '2026-02-01', to: '2026-02-10' });
    expect(resolvePeriod({ from: '2026-02-01' }, latest)).toEqual({ kind: 'custom', from: '2026-02-01', to: '2026-02-28' });
    expect(resolvePeriod({ to: '2026-02-28' }, latest)).toEqual({ kind: 'custom', from: '2026-02-01', to: '2026-02-28' });
  });
});

describe('resolveCompare', () => {
  it('compares with last year: 364 days back for days and weeks (weekdays line up), the same calendar month for a month', () => {
    expect(resolveCompare({ kind: 'week', from: '2026-11-16', to: '2026-11-22' }, {})).toEqual({ kind: 'last_year', from: '2025-11-17', to: '2025-11-23' });
    expect(resolveCompare({ kind: 'month', from: '2025-02-01', to: '2025-02-28' }, { compare: 'last_year' })).toEqual({
      kind: 'last_year',
      from: '2024-02-01',
      to: '2024-02-29',
    });
    expect(resolveCompare({ kind: 'month', from: '2024-02-01', to: '2024-02-29' }, {})).toEqual({ kind: 'last_year', from: '2023-02-01', to: '2023-02-28' });
  });
  it('compares with the previous period: the month or week before, else equal length just before', () => {
    expect(resolveCompare({ kind: 'month', from: '2026-03-01', to: '2026-03-31' }, { compare: 'previous_period' })).toEqual({
      kind: 'previous_period',
      from: '2026-02-01',
      to: '2026-02-28',
    });
    expect(resolveCompare({ kind: 'month', from: '2026-01-01', to: '2026-01-31' }, { compare: 'previous_period' })).toEqual({
      kind: 'previous_period',
      from: '2025-12-01',
      to: '2025-12-31',
    });
    expect(resolveCompare({ kind: 'week', from: '2025-12-29', to: '2026-01-04' }, { compare: 'previous_period' })).toEqual({
      kind: 'previous_period',
      from: '2025-12-22',
      to: '2025-12-28',
    });
    expect(resolveCompare({ kind: 'custom', from: '2024-03-01', to: '2024-03-10' }, { compare: 'previous_period' })).toEqual({
      kind: 'previous_period',
      from: '2024-02-20',
      to: '2024-02-29',
    });
  });
  it('takes a custom compare-to period as given', () => {
    expect(resolveCompare({ kind: 'days', from: '2026-11-01', to: '2026-11-28' }, { compareFrom: '2026-06-01', compareTo: '2026-06-30' })).toEqual({
      kind: 'custom',
      from: '2026-06-01',
      to: '2026-06-30',
    });
  });
});

describe('periodProblem', () => {
  it('accepts what can be answered', () => {
    expect(periodProblem({})).toBeNull();
    expect(periodProblem({ period: 'month', compare: 'previous_period' })).toBeNull();
    expect(periodProblem({ from: '2024-01-01', to: '2024-12-31' })).toBeNull(); // 366 days
    expect(periodProblem({ compare: 'custom', compareFrom: '2025-01-01', compareTo: '2025-01-31' })).toBeNull();
  });
  it('says what to change', () => {
    expect(periodProblem({ from: '2026-02-10', to: '2026-02-01' })).toBe('from 2026-02-10 is after to 2026-02-01');
    expect(periodProblem({ from: '2024-01-01', to: '2025-01-01' })).toMatch(`longer than ${MAX_PERIOD_DAYS} days`);
    expect(periodProblem({ period: 'week', from: '2026-01-01' })).toMatch(/leave out from\/to/);
    expect(periodProblem({ days: 7, period: 'week' })).toMatch(/leave out period, from and to/);
    expect(periodProblem({ days: 400 })).toBe('days=400: ask for 1 to 366 days');
    expect(periodProblem({ compare: 'last_year', compareFrom: '2025-01-01', compareTo: '2025-01-31' })).toMatch(/leave out compare_from/);
    expect(periodProblem({ compare: 'custom' })).toMatch(/needs both compare_from and compare_to/);
    expect(periodProblem({ compareFrom: '2025-01-01' })).toMatch(/needs both/);
    expect(periodProblem({ compareFrom: '2025-02-01', compareTo: '2025-01-01' })).toBe('compare_from 2025-02-01 is after compare_to 2025-01-01');
    expect(periodProblem({ compareFrom: '2023-01-01', compareTo: '2025-01-01' })).toMatch(/longer than/);
  });
});

describe('openDays and comparableChange', () => {
  it('leaves the closed days inside the span out', () => {
    const closed = new Set(['2026-02-16', '2026-02-17', '2026-03-01']);
    expect(openDays({ from: '2026-02-01', to: '2026-02-28' }, closed)).toBe(26);
    expect(openDays({ from: '2024-02-01', to: '2024-02-29' }, new Map())).toBe(29);
  });
  it('compares sales per open day, so a month of 31 days is fair against one of 28 and a closed day is no drop', () => {
    expect(comparableChange({ sales: 3100, openDays: 31 }, { sales: 2800, openDays: 28 })).toBe(0);
    expect(comparableChange({ sales: 2600, openDays: 26 }, { sales: 2800, openDays: 28 })).toBe(0);
    expect(comparableChange({ sales: 1100, openDays: 10 }, { sales: 1000, openDays: 10 })).toBe(0.1);
  });
  it('has no change without a base', () => {
    expect(comparableChange({ sales: 100, openDays: 7 }, { sales: 0, openDays: 7 })).toBeNull();
    expect(comparableChange({ sales: 100, openDays: 7 }, { sales: 100, openDays: 0 })).toBeNull();
    expect(comparableChange({ sales: 0, openDays: 0 }, { sales: 100, openDays: 7 })).toBeNull();
  });
});
