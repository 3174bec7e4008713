/**
 * Calendar days as YYYY-MM-DD texts: arithmetic on them, and store-local days of instants. A store names its IANA
 * time zone (stores.timezone) or takes the platform zone; the sink writes each sale's and order's local day, and the
 * scheduler closes each zone's day after its own midnight.
 */

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

const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const dayText = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** The day `days` after `day` (before it when negative). */
export function addDays(day: string, days: number): string {
  return dayText(dayNumber(day) + days);
}

export function previousDay(day: string): string {
  return addDays(day, -1);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round(dayNumber(to) - dayNumber(from));
}

/** Every day from `from` to `to`, both included. */
export function dayRange(from: string, to: string): string[] {
  const start = dayNumber(from);
  return Array.from({ length: Math.max(0, daysBetween(from, to) + 1) }, (_, i) => dayText(start + i));
}

/** The same calendar day a year earlier (29 February becomes 1 March). */
export function oneYearEarlier(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  return d.toISOString().slice(0, 10);
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
