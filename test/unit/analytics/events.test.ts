import { describe, expect, it } from 'vitest';
import { ID_LIST_CHARS, idPieces } from '../../../analytics/events.ts';

describe('idPieces', () => {
  it('keeps each look-up within the id-list size, every id once and in order', () => {
    const events = Array.from({ length: 20_000 }, (_, i) => ({ event_id: `pos-门店-${i}`, time: i }));
    const pieces = idPieces(events);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.reduce((n, e) => n + Buffer.byteLength(e.event_id) + 4, 0)).toBeLessThanOrEqual(ID_LIST_CHARS);
    expect(pieces.flat()).toEqual(events);
  });

  it('gives an id longer than the limit a look-up of its own, and nothing for no events', () => {
    const long = { event_id: 'x'.repeat(ID_LIST_CHARS * 2), time: 0 };
    expect(idPieces([{ event_id: 'a', time: 0 }, long, { event_id: 'b', time: 0 }]).map((p) => p.length)).toEqual([1, 1, 1]);
    expect(idPieces([])).toEqual([]);
  });
});
