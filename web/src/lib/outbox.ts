import { createStore, del, entries, get, set } from 'idb-keyval';

/**
 * The capture page's outbox: what the merchandiser does in a store (start a visit, photos, notes, the close) is
 * written to the browser's IndexedDB first and sent in order when the network answers, so that nothing is lost
 * without signal, on a reload or while the phone sleeps. Every item carries an id made on the phone, which the
 * server honours (visit and note ids, the photo upload's Idempotency-Key): an item sent again after an answer lost
 * on the way is stored once.
 */
export type OutboxItem =
  | { kind: 'start'; id: string; visit_id: string; store_id: string; started_at: string; lat: number | null; lon: number | null }
  | {
      kind: 'photo';
      id: string;
      visit_id: string;
      store_id: string;
      bay: string;
      taken_at: string;
      lat: number | null;
      lon: number | null;
      photo: Blob;
      name: string;
    }
  | { kind: 'note'; id: string; visit_id: string; note: { kind: string; bay: string; sku?: string; price?: number; text?: string; noted_at: string } }
  | { kind: 'close'; id: string; visit_id: string; closed_at: string };

export interface Queued {
  seq: number;
  item: OutboxItem;
  /** Set when the server refused the item (a 4xx other than a lost sign-in): kept to be shown, not sent again. */
  refused?: string;
}

/** Where the outbox keeps its items, in the order they were added (IndexedDB in the app, a Map in the unit tests). */
export interface Shelf {
  all(): Promise<Queued[]>;
  put(entry: Queued): Promise<void>;
  remove(seq: number): Promise<void>;
}

/** The server's verdict on one item: done (with its answer), or not, and whether sending it again may work. */
export type Sent = { ok: true; answer: unknown } | { ok: false; retry: boolean; message: string };

/**
 * Whether an answer with this status is worth sending again later: no network (0), the sign-in expired (401: the
 * photos wait until the merchandiser signs in again), a timeout, the server busy (429, 503) or failing (5xx).
 */
export const retryable = (status: number) => status === 0 || status === 401 || status === 408 || status === 429 || status >= 500;

/** An id for the server to know an item by: random, from getRandomValues (crypto.randomUUID needs https, a store LAN has http). */
export function phoneId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export class Outbox {
  private lastSeq = 0;
  private draining: Promise<number> | null = null;

  constructor(private readonly shelf: Shelf) {}

  /** Keeps an item to send; durable once this resolves. */
  async add(item: OutboxItem): Promise<void> {
    this.lastSeq = Math.max(Date.now(), this.lastSeq + 1);
    await this.shelf.put({ seq: this.lastSeq, item });
  }

  /** The items not sent yet, oldest first (refused ones too, marked). */
  async items(): Promise<Queued[]> {
    const all = await this.shelf.all();
    return all.sort((a, b) => a.seq - b.seq);
  }

  /**
   * Sends the waiting items in order, one at a time: a sent or refused one is settled (`settled` hears of it) and the
   * next goes; one that cannot get through now stops the round, to be tried again on the next. One round at a time:
   * a call while a round runs gets that round. Resolves to the number of items still waiting.
   */
  drain(send: (item: OutboxItem) => Promise<Sent>, settled: (item: OutboxItem, outcome: Sent) => void): Promise<number> {
    this.draining ??= this.round(send, settled).finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async round(send: (item: OutboxItem) => Promise<Sent>, settled: (item: OutboxItem, outcome: Sent) => void): Promise<number> {
    const queued = (await this.items()).filter((q) => !q.refused);
    for (const [i, entry] of queued.entries()) {
      const outcome = await send(entry.item);
      if (!outcome.ok && outcome.retry) return queued.length - i;
      if (outcome.ok) await this.shelf.remove(entry.seq);
      else await this.shelf.put({ ...entry, refused: outcome.message });
      settled(entry.item, outcome);
    }
    return 0;
  }

  /** Forgets a refused item the merchandiser has seen. */
  async dismiss(seq: number): Promise<void> {
    await this.shelf.remove(seq);
  }
}

/** The outbox's shelf in the browser's IndexedDB (database shelfpulse-outbox). */
export function indexedDbShelf(): Shelf {
  const store = createStore('shelfpulse-outbox', 'items');
  return {
    all: async () => (await entries<number, Queued>(store)).map(([, entry]) => entry),
    put: (entry) => set(entry.seq, entry, store),
    remove: (seq) => del(seq, store),
  };
}

/** What the capture page shows of the visit in progress, kept across reloads (photos' results included). */
let page: ReturnType<typeof createStore> | undefined;
const pageStore = () => (page ??= createStore('shelfpulse-capture', 'page'));
export const loadPage = <T>(key: string) => get<T>(key, pageStore());
export const savePage = (key: string, value: unknown) => set(key, value, pageStore());
