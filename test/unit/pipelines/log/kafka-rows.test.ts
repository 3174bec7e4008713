import { describe, expect, it } from 'vitest';
import { KEYS_HEADER, packRows, ROWS_HEADER, unpackRows, type PackedMessage, type ReceivedMessage } from '../../../../pipelines/log/kafka-rows.ts';

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
});
