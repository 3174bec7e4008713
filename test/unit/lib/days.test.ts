import { describe, expect, it } from 'vitest';
import { addDays, dayRange, daysBetween, isTimeZone, LocalDays, localDay, oneYearEarlier, previousDay } from '../../../lib/days.ts';

describe('local days', () => {
  it('takes the calendar day in the store time zone', () => {
    // 16:30 UTC is already 00:30 the next day in Shanghai.
    expect(localDay(new Date('2026-11-21T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-22');
    expect(localDay(new Date('2026-11-21T16:30:00Z'), 'Europe/Berlin')).toBe('2026-11-21');
    expect(previousDay('2026-03-01')).toBe('2026-02-28');
  });

  it('a day in a zone follows its offset, also across a daylight-saving change', () => {
    const days = new LocalDays();
    // 23:30 UTC on 21 Nov: 08:30 on 22 Nov in Tokyo, 05:30 on 22 Nov in Urumqi, 07:30 in Shanghai.
    const at = Date.parse('2026-11-21T23:30:00Z');
    expect(days.day(at, 'Asia/Tokyo')).toBe('2026-11-22');
    // 17:30 UTC: 01:30 next day in Shanghai, 23:30 the same day in Urumqi (UTC+6).
    expect(days.day(Date.parse('2026-11-21T17:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-22');
    expect(days.day(Date.parse('2026-11-21T17:30:00Z'), 'Asia/Urumqi')).toBe('2026-11-21');
    // New York springs forward at 07:00 UTC on 8 Mar 2026: 04:30 UTC is 23:30 on the 7th (UTC−5), 23:30 UTC on
    // the 8th is 19:30 that day (UTC−4); the same offsets are found again from the cache.
    for (let i = 0; i < 2; i++) {
      expect(days.day(Date.parse('2026-03-08T04:30:00Z'), 'America/New_York')).toBe('2026-03-07');
      expect(days.day(Date.parse('2026-03-09T03:59:00Z'), 'America/New_York')).toBe('2026-03-08');
      expect(days.day(Date.parse('2026-03-09T04:00:00Z'), 'America/New_York')).toBe('2026-03-09');
    }
  });
});

describe('day arithmetic', () => {
  it('adds and subtracts days across month, year and leap-day borders', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-11-21', 0)).toBe('2026-11-21');
    expect(previousDay('2027-01-01')).toBe('2026-12-31');
  });

  it('counts the days between two days, negative backwards, and lists a range with both ends', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toBe(3);
    expect(daysBetween('2026-03-02', '2026-02-27')).toBe(-3);
    expect(dayRange('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(dayRange('2026-11-21', '2026-11-21')).toEqual(['2026-11-21']);
    expect(dayRange('2026-11-22', '2026-11-21')).toEqual([]);
  });

  it('compares a day with the same day a year earlier; 29 February with 1 March', () => {
    expect(oneYearEarlier('2026-11-21')).toBe('2025-11-21');
    expect(oneYearEarlier('2028-02-29')).toBe('2027-03-01');
  });

  it('knows IANA time zone names and refuses anything else', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('Asia/Shanghai; DROP TABLE')).toBe(false);
  });
});
