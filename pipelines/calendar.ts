/**
 * Store-local calendar days. A store names its IANA time zone (stores.timezone) or takes the platform zone; the
 * sink writes each sale's and order's local day, and the scheduler closes each zone's day after its own midnight.
 */

const QUARTER_HOUR_MS = 15 * 60_000;
/** Offsets remembered before the cache starts over (a zone's offsets for a few years of event time). */
const MAX_OFFSETS = 200_000;

/**
 * Calendar days of instants in time zones, fast enough for every row the sink stores: the zone's UTC offset is
 * looked up once per quarter hour of event time (offsets change only on quarter hours: DST and zone changes), the
 * rest is arithmetic.
 */
export class LocalDays {
  private readonly formats = new Map<string, Intl.DateTimeFormat>();
  private offsets = new Map<string, number>();

  day(ms: number, timezone: string): string {
    const quarter = Math.floor(ms / QUARTER_HOUR_MS);
    const key = `${timezone}|${quarter}`;
    let offset = this.offsets.get(key);
    if (offset === undefined) {
      if (this.offsets.size >= MAX_OFFSETS) this.offsets = new Map();
      offset = this.offsetAt(quarter * QUARTER_HOUR_MS, timezone);
      this.offsets.set(key, offset);
    }
    return new Date(ms + offset).toISOString().slice(0, 10);
  }

  private offsetAt(ms: number, timezone: string): number {
    let format = this.formats.get(timezone);
    if (!format) {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
      this.formats.set(timezone, format);
    }
    const part = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, Number(p.value)]));
    return Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!) - ms;
  }
}

const calendar = new LocalDays();

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
export function localDay(at: Date, timezone: string): string {
  return calendar.day(at.getTime(), timezone);
}

export function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** Whether the runtime knows this IANA time zone name. */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The stores one daily close covers: those of one time zone. */
export interface CloseScope {
  timezone: string;
  /** Absent when every store keeps this zone. */
  stores?: (storeId: string) => boolean;
}

/**
 * One close per time zone in use: the platform zone covers every store that names no other zone (and stores not
 * registered yet), each other zone its own stores. A chain in one zone gets one close over every store.
 */
export function closeScopes(storeZones: ReadonlyMap<string, string>, platformZone: string): CloseScope[] {
  const byZone = new Map<string, Set<string>>();
  for (const [storeId, zone] of storeZones) {
    if (zone === '' || zone === platformZone) continue;
    const members = byZone.get(zone);
    if (members) members.add(storeId);
    else byZone.set(zone, new Set([storeId]));
  }
  if (byZone.size === 0) return [{ timezone: platformZone }];
  const elsewhere = new Set([...byZone.values()].flatMap((m) => [...m]));
  return [
    { timezone: platformZone, stores: (id) => !elsewhere.has(id) },
    ...[...byZone].sort(([a], [b]) => a.localeCompare(b)).map(([timezone, members]) => ({ timezone, stores: (id: string) => members.has(id) })),
  ];
}
