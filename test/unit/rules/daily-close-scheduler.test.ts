import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { AlertService } from '../../../pipelines/alert-service.ts';
import type { EventLog } from '../../../pipelines/event-log.ts';
import { localDay, previousDay, startAlertEngine } from '../../../pipelines/workers/alert-engine.ts';

/** An event log that delivers nothing: the scheduler is what is under test. */
const quietLog = { kind: 'embedded', subscribe: async () => ({ stop: async () => {} }) } as unknown as EventLog;

describe('the daily close scheduler', () => {
  it('takes the calendar day in the store time zone', () => {
    // 16:30 UTC is already 00:30 the next day in Shanghai.
    expect(localDay(new Date('2026-11-21T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-22');
    expect(localDay(new Date('2026-11-21T16:30:00Z'), 'Europe/Berlin')).toBe('2026-11-21');
    expect(previousDay('2026-03-01')).toBe('2026-02-28');
  });

  it('closes the previous local day once after midnight, and the next one after the next midnight', async () => {
    let clock = new Date('2026-11-21T16:30:00Z'); // 00:30 on 22 Nov in Shanghai
    const closed: string[] = [];
    const alerts = {
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
