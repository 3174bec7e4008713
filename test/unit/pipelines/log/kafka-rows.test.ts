import { describe, expect, it } from 'vitest';
import {
  EVENTS_HEADER,
  KEYS_HEADER,
  packRows,
  ROWS_HEADER,
  unpackRows,
  type PackedMessage,
  type ReceivedMessage,
} from '../../../../pipelines/log/kafka-rows.ts';

/** Stores S1…S9 spread over three partitions by their number, as a partitioner would. */
const partitionOf = (key: string | undefined) => Number(key?.slice(1) ?? 0) % 3;

const received = (message: PackedMessage, offset: string): ReceivedMessage => ({
  offset,
  key: null,
  value: Buffer.from(message.value),
  headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)])),
});

describe('rows packed into Kafka messages', () => {
  it('packs one message per partition and unpacks every row with its key, in order per key', () => {
    const records = Array.from({ length: 90 }, (_, n) => ({ key: `S${n % 9}`, value: { n, store: `S${n % 9}`, name: '上海南京路店' } }));
    const messages = packRows(records, partitionOf);
    expect(messages.map((m) => m.partition).sort()).toEqual([0, 1, 2]);
    const rows = messages.flatMap((m, i) => unpackRows('scans', m.partition, received(m, String(i))));
    expect(rows).toHaveLength(90);
    for (const row of rows) {
      const value = row.value as { n: number; store: string };
      expect(row.key).toBe(value.store);
      expect(partitionOf(row.key)).toBe(row.partition);
      expect(row.encoded).toBe(JSON.stringify(value));
    }
    for (let s = 0; s < 9; s++) {
      const ns = rows.filter((r) => r.key === `S${s}`).map((r) => (r.value as { n: number }).n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    // Each row keeps a position of its own: dead letters are named by it.
    expect(new Set(rows.map((r) => `${r.partition}:${r.offset}`)).size).toBe(90);
  });

  it('splits a partition into messages under the byte limit, and keeps the caller’s one-line JSON text', () => {
    const records = Array.from({ length: 100 }, (_, n) => ({ key: 'S3', value: { n }, encoded: `{"n":${n},"pad":"${'x'.repeat(80)}"}` }));
    const messages = packRows(records, partitionOf, 1000);
    expect(messages.length).toBeGreaterThan(9);
    for (const m of messages) expect(Buffer.byteLength(m.value) + Buffer.byteLength(m.headers[KEYS_HEADER]!)).toBeLessThanOrEqual(1000);
    const rows = messages.flatMap((m, i) => unpackRows('scans', m.partition, received(m, String(i))));
    expect(rows.map((r) => r.encoded)).toEqual(records.map((r) => r.encoded));
  });

  it('encodes again a caller’s JSON text that spans lines', () => {
    const [message] = packRows([{ key: 'S1', value: { n: 1 }, encoded: '{\n"n": 1\n}' }], partitionOf);
    expect(unpackRows('scans', 1, received(message!, '7'))).toMatchObject([{ offset: '7#0', value: { n: 1 }, encoded: '{"n":1}' }]);
  });

  it('reads a message of the one-row format (no header) as one row, JSON or not', () => {
    const old = { offset: '41', key: Buffer.from('S1'), value: Buffer.from('{"event_id":"e1"}') };
    expect(unpackRows('scans', 2, old)).toEqual([
      { topic: 'scans', partition: 2, offset: '41', key: 'S1', value: { event_id: 'e1' }, encoded: '{"event_id":"e1"}' },
    ]);
    expect(unpackRows('scans', 2, { ...old, value: Buffer.from('not json') })[0]!.value).toBe('not json');
  });

  it('hands on a row that is not JSON as text, beside the good rows of its message', () => {
    const message: ReceivedMessage = {
      offset: '5',
      key: null,
      value: Buffer.from('{"n":1}\n{"n":\n{"n":3}'),
      headers: { [ROWS_HEADER]: Buffer.from('ndjson-v1'), [KEYS_HEADER]: Buffer.from('["S1","S1","S1"]') },
    };
    expect(unpackRows('scans', 0, message).map((r) => r.value)).toEqual([{ n: 1 }, '{"n":', { n: 3 }]);
  });

  it('hands on a message of an unknown packing whole, with a reason, rather than guessing', () => {
    const message: ReceivedMessage = { offset: '9', key: null, value: Buffer.from('x'), headers: { [ROWS_HEADER]: Buffer.from('zstd-v9') } };
    const [row] = unpackRows('scans', 0, message);
    expect(row!.value).toMatch(/unknown shelfpulse-rows format zstd-v9/);
  });

  const event = (n: number, store = `S${n % 9}`) => ({ event_id: `e${n}`, store_id: store, sku: 'P1', ts: `2026-11-20T10:00:0${n % 10}+08:00`, qty: 1 });

  it('sends a checked event row’s id and time beside it, so the sink takes its text unparsed', () => {
    const records = Array.from({ length: 12 }, (_, n) => ({ key: `S${n % 9}`, value: event(n), encoded: JSON.stringify(event(n)), checked: true }));
    const messages = packRows(records, partitionOf);
    for (const m of messages) expect(m.headers[EVENTS_HEADER]).toBeDefined();
    const rows = messages.flatMap((m, i) => unpackRows('scans', m.partition, received(m, String(i))));
    const e5 = rows.find((r) => r.event?.event_id === 'e5')!;
    const { event_id, time, store_id } = e5.event!;
    expect({ event_id, time, store_id }).toEqual({ event_id: 'e5', time: Date.parse('2026-11-20T10:00:05+08:00'), store_id: 'S5' });
    expect([e5.checked, e5.key, e5.encoded]).toEqual([true, 'S5', JSON.stringify(event(5))]);
    // The whole message's text is at hand, for a sink that stores all its rows at once.
    expect(Buffer.from(e5.pack!.bytes).toString().split('\n')[e5.packIndex!]).toBe(e5.encoded);
    expect(e5.offset).toMatch(/^\d+#\d+$/);
    // Parsed only when read (a dead letter, another consumer), and then the same row.
    expect(e5.value).toEqual(event(5));
    expect(rows.map((r) => r.event?.event_id).sort()).toEqual(records.map((r) => r.value.event_id).sort());
  });

  it('sends no ids for a pack with a row that is not checked, or not keyed by its store: the consumer checks those rows', () => {
    const unchecked = packRows(
      [
        { key: 'S1', value: event(1), checked: true },
        { key: 'S1', value: event(10) },
      ],
      partitionOf,
    );
    const otherKey = packRows([{ key: 'S1', value: event(1, 'S2'), checked: true }], partitionOf);
    for (const message of [...unchecked, ...otherKey]) {
      expect(message.headers[EVENTS_HEADER]).toBeUndefined();
      for (const row of unpackRows('scans', message.partition, received(message, '3'))) expect(row.checked ?? false).toBe(false);
    }
  });

  it('parses and leaves unchecked the rows of a message whose ids do not fit its lines', () => {
    const message: ReceivedMessage = {
      offset: '5',
      key: null,
      value: Buffer.from(`${JSON.stringify(event(1))}\n${JSON.stringify(event(2))}`),
      headers: { [ROWS_HEADER]: Buffer.from('ndjson-v1'), [KEYS_HEADER]: Buffer.from('["S1","S2"]'), [EVENTS_HEADER]: Buffer.from('["e1",1]') },
    };
    const rows = unpackRows('scans', 0, message);
    expect(rows.map((r) => [r.event, r.checked ?? false])).toEqual([
      [undefined, false],
      [undefined, false],
    ]);
    expect(rows[1]!.value).toEqual(event(2));
  });
});
