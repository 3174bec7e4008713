import { describe, expect, it } from 'vitest';
import { digestsDue, localHour } from '../../../pipelines/digest-schedule.ts';

describe('digest schedule', () => {
  it('reads the hour in the platform zone', () => {
    const at = new Date('2026-12-04T23:30:00Z');
    expect(localHour(at, 'Asia/Shanghai')).toBe(7);
    expect(localHour(at, 'UTC')).toBe(23);
    expect(localHour(new Date('2026-12-04T16:00:00Z'), 'Asia/Shanghai')).toBe(0);
  });

  it('is due from its hour on, once a local day: a late start still sends, a sent day does not again', () => {
    const subscriptions = [
      { channel_id: 'a', hour: 8 },
      { channel_id: 'b', hour: 9 },
      { channel_id: 'c', hour: 7 },
    ];
    expect(digestsDue(subscriptions, new Set(), 7).map((s) => s.channel_id)).toEqual(['c']);
    expect(digestsDue(subscriptions, new Set(['c']), 8).map((s) => s.channel_id)).toEqual(['a']);
    // Back at 11:00 after being down since before 8:00: both the 8:00 and the 9:00 digests go now.
    expect(digestsDue(subscriptions, new Set(['c']), 11).map((s) => s.channel_id)).toEqual(['a', 'b']);
    expect(digestsDue(subscriptions, new Set(['a', 'b', 'c']), 23)).toEqual([]);
  });
});
