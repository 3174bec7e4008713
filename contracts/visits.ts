import { Type, type Static } from '@sinclair/typebox';
import { VISIT_NOTE_KINDS } from './enums.ts';
import { oneOf } from './one-of.ts';

/** An id the phone makes (a UUID, say), so that a request sent again after a lost answer names the same thing. */
export const ClientId = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_-]{8,128}$', description });
const Time = (description: string) => Type.String({ format: 'date-time', description });
// Null first: the validator coerces types, and would read a null as the number 0 (a point off the coast of Africa).
const Coordinate = (limit: number, description: string) =>
  Type.Optional(Type.Union([Type.Null(), Type.Number({ minimum: -limit, maximum: limit })], { description }));

/** POST /v1/visits: a merchandiser starts a visit of a store, where it stands. */
export const StartVisit = Type.Object(
  {
    visit_id: Type.Optional(ClientId('Made on the phone; starting the same visit again answers the visit already started. Default: made by the server')),
    store_id: Type.String({ minLength: 1, maxLength: 128 }),
    started_at: Type.Optional(Time('When the merchandiser started it (a visit started offline is sent later); default now')),
    lat: Coordinate(90, 'Where the phone was (GPS), degrees'),
    lon: Coordinate(180, 'Where the phone was (GPS), degrees'),
  },
  { title: 'StartVisit', additionalProperties: false },
);

/** POST /v1/visits/:id/notes: a competitor's price or an activity, noted by hand. */
export const VisitNoteInput = Type.Object(
  {
    note_id: Type.Optional(ClientId('Made on the phone; the same note sent again is stored once')),
    kind: oneOf(VISIT_NOTE_KINDS, { description: 'competitor_price (sku and price) or activity (text)' }),
    bay: Type.Optional(Type.String({ maxLength: 128 })),
    sku: Type.Optional(Type.String({ maxLength: 128, description: 'competitor_price: the competitor product, as in the product master' })),
    price: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, description: "competitor_price: the shelf price, in the store's currency" })),
    text: Type.Optional(Type.String({ maxLength: 2000, description: 'activity: what was seen; competitor_price: an optional remark' })),
    noted_at: Type.Optional(Time('When it was noted; default now')),
  },
  { title: 'VisitNoteInput', additionalProperties: false },
);

/** POST /v1/visits/:id/close. */
export const CloseVisit = Type.Object(
  { closed_at: Type.Optional(Time('When the merchandiser closed it; default now')) },
  { title: 'CloseVisit', additionalProperties: false },
);

export const VisitNote = Type.Object(
  {
    note_id: Type.String(),
    kind: oneOf(VISIT_NOTE_KINDS),
    bay: Type.String(),
    sku: Type.String(),
    price: Type.Union([Type.Number(), Type.Null()]),
    text: Type.String(),
    noted_by: Type.String(),
    noted_at: Type.String(),
  },
  { title: 'VisitNote' },
);

export const VisitPhoto = Type.Object(
  {
    photo_id: Type.String(),
    bay: Type.String({ description: "'' when the photo named no bay" }),
    status: Type.String({ description: 'analyzed, retake or pending' }),
    taken_at: Type.String(),
  },
  { title: 'VisitPhoto' },
);

/** A visit as the visit routes answer it: who, when, where, which bays and photos, what was noted. */
export const Visit = Type.Object(
  {
    visit_id: Type.String(),
    store_id: Type.String(),
    started_by: Type.String({ description: 'The user (or token) that started it' }),
    started_at: Type.String(),
    closed_at: Type.Union([Type.String(), Type.Null()], { description: 'null while the visit is open' }),
    lat: Type.Union([Type.Number(), Type.Null()]),
    lon: Type.Union([Type.Number(), Type.Null()]),
    distance_m: Type.Union([Type.Number(), Type.Null()], {
      description: "Metres from the store's coordinates to where the visit was started (haversine); null without a position",
    }),
    bays: Type.Array(Type.String(), { description: 'The bays photographed, in the order first photographed' }),
    photos: Type.Array(VisitPhoto),
    notes: Type.Array(VisitNote),
  },
  { title: 'Visit' },
);

export const VisitList = Type.Object({ visits: Type.Array(Visit) }, { title: 'VisitList' });

/** GET /v1/stores/:store_id/bays: the bays of a store that have a planogram, for the capture page's bay list. */
export const StoreBays = Type.Object(
  {
    bays: Type.Array(
      Type.Object({
        bay: Type.String(),
        shelf_rows: Type.Array(Type.Array(Type.String()), { description: 'SKUs per shelf row, top row first, one entry per facing' }),
      }),
    ),
  },
  { title: 'StoreBays' },
);

export type StartVisit = Static<typeof StartVisit>;
export type VisitNoteInput = Static<typeof VisitNoteInput>;
export type VisitNote = Static<typeof VisitNote>;
export type VisitPhoto = Static<typeof VisitPhoto>;
export type Visit = Static<typeof Visit>;
export type VisitList = Static<typeof VisitList>;
export type StoreBays = Static<typeof StoreBays>;
