import { describe, expect, it } from 'vitest';
import { Outbox, type OutboxItem, phoneId, type Queued, retryable, type Sent, type Shelf } from '../../../../web/src/lib/outbox.ts';

/** The outbox's shelf as a Map: IndexedDB's part is the browser's (the e2e test covers it). */
function mapShelf(): Shelf & { kept: Map<number, Queued> } {
  const kept = new Map<number, Queued>();
  return {
    kept,
    all: async () => [...kept.values()],
    put: async (entry) => void kept.set(entry.seq, structuredClone(entry)),
    remove: async (seq) => void kept.delete(seq),
  };
}

const DONE: Sent = { ok: true, answer: null };
const ignore = () => {};
/** A send that writes down the id of each item it is given and answers with the verdict. */
const recording =
  (ids: string[], verdict: (item: OutboxItem) => Sent = () => DONE) =>
  async (item: OutboxItem) => {
    ids.push(item.id);
    return verdict(item);
  };

const note = (id: string): OutboxItem => ({
  kind: 'note',
  id,
  visit_id: 'v1',
  note: { kind: 'activity', bay: 'A1', text: id, noted_at: '2026-11-20T02:00:00Z' },
});

describe('the capture outbox', () => {
  it('sends items in the order they were added, and forgets each once the server has it', async () => {
    const shelf = mapShelf();
    const outbox = new Outbox(shelf);
    for (const id of ['a', 'b', 'c']) await outbox.add(note(id));
    const sent: string[] = [];
    const left = await outbox.drain(recording(sent), ignore);
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(left).toBe(0);
    expect(shelf.kept.size).toBe(0);
  });

  it('stops at the first item that cannot get through, keeps it and those after it, and sends them on the next round', async () => {
    const shelf = mapShelf();
    const outbox = new Outbox(shelf);
    for (const id of ['a', 'b', 'c']) await outbox.add(note(id));
    const offline: Sent = { ok: false, retry: true, message: 'offline' };
    const tries: string[] = [];
    const left = await outbox.drain(
      recording(tries, (item) => (item.id === 'a' ? DONE : offline)),
      ignore,
    );
    expect(left).toBe(2);
    expect(tries).toEqual(['a', 'b']);
    expect((await outbox.items()).map((q) => q.item.id)).toEqual(['b', 'c']);
    // A new outbox over the same shelf (the page reloaded) still has them, in order.
    const again: string[] = [];
    await new Outbox(shelf).drain(recording(again), ignore);
    expect(again).toEqual(['b', 'c']);
  });

  it('keeps a refused item with the reason, not sent again, and goes on with the next', async () => {
    const shelf = mapShelf();
    const outbox = new Outbox(shelf);
    for (const id of ['a', 'b']) await outbox.add(note(id));
    const heard: [string, boolean][] = [];
    await outbox.drain(
      async (item) => (item.id === 'a' ? { ok: false, retry: false, message: 'no product NOPE' } : { ok: true, answer: null }),
      (item, outcome) => heard.push([item.id, outcome.ok]),
    );
    expect(heard).toEqual([
      ['a', false],
      ['b', true],
    ]);
    const [refused] = await outbox.items();
    expect(refused).toMatchObject({ item: { id: 'a' }, refused: 'no product NOPE' });
    const resent: string[] = [];
    await outbox.drain(recording(resent), ignore);
    expect(resent).toEqual([]);
    await outbox.dismiss(refused!.seq);
    expect(await outbox.items()).toEqual([]);
  });

  it('runs one round at a time: a second call while one runs sends nothing twice', async () => {
    const outbox = new Outbox(mapShelf());
    await outbox.add(note('a'));
    let release = () => {};
    const sent: string[] = [];
    const send = (item: OutboxItem) =>
      new Promise<Sent>((resolve) => {
        sent.push(item.id);
        release = () => resolve({ ok: true, answer: null });
      });
    const first = outbox.drain(send, () => {});
    const second = outbox.drain(send, () => {});
    await new Promise((r) => setTimeout(r, 10));
    release();
    expect(await first).toBe(0);
    expect(await second).toBe(0);
    expect(sent).toEqual(['a']);
  });

  it('keeps the order of items added in the same millisecond', async () => {
    const outbox = new Outbox(mapShelf());
    for (const id of ['a', 'b', 'c', 'd']) await outbox.add(note(id));
    const seqs = (await outbox.items()).map((q) => q.seq);
    expect(new Set(seqs).size).toBe(4);
    expect((await outbox.items()).map((q) => q.item.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('tries again later only where that may work', () => {
    for (const status of [0, 401, 408, 429, 500, 503]) expect(retryable(status), String(status)).toBe(true);
    for (const status of [400, 403, 404, 409, 413, 415, 422]) expect(retryable(status), String(status)).toBe(false);
  });

  it('makes ids the server takes (8–128 of A–Z a–z 0–9 _ -), without crypto.randomUUID', () => {
    const ids = new Set(Array.from({ length: 100 }, phoneId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});
