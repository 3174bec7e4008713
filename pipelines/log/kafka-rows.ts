import { type DeliveredRecord, type EventIdentity, eventIdentity, type LogRecord, type RowPack } from './event-log.ts';
import type { Topic } from './topics.ts';

/**
 * Many rows in one Kafka message. Per message, kafkajs' encoding, CRC, decoding and the broker's bookkeeping cost
 * several times what a row's own JSON does, so the producer packs the rows of one partition into one message:
 * the rows' JSON texts, one a line (JSON text never holds a raw newline), and their keys in a header. A message
 * without the header is the one-row format the platform wrote before, and is still read as one row.
 */
export const ROWS_HEADER = 'shelfpulse-rows';
export const KEYS_HEADER = 'shelfpulse-keys';
/**
 * On a message of event rows that the producer validated (`checked`), keyed by their store: each row's event_id
 * and event time (epoch ms), flat: `[id, ms, id, ms, …]`. The warehouse sink needs only these, the key and the
 * row's text, so it neither parses the row nor checks it again. The topics
 * are the platform's own (only its ingest produces to them): a row claiming to be checked is trusted as the
 * embedded log trusts its in-process producer, and the warehouse still refuses what its columns cannot hold.
 */
export const EVENTS_HEADER = 'shelfpulse-events';
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

/** The event_id and time of a checked event row keyed by its store, sent beside it; undefined for any other record. */
function eventOf(record: LogRecord): [string, number] | undefined {
  const event = eventIdentity(record);
  return event && [event.event_id, event.time];
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
  type Pack = { lines: string[]; keys: (string | null)[]; events: (string | number)[] | undefined; bytes: number };
  const open = new Map<number, Pack>();
  const messages: PackedMessage[] = [];
  const close = (partition: number) => {
    const pack = open.get(partition);
    if (!pack) return;
    open.delete(partition);
    const headers: Record<string, string> = { [ROWS_HEADER]: ROWS_FORMAT, [KEYS_HEADER]: JSON.stringify(pack.keys) };
    if (pack.events) headers[EVENTS_HEADER] = JSON.stringify(pack.events);
    messages.push({ partition, value: pack.lines.join('\n'), headers });
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
    const event = eventOf(record);
    // The line, its newline, and its key in the header with quotes and comma; an event's identity with its quotes.
    let bytes = Buffer.byteLength(line) + Buffer.byteLength(record.key ?? 'null') + 4;
    if (event) bytes += Buffer.byteLength(event[0]) + 20;
    const pack = open.get(partition);
    if (pack && pack.bytes + bytes > maxBytes) close(partition);
    let current = open.get(partition);
    if (!current) {
      current = { lines: [], keys: [], events: event ? [] : undefined, bytes: 0 };
      open.set(partition, current);
    }
    current.lines.push(line);
    current.keys.push(record.key ?? null);
    // A pack holding one row that is not a checked event has its rows parsed and checked by the consumer.
    if (event) current.events?.push(event[0], event[1]);
    else current.events = undefined;
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

/** The lines of one packed message as it came (UTF-8), decoded and split only when a row's own text is needed. */
class Lines implements RowPack {
  private lines: string[] | undefined;
  constructor(
    readonly bytes: Buffer,
    readonly count: number,
  ) {}
  line(index: number): string {
    this.lines ??= this.bytes.toString().split('\n');
    return this.lines[index]!;
  }
}

/**
 * A row of a packed message of checked events, keyed by its store; it is its own identity (`event`). Its text is
 * cut from the message, its value parsed and its position written only when read: the warehouse sink reads none
 * of them for a live stream, so a row costs one small object until the pack is stored.
 */
class CheckedRow implements DeliveredRecord, EventIdentity {
  readonly checked = true;
  private parsedValue: unknown;
  constructor(
    readonly topic: Topic,
    readonly partition: number,
    private readonly messageOffset: string,
    readonly packIndex: number,
    readonly key: string,
    readonly event_id: string,
    readonly time: number,
    readonly pack: Lines,
  ) {}
  get store_id(): string {
    return this.key;
  }
  get event(): EventIdentity {
    return this;
  }
  get offset(): string {
    return `${this.messageOffset}#${this.packIndex}`;
  }
  get encoded(): string {
    return this.pack.line(this.packIndex);
  }
  get value(): unknown {
    if (this.parsedValue === undefined) this.parsedValue = parsed(this.encoded);
    return this.parsedValue;
  }
}

/** The events header when it names every line (id, time), else undefined: the rows are then parsed and checked. */
function eventsOf(message: ReceivedMessage, lines: number): (string | number)[] | undefined {
  const text = header(message, EVENTS_HEADER);
  if (text === undefined) return undefined;
  let events: unknown;
  try {
    events = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(events) || events.length !== lines * 2) return undefined;
  for (let i = 0; i < events.length; i += 2) {
    if (typeof events[i] !== 'string' || typeof events[i + 1] !== 'number') return undefined;
  }
  return events as (string | number)[];
}

/**
 * The rows of one message. A row of a packed message gets `OFFSET#INDEX` as its offset, so each row keeps a
 * position of its own (dead letters are named by it); a one-row message keeps the message's offset.
 */
export function unpackRows(topic: Topic, partition: number, message: ReceivedMessage): DeliveredRecord[] {
  const format = header(message, ROWS_HEADER);
  if (format === ROWS_FORMAT && message.value) {
    const rows = checkedRows(topic, partition, message, message.value);
    if (rows) return rows;
  }
  const text = message.value?.toString() ?? 'null';
  if (format === undefined) {
    return [{ topic, partition, offset: message.offset, key: message.key?.toString(), value: parsed(text), encoded: text }];
  }
  if (format !== ROWS_FORMAT) {
    // Written by a newer version: handed on whole, so the consumer dead-letters it with this reason.
    return [{ topic, partition, offset: message.offset, key: undefined, value: `unknown ${ROWS_HEADER} format ${format}: ${text.slice(0, 200)}` }];
  }
  const keys = keysOf(message);
  return text.split('\n').map((line, i) => {
    const key = keys[i];
    return { topic, partition, offset: `${message.offset}#${i}`, key: typeof key === 'string' ? key : undefined, value: parsed(line), encoded: line };
  });
}

function keysOf(message: ReceivedMessage): unknown[] {
  try {
    const keys: unknown = JSON.parse(header(message, KEYS_HEADER) ?? '[]');
    return Array.isArray(keys) ? keys : [];
  } catch {
    return [];
  }
}

/** The rows of a packed message of checked events keyed by their stores, left undecoded; undefined for any other. */
function checkedRows(topic: Topic, partition: number, message: ReceivedMessage, bytes: Buffer): DeliveredRecord[] | undefined {
  if (header(message, EVENTS_HEADER) === undefined) return undefined;
  let count = 1;
  for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, nl + 1)) count++;
  const events = eventsOf(message, count);
  const keys = keysOf(message);
  if (!events || keys.length !== count || !keys.every((key) => typeof key === 'string')) return undefined;
  const lines = new Lines(bytes, count);
  const rows: DeliveredRecord[] = new Array(count);
  for (let i = 0; i < count; i++) {
    rows[i] = new CheckedRow(topic, partition, message.offset, i, keys[i] as string, events[2 * i] as string, events[2 * i + 1] as number, lines);
  }
  return rows;
}
