import type { DeliveredRecord, LogRecord } from './event-log.ts';
import type { Topic } from './topics.ts';

/**
 * Many rows in one Kafka message. Per message, kafkajs' encoding, CRC, decoding and the broker's bookkeeping cost
 * several times what a row's own JSON does, so the producer packs the rows of one partition into one message:
 * the rows' JSON texts, one a line (JSON text never holds a raw newline), and their keys in a header. A message
 * without the header is the one-row format the platform wrote before, and is still read as one row.
 */
export const ROWS_HEADER = 'shelfpulse-rows';
export const KEYS_HEADER = 'shelfpulse-keys';
const ROWS_FORMAT = 'ndjson-v1';

/** Kafka refuses messages above max.message.bytes (1 MiB by default): a pack stays well under it. */
export const MAX_PACK_BYTES = 768 * 1024;

export interface PackedMessage {
  partition: number;
  value: string;
  headers: Record<string, string>;
}

/** A message as the consumer gets it: the parts of kafkajs' KafkaMessage that unpacking reads. */
export interface ReceivedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined;
}

/** One line of JSON text for a record: the caller's text when it is a single line, else encoded here. */
function lineOf(record: LogRecord): string {
  const text = record.encoded;
  return text !== undefined && !text.includes('\n') ? text : JSON.stringify(record.value);
}

/**
 * Groups records by the partition their key goes to (`partitionOf`, the producer's own partitioner), in order,
 * into messages of at most `maxBytes`: a key keeps its partition and its order, as with one message per row.
 */
export function packRows(records: readonly LogRecord[], partitionOf: (key: string | undefined) => number, maxBytes = MAX_PACK_BYTES): PackedMessage[] {
  const open = new Map<number, { lines: string[]; keys: (string | null)[]; bytes: number }>();
  const messages: PackedMessage[] = [];
  const close = (partition: number) => {
    const pack = open.get(partition);
    if (!pack) return;
    open.delete(partition);
    messages.push({ partition, value: pack.lines.join('\n'), headers: { [ROWS_HEADER]: ROWS_FORMAT, [KEYS_HEADER]: JSON.stringify(pack.keys) } });
  };
  // A request's rows come from few stores: each key is hashed once.
  const partitionOfKey = new Map<string | undefined, number>();
  for (const record of records) {
    let partition = partitionOfKey.get(record.key);
    if (partition === undefined) {
      partition = partitionOf(record.key);
      // Rows without a key go round the partitions one by one, as the producer would send them.
      if (record.key !== undefined) partitionOfKey.set(record.key, partition);
    }
    const line = lineOf(record);
    // The line, its newline, and its key in the header with quotes and comma.
    const bytes = Buffer.byteLength(line) + Buffer.byteLength(record.key ?? 'null') + 4;
    const pack = open.get(partition);
    if (pack && pack.bytes + bytes > maxBytes) close(partition);
    const current = open.get(partition) ?? { lines: [], keys: [], bytes: 0 };
    open.set(partition, current);
    current.lines.push(line);
    current.keys.push(record.key ?? null);
    current.bytes += bytes;
  }
  for (const partition of [...open.keys()]) close(partition);
  return messages;
}

function header(message: ReceivedMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** A row that is not JSON still reaches the handler (as text), so it is dead-lettered rather than looping. */
function parsed(encoded: string): unknown {
  try {
    return JSON.parse(encoded);
  } catch {
    return encoded;
  }
}

/**
 * The rows of one message. A row of a packed message gets `OFFSET#INDEX` as its offset, so each row keeps a
 * position of its own (dead letters are named by it); a one-row message keeps the message's offset.
 */
export function unpackRows(topic: Topic, partition: number, message: ReceivedMessage): DeliveredRecord[] {
  const text = message.value?.toString() ?? 'null';
  const format = header(message, ROWS_HEADER);
  if (format === undefined) {
    return [{ topic, partition, offset: message.offset, key: message.key?.toString(), value: parsed(text), encoded: text }];
  }
  if (format !== ROWS_FORMAT) {
    // Written by a newer version: handed on whole, so the consumer dead-letters it with this reason.
    return [{ topic, partition, offset: message.offset, key: undefined, value: `unknown ${ROWS_HEADER} format ${format}: ${text.slice(0, 200)}` }];
  }
  const lines = text.split('\n');
  let keys: unknown;
  try {
    keys = JSON.parse(header(message, KEYS_HEADER) ?? '[]');
  } catch {
    keys = [];
  }
  return lines.map((line, i) => {
    const key = Array.isArray(keys) ? keys[i] : undefined;
    return { topic, partition, offset: `${message.offset}#${i}`, key: typeof key === 'string' ? key : undefined, value: parsed(line), encoded: line };
  });
}
