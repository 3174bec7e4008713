import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { AlertService } from '../../../pipelines/alert-service.ts';
import type { EventLog } from '../../../pipelines/log/event-log.ts';
import { inScope } from '../../../analytics/alerts/scope.ts';
import { closeScopes } from '../../../analytics/alerts/scope.ts';
import { LocalDays, localDay, previousDay } from '../../../lib/days.ts';
import { startAlertEngine } from '../../../pipelines/workers/alert-engine.ts';

/** An event log that delivers nothing: the scheduler is what is under test. */
const quietLog = { kind: 'embedded', subscribe: async () => ({ stop: async () => {} }) } as unknown as EventLog;

describe('the daily close scheduler', () => {
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

  it('one close per time zone in use, the platform zone for every store that names no other', () => {
    expect(closeScopes(new Map(), 'Asia/Shanghai')).toEqual([{ timezone: 'Asia/Shanghai' }]);
    expect(closeScopes(new Map([['S1', 'Asia/Shanghai']]), 'Asia/Shanghai')).toEqual([{ timezone: 'Asia/Shanghai' }]);
    const scopes = closeScopes(new Map([['T1', 'Asia/Tokyo'], ['U1', 'Asia/Urumqi'], ['T2', 'Asia/Tokyo']]), 'Asia/Shanghai');
    // The platform zone's close covers every store the other zones do not claim (S1, a store not registered yet).
    expect(scopes).toEqual([
      { timezone: 'Asia/Shanghai', except: ['T1', 'T2', 'U1'] },
      { timezone: 'Asia/Tokyo', stores: ['T1', 'T2'] },
      { timezone: 'Asia/Urumqi', stores: ['U1'] },
    ]);
    const [shanghai, tokyo] = scopes.map(inScope);
    expect(['S1', 'T1', 'U1', 'NEW'].filter(shanghai!)).toEqual(['S1', 'NEW']);
    expect(['S1', 'T1', 'T2', 'U1'].filter(tokyo!)).toEqual(['T1', 'T2']);
  });

  it('closes each zone after its own midnight: Tokyo an hour before Shanghai, Urumqi two hours after', async () => {
    let clock = new Date('2026-11-21T14:30:00Z'); // 23:30 on 21 Nov in Tokyo
    const closed: string[] = [];
    const alerts = {
      timezones: async () => ['Asia/Shanghai', 'Asia/Tokyo', 'Asia/Urumqi'],
      closeDay: async (day: string, _signal: AbortSignal, timezone: string) => {
        closed.push(`${timezone} ${day}`);
        return { summary: { as_of: day, opened: 0, updated: 0, resolved: 0, by_type: {} }, changed: [] };
      },
    } as unknown as AlertService;
    const engine = await startAlertEngine(quietLog, alerts, pino({ level: 'silent' }), { timezone: 'Asia/Shanghai', now: () => clock, tickMs: 5 });
    try {
      // On start every zone closes its yesterday: 20 Nov.
      await vi.waitFor(() => expect(closed).toEqual(['Asia/Shanghai 2026-11-20', 'Asia/Tokyo 2026-11-20', 'Asia/Urumqi 2026-11-20']));
      clock = new Date('2026-11-21T15:01:00Z'); // 00:01 on 22 Nov in Tokyo, 23:01 on 21 Nov in Shanghai
      await vi.waitFor(() => expect(closed.slice(3)).toEqual(['Asia/Tokyo 2026-11-21']));
      clock = new Date('2026-11-21T16:01:00Z'); // midnight has passed in Shanghai
      await vi.waitFor(() => expect(closed.slice(3)).toEqual(['Asia/Tokyo 2026-11-21', 'Asia/Shanghai 2026-11-21']));
      clock = new Date('2026-11-21T17:59:00Z'); // 23:59 in Urumqi: not yet
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(closed).toHaveLength(5);
      clock = new Date('2026-11-21T18:01:00Z');
      await vi.waitFor(() => expect(closed.slice(5)).toEqual(['Asia/Urumqi 2026-11-21']));
    } finally {
      await engine.stop();
    }
  });

  it('closes the previous local day once after midnight, and the next one after the next midnight', async () => {
    let clock = new Date('2026-11-21T16:30:00Z'); // 00:30 on 22 Nov in Shanghai
    const closed: string[] = [];
    const alerts = {
      timezones: async () => ['Asia/Shanghai'],
      closeDay: async (day: string) => {
        closed.push(day);
        return { summary: { as_of: day, opened: 0, updated: 0, resolved: 0, by_type: {} }, changed: [] };
      },
    } as unknown as AlertService;
    const engine = await startAlertEngine(quietLog, alerts, pino({ level: 'silent' }), { timezone: 'Asia/Shanghai', now: () => clock, tickMs: 5 });
    try {
      await vi.waitFor(() => expect(closed).toEqual(['2026-11-21']));
      clock = new Date('2026-11-22T15:59:00Z'); // 23:59 on 22 Nov: still the same day, nothing more to close
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(closed).toEqual(['2026-11-21']);
      clock = new Date('2026-11-22T16:01:00Z'); // 00:01 on 23 Nov
      await vi.waitFor(() => expect(closed).toEqual(['2026-11-21', '2026-11-22']));
    } finally {
      await engine.stop();
    }
  });

  it('retries a close that failed at the next tick', async () => {
    let attempts = 0;
    const alerts = {
      timezones: async () => ['Asia/Shanghai'],
      closeDay: async (day: string) => {
        attempts++;
        if (attempts === 1) throw new Error('warehouse unavailable');
        return { summary: { as_of: day, opened: 0, updated: 0, resolved: 0, by_type: {} }, changed: [] };
      },
    } as unknown as AlertService;
    const engine = await startAlertEngine(quietLog, alerts, pino({ level: 'silent' }), {
      timezone: 'Asia/Shanghai',
      now: () => new Date('2026-11-21T16:30:00Z'),
      tickMs: 5,
    });
    try {
      await vi.waitFor(() => expect(attempts).toBe(2));
    } finally {
      await engine.stop();
    }
  });
});
