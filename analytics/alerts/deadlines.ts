import type { Alert } from '../../contracts/alerts.ts';
import { ALERT_TYPES, type AlertType } from '../../contracts/enums.ts';

/**
 * Hours an alert of each type has before it is overdue: stock problems lose sales every hour, a dormant customer
 * is a visit to plan. Configurable with SHELFPULSE_ALERT_DUE_HOURS.
 */
export const DEFAULT_DUE_HOURS: Readonly<Record<AlertType, number>> = {
  zero_sale: 24,
  out_of_stock: 12,
  no_data: 24,
  price_gap: 48,
  dormant_customer: 168,
  shelf_gap: 24,
  low_share_of_shelf: 72,
  planogram: 48,
};

export class DueHoursError extends Error {
  override name = 'DueHoursError';
}

/** `out_of_stock=8,dormant_customer=72` over the defaults; a type or number that does not fit says which. */
export function parseDueHours(raw: string | undefined): Record<AlertType, number> {
  const hours = { ...DEFAULT_DUE_HOURS };
  for (const pair of (raw ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [type, value] = pair.split('=').map((s) => s.trim());
    const n = Number(value);
    if (!(ALERT_TYPES as readonly string[]).includes(type ?? '')) throw new DueHoursError(`"${pair}" names no alert type; types: ${ALERT_TYPES.join(', ')}`);
    if (!(n > 0 && n <= 24 * 90)) throw new DueHoursError(`"${pair}" needs hours between 0 and 2160 (e.g. ${type}=24)`);
    hours[type as AlertType] = n;
  }
  return hours;
}

const HOUR_MS = 3_600_000;

/** When the alert is due: its opening plus its type's hours. */
export function dueAt(alert: Pick<Alert, 'type' | 'created_at'>, hours: Readonly<Record<AlertType, number>>): Date {
  return new Date(Date.parse(alert.created_at) + hours[alert.type] * HOUR_MS);
}

/**
 * The escalation level an alert should have reached at `now`: none while it is resolved or not yet due; the
 * territory lead once it is overdue; the sales director when a second due period has passed as well.
 */
export function escalationDue(alert: Pick<Alert, 'type' | 'created_at' | 'status'>, hours: Readonly<Record<AlertType, number>>, now: Date): 0 | 1 | 2 {
  if (alert.status === 'resolved') return 0;
  const due = dueAt(alert, hours).getTime();
  if (now.getTime() < due) return 0;
  return now.getTime() < due + hours[alert.type] * HOUR_MS ? 1 : 2;
}

export function isOverdue(alert: Pick<Alert, 'type' | 'created_at' | 'status'>, hours: Readonly<Record<AlertType, number>>, now: Date): boolean {
  return alert.status !== 'resolved' && now.getTime() >= dueAt(alert, hours).getTime();
}
