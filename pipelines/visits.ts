import { randomUUID } from 'node:crypto';
import { productExists } from '../analytics/catalogue.ts';
import { distanceKm } from '../analytics/kpi/stores.ts';
import { photoById, storedAnalysis } from '../analytics/photos.ts';
import {
  notesOfVisits,
  photosOfVisits,
  saveUploadKey,
  saveVisit,
  saveVisitNote,
  uploadByKey,
  visitById,
  visitsOfStore,
  type VisitRow,
} from '../analytics/visits.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import type { Store } from '../contracts/dashboard.ts';
import type { StartVisit, Visit, VisitNote, VisitNoteInput } from '../contracts/visits.ts';
import type { EventPublisher } from './event-publisher.ts';
import type { AcceptedPhoto } from './photo-intake.ts';

/** A visit request that cannot be done as asked; `reason` says which answer it gets, the message what to change. */
export class VisitRefusal extends Error {
  constructor(
    readonly reason: 'conflict' | 'bad_note' | 'unknown_product',
    message: string,
  ) {
    super(message);
  }
}

/** Metres from the store's coordinates to where the phone was, rounded to the metre; null without a position. */
export function distanceToStore(store: { lat: number; lon: number }, at: { lat?: number | null; lon?: number | null }): number | null {
  if (at.lat === null || at.lat === undefined || at.lon === null || at.lon === undefined) return null;
  return Math.round(distanceKm(store, { lat: at.lat, lon: at.lon }) * 1000);
}

/** The first-photographed order of the bays a visit's photos name. */
export const baysInOrder = (photos: readonly { bay: string }[]): string[] => [...new Set(photos.map((p) => p.bay).filter((bay) => bay !== ''))];

/** Store visits: started and closed by the merchandiser, with hand notes; their photos come in through the photo intake. */
export class VisitService {
  constructor(private readonly deps: { warehouse: Warehouse; publisher: EventPublisher }) {}

  /**
   * Starts a visit of the store by `by`. The same visit id sent again (a phone retrying after a lost answer) answers
   * the visit already started; an id taken by another store or person is a conflict.
   */
  async start(store: Store, by: string, input: StartVisit): Promise<{ visit: Visit; created: boolean }> {
    const visitId = input.visit_id ?? randomUUID();
    const existing = await visitById(this.deps.warehouse, visitId);
    if (existing) {
      if (existing.store_id !== store.store_id || existing.started_by !== by) {
        throw new VisitRefusal('conflict', `visit ${visitId} is another visit (store ${existing.store_id}); make a new visit id`);
      }
      return { visit: (await this.views([existing]))[0]!, created: false };
    }
    const row: VisitRow = {
      visit_id: visitId,
      store_id: store.store_id,
      started_by: by,
      started_at: new Date(input.started_at ?? Date.now()).toISOString(),
      closed_at: null,
      lat: input.lat ?? null,
      lon: input.lon ?? null,
      distance_m: distanceToStore(store, input),
    };
    await saveVisit(this.deps.warehouse, row);
    return { visit: { ...row, bays: [], photos: [], notes: [] }, created: true };
  }

  find(visitId: string): Promise<VisitRow | undefined> {
    return visitById(this.deps.warehouse, visitId);
  }

  /**
   * A note by hand. A competitor's price is also a competitor-price event (source "manual", its event id from the
   * note's), so it feeds the price-gap alerts like a feed's; the same note sent again is stored and counted once.
   */
  async note(visit: VisitRow, by: string, input: VisitNoteInput): Promise<VisitNote> {
    const note: VisitNote = {
      note_id: input.note_id ?? randomUUID(),
      kind: input.kind,
      bay: input.bay?.trim() ?? '',
      sku: input.sku?.trim() ?? '',
      price: input.price ?? null,
      text: input.text?.trim() ?? '',
      noted_by: by,
      noted_at: new Date(input.noted_at ?? Date.now()).toISOString(),
    };
    if (note.kind === 'competitor_price') {
      if (!note.sku || note.price === null) throw new VisitRefusal('bad_note', 'a competitor price needs the competitor product (sku) and its price');
      if (!(await productExists(this.deps.warehouse, note.sku))) {
        throw new VisitRefusal('unknown_product', `no product ${note.sku} in the product master; pick one from the catalogue or note it as an activity`);
      }
    } else if (!note.text) {
      throw new VisitRefusal('bad_note', 'an activity note needs its text');
    }
    await saveVisitNote(this.deps.warehouse, { ...note, visit_id: visit.visit_id, store_id: visit.store_id });
    if (note.kind === 'competitor_price') {
      const price = { event_id: `visit-${note.note_id}`, store_id: visit.store_id, sku: note.sku, ts: note.noted_at, price: note.price, source: 'manual' };
      await this.deps.publisher.publish('competitor-prices', [price]);
    }
    return note;
  }

  /** Closes the visit; closing it again keeps the first close time. */
  async close(visit: VisitRow, at: string | undefined): Promise<Visit> {
    const closed = { ...visit, closed_at: visit.closed_at ?? new Date(at ?? Date.now()).toISOString() };
    if (!visit.closed_at) await saveVisit(this.deps.warehouse, closed);
    return (await this.views([closed]))[0]!;
  }

  /** A store's last visits, newest first, with their bays, photos and notes. */
  async ofStore(storeId: string, options: { startedBy?: string; limit: number }): Promise<Visit[]> {
    return this.views(await visitsOfStore(this.deps.warehouse, storeId, options));
  }

  async view(visit: VisitRow): Promise<Visit> {
    return (await this.views([visit]))[0]!;
  }

  private async views(visits: readonly VisitRow[]): Promise<Visit[]> {
    const ids = visits.map((v) => v.visit_id);
    const [photos, notes] = await Promise.all([photosOfVisits(this.deps.warehouse, ids), notesOfVisits(this.deps.warehouse, ids)]);
    return visits.map((v) => {
      const own = photos.filter((p) => p.visit_id === v.visit_id).map(({ visit_id: _v, ...p }) => p);
      return {
        ...v,
        bays: baysInOrder(own),
        photos: own,
        notes: notes.filter((n) => n.visit_id === v.visit_id).map(({ visit_id: _v, store_id: _s, ...n }) => n),
      };
    });
  }
}

/**
 * Uploads keyed by the phone (an idempotency key): the first upload with a key runs; the same key again, from the same
 * user, gets the photos of the first answer back without a second analysis, also while the first is still running.
 */
export class UploadKeys {
  private readonly inFlight = new Map<string, Promise<AcceptedPhoto[]>>();

  constructor(private readonly warehouse: Warehouse) {}

  async once(by: string, key: string, storeId: string, upload: () => Promise<AcceptedPhoto[]>): Promise<AcceptedPhoto[]> {
    const slot = `${by}\n${key}`;
    const running = this.inFlight.get(slot);
    if (running) return running;
    const work = this.run(by, key, storeId, upload).finally(() => this.inFlight.delete(slot));
    this.inFlight.set(slot, work);
    return work;
  }

  private async run(by: string, key: string, storeId: string, upload: () => Promise<AcceptedPhoto[]>): Promise<AcceptedPhoto[]> {
    const earlier = await uploadByKey(this.warehouse, by, key);
    if (earlier) {
      if (earlier.store_id !== storeId)
        throw new VisitRefusal('conflict', `upload key ${key} was used for store ${earlier.store_id}; make a new key for a new upload`);
      const stored = await Promise.all(earlier.photo_ids.map((id) => photoById(this.warehouse, id)));
      return stored.flatMap((photo) => {
        if (!photo) return [];
        const { analysis: _a, status: _s, retake: _r, width: _w, height: _h, ...meta } = photo;
        return [{ photo: { ...meta, taken_at: new Date(meta.taken_at).toISOString() }, analysis: storedAnalysis(photo) }];
      });
    }
    const accepted = await upload();
    await saveUploadKey(this.warehouse, { upload_key: key, uploaded_by: by, store_id: storeId, photo_ids: accepted.map((a) => a.photo.photo_id) });
    return accepted;
  }
}
