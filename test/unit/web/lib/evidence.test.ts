import { describe, expect, it } from 'vitest';
import { closedDays } from '../../../../web/src/lib/evidence.ts';

describe('an alert’s evidence chart', () => {
  it('names the closed days of both years under the chart, with their reasons', () => {
    const series = [
      { date: '2026-02-16', units: 0, closed: '春节' },
      { date: '2026-02-17', units: 4 },
    ];
    const lastYear = [{ date: '2025-01-28', units: 0, closed: '春节' }];
    expect(closedDays(series, lastYear)).toEqual([
      { date: '2026-02-16', reason: '春节' },
      { date: '2025-01-28', reason: '春节' },
    ]);
    expect(closedDays([{ date: '2026-02-17', units: 4 }], [])).toEqual([]);
  });
});
