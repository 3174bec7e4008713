import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentIds } from '../../../pipelines/recent-ids.ts';

type Op = { kind: 'add' | 'forget' | 'has'; id: string; time: number };

describe('RecentIds', () => {
  it('answers exactly like a plain ring of the last N ids, through adds, evictions and forgets', () => {
    const op = fc.record({
      kind: fc.constantFrom<Op['kind']>('add', 'add', 'forget', 'has'),
      // Few distinct ids and a small ring: collisions, evictions and probe-run shifts all happen.
      id: fc.integer({ min: 0, max: 40 }).map((n) => `e${n}`),
      time: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.array(op, { maxLength: 400 }), (capacity, ops) => {
        const ids = new RecentIds(capacity, 0);
        const ring: ({ id: string; time: number } | undefined)[] = new Array(capacity);
        let next = 0;
        let horizon = 0;
        const holds = (id: string) => ring.some((e) => e?.id === id);
        for (const { kind, id, time } of ops) {
          if (kind === 'add' && !holds(id)) {
            const evicted = ring[next];
            if (evicted && evicted.time > horizon) horizon = evicted.time;
            ring[next] = { id, time };
            next = (next + 1) % capacity;
            ids.add(id, time);
          } else if (kind === 'forget') {
            const at = ring.findIndex((e) => e?.id === id);
            if (at >= 0) ring[at] = undefined;
            ids.forget([id]);
          }
          expect(ids.has(id)).toBe(holds(id));
          expect(ids.horizon).toBe(horizon);
        }
        for (let n = 0; n <= 40; n++) expect(ids.has(`e${n}`)).toBe(holds(`e${n}`));
      }),
      { numRuns: 300 },
    );
  });

  it('moves the horizon past ids whose write failed, so they are looked up again', () => {
    const ids = new RecentIds(8, 100);
    ids.add('a', 150);
    ids.add('b', 170);
    ids.forget(['a', 'b'], 170);
    expect(ids.has('a')).toBe(false);
    expect(ids.horizon).toBe(170);
  });
});
