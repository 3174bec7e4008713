import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.ts';
import {
  type BatchHandler,
  type DeliveredRecord,
  type EventIdentity,
  eventIdentity,
  type EventLog,
  type LogRecord,
  type PartitionLag,
  type SubscribeOptions,
  type Subscription,
} from './event-log.ts';
import type { Topic } from './topics.ts';

const SEGMENT_BYTES = 64 * 1024 * 1024;
/** Recently appended records kept in memory, so consumers that keep up never re-read and re-parse the files. */
const TAIL_RECORDS = 200_000;
const TAIL_BYTES = 64 * 1024 * 1024;
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const KEY_FIELD = Buffer.from('"k":');
const VALUE_FIELD = Buffer.from('"v":');
/** A log line besides its key and value. */
const LINE_FRAME = '{"k":,"v":}\n';

/** Where a reader stands: the next offset, and the byte position of that offset in its segment. */
interface Position {
  offset: number;
  segment: number;
  byte: number;
}

interface Segment {
  base: number;
  file: string;
  size: number;
}

/**
 * A record kept in memory after its append (with where its line lies in its segment), handed to consumers as it is.
 * An event row with its identity is held as its text only, parsed when a consumer reads its value: the warehouse
 * sink reads the identity and the text, so a live stream keeps no parsed rows in the heap.
 */
class TailRecord implements DeliveredRecord {
  readonly partition = 0;
  readonly key: string | undefined;
  readonly checked: boolean | undefined;
  readonly event: EventIdentity | undefined;
  private parsed: unknown;

  constructor(
    readonly topic: Topic,
    private readonly position: number,
    record: LogRecord,
    readonly encoded: string,
    readonly segment: number,
    readonly byte: number,
    readonly length: number,
  ) {
    this.key = record.key;
    this.checked = record.checked;
    this.event = eventIdentity(record);
    this.parsed = this.event ? undefined : record.value;
  }

  get offset(): string {
    return String(this.position);
  }

  get value(): unknown {
    if (this.parsed === undefined) this.parsed = JSON.parse(this.encoded);
    return this.parsed;
  }
}

function segmentName(base: number): string {
  return `${String(base).padStart(20, '0')}.ndjson`;
}

/**
 * One topic: append-only NDJSON segment files, one record a line, the offset being the line number.
 * Appends are grouped: everything queued while one write+fdatasync runs goes out in the next one.
 */
class TopicLog extends EventEmitter {
  private segments: Segment[] = [];
  private handle: fsp.FileHandle | undefined;
  private queue: { records: LogRecord[]; encoded: string[]; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing = false;
  /** Records below this offset are durable and may be read. */
  end = 0;
  /** tail[tailHead..] are the newest records; the head moves instead of copying the array on every append. */
  private tail: TailRecord[] = [];
  private tailHead = 0;
  private tailBytes = 0;
  /** Where a flush's lines are written (see encode). */
  private scratch = Buffer.allocUnsafe(1024 * 1024);

  constructor(
    readonly topic: Topic,
    private readonly dir: string,
  ) {
    super();
    this.setMaxListeners(0);
  }

  async open(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    const names = (await fsp.readdir(this.dir)).filter((n) => /^\d{20}\.ndjson$/.test(n)).sort();
    for (const name of names) {
      const file = path.join(this.dir, name);
      this.segments.push({ base: Number(name.slice(0, 20)), file, size: (await fsp.stat(file)).size });
    }
    if (this.segments.length === 0) this.segments.push({ base: 0, file: path.join(this.dir, segmentName(0)), size: 0 });
    const last = this.segments[this.segments.length - 1]!;
    // A line cut short by a crash was never acknowledged (its fsync never returned): drop it.
    const content = fs.existsSync(last.file) ? await fsp.readFile(last.file) : Buffer.alloc(0);
    const complete = content.lastIndexOf(NEWLINE) + 1;
    if (complete < content.length) await fsp.truncate(last.file, complete);
    last.size = complete;
    let lines = 0;
    for (let i = 0; i < complete; i++) if (content[i] === NEWLINE) lines++;
    this.end = last.base + lines;
    this.handle = await fsp.open(last.file, 'a');
  }

  get start(): number {
    return this.segments[0]!.base;
  }

  append(records: LogRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const encoded = records.map((r) => r.encoded ?? JSON.stringify(r.value));
    return new Promise((resolve, reject) => {
      this.queue.push({ records, encoded, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        const { buffer, lengths } = this.encode(batch);
        const count = lengths.length;
        try {
          let last = this.segments[this.segments.length - 1]!;
          if (last.size > 0 && last.size + buffer.length > SEGMENT_BYTES) last = await this.roll();
          await this.handle!.write(buffer);
          await this.handle!.datasync();
          let byte = last.size;
          let line = 0;
          for (const b of batch) {
            b.records.forEach((r, i) => {
              const length = lengths[line]!;
              this.tail.push(new TailRecord(this.topic, this.end + line, r, b.encoded[i]!, last.base, byte, length));
              this.tailBytes += length;
              byte += length;
              line++;
            });
          }
          this.trimTail();
          last.size += buffer.length;
          this.end += count;
          for (const b of batch) b.resolve();
          this.emit('append');
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * The batch's lines, `{"k":KEY,"v":VALUE}` (`v` is always last, so a reader can hand its JSON text on without
   * encoding it again), written piece by piece into one buffer kept for every flush (it grows to the largest batch):
   * joining them into a string and encoding that cost several times more, mostly in fresh memory. With each line's
   * length in bytes.
   */
  private encode(batch: readonly { records: LogRecord[]; encoded: string[] }[]): { buffer: Buffer; lengths: number[] } {
    const lengths: number[] = [];
    let size = 0;
    for (const b of batch) {
      for (let i = 0; i < b.encoded.length; i++) {
        const key = b.records[i]!.key;
        const keyText = key === undefined ? '' : JSON.stringify(key);
        const value = b.encoded[i]!;
        // At most 3 bytes of UTF-8 per UTF-16 unit.
        const most = LINE_FRAME.length + 3 * (keyText.length + value.length);
        if (size + most > this.scratch.length) {
          const larger = Buffer.allocUnsafe(Math.max(2 * this.scratch.length, size + most));
          this.scratch.copy(larger, 0, 0, size);
          this.scratch = larger;
        }
        const start = size;
        this.scratch[size++] = OPEN_BRACE;
        if (key !== undefined) {
          size += KEY_FIELD.copy(this.scratch, size);
          size += this.scratch.write(keyText, size);
          this.scratch[size++] = COMMA;
        }
        size += VALUE_FIELD.copy(this.scratch, size);
        size += this.scratch.write(value, size);
        this.scratch[size++] = CLOSE_BRACE;
        this.scratch[size++] = NEWLINE;
        lengths.push(size - start);
      }
    }
    return { buffer: this.scratch.subarray(0, size), lengths };
  }

  private async roll(): Promise<Segment> {
    await this.handle!.close();
    const segment = { base: this.end, file: path.join(this.dir, segmentName(this.end)), size: 0 };
    this.segments.push(segment);
    this.handle = await fsp.open(segment.file, 'a');
    await syncDir(this.dir);
    return segment;
  }

  private get tailLength(): number {
    return this.tail.length - this.tailHead;
  }

  private trimTail(): void {
    while (this.tailLength > 0 && (this.tailLength > TAIL_RECORDS || this.tailBytes > TAIL_BYTES)) this.dropTailHead();
    this.compactTail();
  }

  /**
   * Drops the records below `offset` from memory: every group that reads this topic here has committed them, so
   * none will read them again (a group that starts later reads the files). Keeps the heap small at full ingest.
   */
  dropConsumed(offset: number): void {
    while (this.tailLength > 0 && this.end - this.tailLength < offset) this.dropTailHead();
    this.compactTail();
  }

  private dropTailHead(): void {
    this.tailBytes -= this.tail[this.tailHead]!.length;
    this.tailHead++;
  }

  private compactTail(): void {
    if (this.tailHead > TAIL_RECORDS) {
      this.tail = this.tail.slice(this.tailHead);
      this.tailHead = 0;
    }
  }

  /** The position of the first record, or of `offset` when it is a segment base. */
  positionAt(offset: number): Position {
    const segment = [...this.segments].reverse().find((s) => s.base <= offset) ?? this.segments[0]!;
    if (segment.base === offset) return { offset, segment: segment.base, byte: 0 };
    // Only reached for a committed position from before the earliest retained segment.
    return { offset: this.start, segment: this.start, byte: 0 };
  }

  async read(from: Position, maxRecords: number): Promise<{ records: DeliveredRecord[]; next: Position }> {
    const tailStart = this.end - this.tailLength;
    if (from.offset >= tailStart && from.offset < this.end) {
      const first = this.tailHead + from.offset - tailStart;
      const records = this.tail.slice(first, first + maxRecords);
      const last = records[records.length - 1]!;
      return { records, next: { offset: from.offset + records.length, segment: last.segment, byte: last.byte + last.length } };
    }
    const records: DeliveredRecord[] = [];
    let pos = from;
    if (pos.segment < this.start) pos = { offset: this.start, segment: this.start, byte: 0 };
    while (records.length < maxRecords && pos.offset < this.end) {
      const index = this.segments.findIndex((s) => s.base === pos.segment);
      const segment = this.segments[index];
      if (!segment) break;
      if (pos.byte >= segment.size) {
        const next = this.segments[index + 1];
        if (!next) break;
        pos = { offset: next.base, segment: next.base, byte: 0 };
        continue;
      }
      const length = Math.min(READ_CHUNK_BYTES, segment.size - pos.byte);
      const buffer = Buffer.alloc(length);
      const handle = await fsp.open(segment.file, 'r');
      try {
        await handle.read(buffer, 0, length, pos.byte);
      } finally {
        await handle.close();
      }
      let lineStart = 0;
      while (records.length < maxRecords && pos.offset < this.end) {
        const newline = buffer.indexOf(NEWLINE, lineStart);
        if (newline < 0) break;
        const line = buffer.toString('utf8', lineStart, newline);
        const parsed = JSON.parse(line) as { k?: string; v: unknown };
        // A key is a JSON string, so `"v":` cannot occur inside it: the first one starts the value.
        const encoded = line.slice(line.indexOf('"v":') + 4, -1);
        records.push({ topic: this.topic, partition: 0, offset: String(pos.offset), key: parsed.k, value: parsed.v, encoded });
        pos = { offset: pos.offset + 1, segment: pos.segment, byte: pos.byte + newline + 1 - lineStart };
        lineStart = newline + 1;
      }
      if (lineStart === 0) throw new Error(`${this.topic}: a record larger than ${READ_CHUNK_BYTES} bytes at offset ${pos.offset}`);
    }
    return { records, next: pos };
  }

  /** Deletes whole segments that every known consumer group has moved past. */
  async trim(minCommitted: number): Promise<void> {
    while (this.segments.length > 1 && this.segments[1]!.base <= minCommitted) {
      const dropped = this.segments.shift()!;
      await fsp.rm(dropped.file, { force: true });
    }
  }

  async close(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    await this.handle?.close();
    this.handle = undefined;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The embedded event log: Kafka's contract (durable publish, consumer groups, commit after success) in one
 * process, on files under the data directory. One partition per topic.
 */
export class EmbeddedLog implements EventLog {
  readonly kind = 'embedded' as const;
  private readonly topics = new Map<Topic, TopicLog>();
  private readonly opening = new Map<Topic, Promise<TopicLog>>();
  /** group → topic → committed position */
  private readonly committed = new Map<string, Map<Topic, Position>>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly groups = new Map<string, Topic[]>();
  /** One group's commits are written one at a time (its topics are consumed concurrently). */
  private readonly commitQueue = new Map<string, Promise<void>>();
  private closed = false;

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<EmbeddedLog> {
    const log = new EmbeddedLog(dir);
    await fsp.mkdir(path.join(dir, '_groups'), { recursive: true });
    for (const name of await fsp.readdir(path.join(dir, '_groups'))) {
      if (!name.endsWith('.json')) continue;
      const saved = JSON.parse(await fsp.readFile(path.join(dir, '_groups', name), 'utf8')) as Record<string, Position>;
      log.committed.set(decodeURIComponent(name.slice(0, -5)), new Map(Object.entries(saved) as [Topic, Position][]));
    }
    return log;
  }

  private topic(topic: Topic): Promise<TopicLog> {
    let opening = this.opening.get(topic);
    if (!opening) {
      const log = new TopicLog(topic, path.join(this.dir, topic));
      opening = log.open().then(() => {
        this.topics.set(topic, log);
        return log;
      });
      this.opening.set(topic, opening);
    }
    return opening;
  }

  async publish(topic: Topic, records: LogRecord[]): Promise<void> {
    if (this.closed) throw new Error('event log is closed');
    await (await this.topic(topic)).append(records);
  }

  private commit(group: string, topic: Topic, position: Position): Promise<void> {
    const write = async () => {
      const positions = new Map(this.committed.get(group) ?? []);
      positions.set(topic, position);
      await writeFileAtomic(path.join(this.dir, '_groups', `${encodeURIComponent(group)}.json`), JSON.stringify(Object.fromEntries(positions)));
      this.committed.set(group, positions);
      const log = await this.topic(topic);
      const readers = [...this.committed.values()].flatMap((p) => p.get(topic)?.offset ?? []);
      await log.trim(Math.min(...readers));
      const readersHere = [...this.groups].flatMap(([g, topics]) => (topics.includes(topic) ? [this.committed.get(g)?.get(topic)?.offset ?? log.start] : []));
      log.dropConsumed(Math.min(position.offset, ...readersHere));
    };
    const next = (this.commitQueue.get(group) ?? Promise.resolve()).catch(() => {}).then(write);
    this.commitQueue.set(group, next);
    return next;
  }

  async subscribe(group: string, topics: Topic[], handler: BatchHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    const maxBatch = options.maxBatch ?? 5000;
    const lingerMs = options.lingerMs ?? 0;
    let stopped = false;
    const wake = new EventEmitter();
    wake.setMaxListeners(0);

    const consume = async (log: TopicLog): Promise<void> => {
      let position = this.committed.get(group)?.get(log.topic) ?? log.positionAt(log.start);
      let failures = 0;
      while (!stopped) {
        // Linger for a fuller batch: fewer, larger warehouse inserts.
        const lingerUntil = Date.now() + lingerMs;
        while (!stopped && log.end > position.offset && log.end - position.offset < maxBatch && Date.now() < lingerUntil) {
          await waitFor(log, wake, lingerUntil - Date.now());
        }
        const { records, next } = await log.read(position, maxBatch);
        if (records.length === 0) {
          await waitFor(log, wake, 1000);
          continue;
        }
        try {
          await handler(log.topic, records);
          await this.commit(group, log.topic, next);
          failures = 0;
        } catch {
          // At-least-once: the same batch comes again after a growing pause (the handler reports its own
          // errors; a failed commit only means a redelivery, which the consumers absorb by event id).
          failures++;
          await sleepUnlessWoken(wake, Math.min(100 * 2 ** failures, 10_000));
          continue;
        }
        position = next;
      }
    };

    const logs = await Promise.all(topics.map((t) => this.topic(t)));
    this.groups.set(group, topics);
    const loops = logs.map((log) => consume(log));
    const subscription: Subscription = {
      stop: async () => {
        stopped = true;
        wake.emit('stop');
        await Promise.allSettled(loops);
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async lag(group: string, topics: Topic[]): Promise<number> {
    return (await this.lagByPartition(group, topics)).reduce((sum, p) => sum + p.lag, 0);
  }

  async lagByPartition(group: string, topics: Topic[]): Promise<PartitionLag[]> {
    const lags: PartitionLag[] = [];
    for (const topic of topics) {
      const log = await this.topic(topic);
      const committed = this.committed.get(group)?.get(topic)?.offset ?? log.start;
      lags.push({ topic, partition: 0, lag: Math.max(0, log.end - committed) });
    }
    return lags;
  }

  rowsPerRecord(): number {
    return 1;
  }

  subscribedGroups(): ReadonlyMap<string, readonly Topic[]> {
    return this.groups;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await Promise.all([...this.topics.values()].map((t) => t.close()));
  }
}

/** Resolves after `ms`, or as soon as one of the events fires, whichever comes first. */
function sleepUntil(ms: number, ...events: [EventEmitter, string][]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const [emitter, event] of events) emitter.off(event, done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const [emitter, event] of events) emitter.once(event, done);
  });
}

/** Waits for a new append to the topic or for the subscription to stop, at most `timeoutMs`. */
const waitFor = (log: TopicLog, wake: EventEmitter, timeoutMs: number) => sleepUntil(timeoutMs, [log, 'append'], [wake, 'stop']);

/** Backs off for `ms` unless the subscription stops first. */
const sleepUnlessWoken = (wake: EventEmitter, ms: number) => sleepUntil(ms, [wake, 'stop']);
