/**
 * Store-local calendar days. A store names its IANA time zone (stores.timezone) or takes the platform zone; the
 * sink writes each sale's and order's local day, and the scheduler closes each zone's day after its own midnight.
 */

import type { StoreScope } from '../analytics/alerts/scope.ts';

const QUARTER_HOUR_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
/** Offsets remembered per zone before its cache starts over (a few years of event time). */
const MAX_OFFSETS = 200_000;

interface Zone {
  format: Intl.DateTimeFormat;
  /** UTC offset (ms) by quarter hour since the epoch. */
  offsets: Map<number, number>;
}

/**
 * Calendar days of instants in time zones, fast enough for every row the sink stores: the zone's UTC offset is
 * looked up once per quarter hour of event time (offsets change only on quarter hours: DST and zone changes), the
 * rest is arithmetic on numbers.
 */
export class LocalDays {
  private readonly zones = new Map<string, Zone>();
  private readonly dayTexts = new Map<number, string>();

  day(ms: number, timezone: string): string {
    let zone = this.zones.get(timezone);
    if (!zone) {
      zone = {
        format: new Intl.DateTimeFormat('en-US', {
          timeZone: timezone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
        }),
        offsets: new Map(),
      };
      this.zones.set(timezone, zone);
    }
    const quarter = Math.floor(ms / QUARTER_HOUR_MS);
    let offset = zone.offsets.get(quarter);
    if (offset === undefined) {
      if (zone.offsets.size >= MAX_OFFSETS) zone.offsets.clear();
      offset = offsetAt(zone.format, quarter * QUARTER_HOUR_MS);
      zone.offsets.set(quarter, offset);
    }
    const dayNumber = Math.floor((ms + offset) / DAY_MS);
    let text = this.dayTexts.get(dayNumber);
    if (text === undefined) {
      text = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
      this.dayTexts.set(dayNumber, text);
    }
    return text;
  }
}

/** The zone's offset at an instant: its wall-clock time read as UTC, minus the instant. */
function offsetAt(format: Intl.DateTimeFormat, ms: number): number {
  const part = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, Number(p.value)]));
  return Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!) - ms;
}

/** One per process: the scheduler, the alert engine and the warehouse sink share its offsets and day texts. */
const calendar = new LocalDays();

/** The calendar day of an instant (a Date or epoch ms) in a time zone, as YYYY-MM-DD. */
export function localDay(at: Date | number, timezone: string): string {
  return calendar.day(typeof at === 'number' ? at : at.getTime(), timezone);
}

export function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
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
export interface CloseScope extends StoreScope {
  timezone: string;
}

/**
 * One close per time zone in use: the platform zone covers every store that names no other zone (and stores not
 * registered yet), each other zone its own stores. A chain in one zone gets one close over every store.
 */
export function closeScopes(storeZones: ReadonlyMap<string, string>, platformZone: string): CloseScope[] {
  const byZone = new Map<string, string[]>();
  for (const [storeId, zone] of storeZones) {
    if (zone === '' || zone === platformZone) continue;
    const members = byZone.get(zone);
    if (members) members.push(storeId);
    else byZone.set(zone, [storeId]);
  }
  if (byZone.size === 0) return [{ timezone: platformZone }];
  const elsewhere = [...byZone.values()].flat().sort();
  return [
    { timezone: platformZone, except: elsewhere },
    ...[...byZone].sort(([a], [b]) => a.localeCompare(b)).map(([timezone, members]) => ({ timezone, stores: members.sort() })),
  ];
}
