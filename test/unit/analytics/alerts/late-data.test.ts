import { describe, expect, it } from 'vitest';
import { firstChangedDay } from '../../../../analytics/alerts/late-data.ts';

describe('which closed day late rows arrived for', () => {
  const before = new Map([
    ['sales|2026-11-18', '900'],
    ['sales|2026-11-19', '880'],
    ['sales|2026-11-20', '870'],
  ]);

  it('none when every day reads as at its close', () => {
    expect(firstChangedDay(before, new Map(before))).toBeUndefined();
  });

  it('the earliest day with more lines, a new stock count or a closure', () => {
    expect(firstChangedDay(before, new Map([...before, ['sales|2026-11-20', '990']]))).toBe('2026-11-20');
    expect(firstChangedDay(before, new Map([...before, ['counts|2026-11-19', '3'], ['sales|2026-11-20', '990']]))).toBe('2026-11-19');
    expect(firstChangedDay(before, new Map([...before, ['closures|2026-11-18', '42']]))).toBe('2026-11-18');
  });
});
