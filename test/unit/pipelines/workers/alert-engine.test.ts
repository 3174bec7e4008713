import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { AlertService } from '../../../../pipelines/alert-service.ts';
import type { EventLog } from '../../../../pipelines/log/event-log.ts';
import { startAlertEngine } from '../../../../pipelines/workers/alert-engine.ts';

/** An event log that delivers nothing: the scheduler is what is under test. */
const quietLog = { kind: 'embedded', subscribe: async () => ({ stop: async () => {} }) } as unknown as EventLog;

describe('the daily close scheduler', () => {
  it('closes each zone after its own midnight: Tokyo an hour before Shanghai, Urumqi two hours after', async () => {
    let clock = new Date('2026-11-21T14:30:00Z'); // 23:30 on 21 Nov in Tokyo
    const closed: string[] = [];
    const alertService = {
      timezones: async () => ['Asia/Shanghai', 'Asia/Tokyo', 'Asia/Urumqi'],
      closeDay: async (day: string, _signal: AbortSignal, timezone: string) => {
        closed.push(`${timezone} ${day}`);
        return { summary: { as_of: day, opened: 0, updated: 0, resolved: 0, by_type: {} }, changed: [] };
      },
    } as unknown as AlertService;
    const engine = await startAlertEngine(quietLog, alertService, pino({ level: 'silent' }), { timezone: 'Asia/Shanghai', now: () => clock, tickMs: 5 });
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
    const alertService = {
      timezones: async () => ['Asia/Shanghai'],
      closeDay: async (day: string) => {
        closed.push(day);
        return { summary: { as_of: day, opened: 0, updated: 0, resolved: 0, by_type: {} }, changed: [] };
      },
    } as unknown as AlertService;
    const engine = await startAlertEngine(quietLog, alertService, pino({ level: 'silent' }), { timezone: 'Asia/Shanghai', now: () => clock, tickMs: 5 });
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
    const alertService = {
      timezones: async () => ['Asia/Shanghai'],
      closeDay: async (day: string) => {
        attempts++;
        if (attempts === 1) throw new Error('warehouse unavailable');
        return { summary: { as_of: day, opened: 0, updated: 0, resolved: 0, by_type: {} }, changed: [] };
      },
    } as unknown as AlertService;
    const engine = await startAlertEngine(quietLog, alertService, pino({ level: 'silent' }), {
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

  it('closes the last K days again from the first one rows arrived for after its close', async () => {
    const closed: string[] = [];
    const reclosed: string[][] = [];
    // Scans for 20 Nov arrive after the close of 21 Nov.
    let scans20 = '10';
    const alertService = {
      recloseWindow: 3,
      timezones: async () => ['Asia/Shanghai'],
      dayPrints: async () =>
        new Map([
          ['sales|2026-11-19', '8'],
          ['sales|2026-11-20', scans20],
          ['sales|2026-11-21', '12'],
        ]),
      closeDay: async (day: string) => {
        closed.push(day);
        return { summary: { as_of: day, opened: 0, updated: 0, resolved: 0, by_type: {} }, changed: [] };
      },
      recloseDays: async (days: string[]) => {
        reclosed.push(days);
        return { summary: { as_of: days.at(-1), opened: 0, updated: 0, resolved: 0, by_type: {} }, changed: [] };
      },
    } as unknown as AlertService;
    const engine = await startAlertEngine(quietLog, alertService, pino({ level: 'silent' }), {
      timezone: 'Asia/Shanghai',
      now: () => new Date('2026-11-21T16:30:00Z'),
      tickMs: 5,
    });
    try {
      await vi.waitFor(() => expect(closed).toEqual(['2026-11-21']));
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(reclosed).toEqual([]);
      scans20 = '14';
      await vi.waitFor(() => expect(reclosed).toEqual([['2026-11-20', '2026-11-21']]));
      // Nothing new since: no second re-close.
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(reclosed).toHaveLength(1);
    } finally {
      await engine.stop();
    }
  });
});
