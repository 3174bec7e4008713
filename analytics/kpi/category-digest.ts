import { presentAlert } from '../alerts-read.ts';
import { isOverdue } from '../alerts/deadlines.ts';
import { openAlerts } from '../alerts/alert-rows.ts';
import type { Alert, AlertView } from '../../contracts/alerts.ts';
import { ALERT_TYPES, type AlertType, type Language } from '../../contracts/enums.ts';
import type { Warehouse } from '../warehouse.ts';

/** A category manager's morning: the alerts of its categories opened in the last day, and those past due. */
export interface CategoryDigest {
  categories: string[];
  new_total: number;
  overdue_total: number;
  /** The first of each list (high severity, then the newest), as many as a message holds. */
  new_alerts: AlertView[];
  overdue_alerts: AlertView[];
}

const SEVERITY_RANK = { high: 0, medium: 1, low: 2 } as const;
const DAY_MS = 86_400_000;
/** A chat message a person reads over breakfast: the rest is a click away. */
const LISTED = 10;

export interface CategoryDigestOptions {
  categories: readonly string[];
  /** Empty = every territory. */
  territories: readonly string[];
  now: Date;
  dueHours: Readonly<Record<AlertType, number>>;
  lang: Language;
}

/** Plain data in: the open alerts of the categories and territories (all when none named), new in the day before `now` or overdue at `now`. */
export function categoryDigestOf(open: readonly Alert[], options: CategoryDigestOptions): CategoryDigest {
  const named = (names: readonly string[], name: string) => names.length === 0 || names.includes(name);
  const mine = open.filter((a) => a.status !== 'resolved' && named(options.categories, a.category) && named(options.territories, a.territory));
  const first = (alerts: Alert[]) =>
    alerts
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.created_at.localeCompare(a.created_at))
      .slice(0, LISTED)
      .map((a) => presentAlert(a, options.lang));
  const since = options.now.getTime() - DAY_MS;
  const fresh = mine.filter((a) => Date.parse(a.created_at) > since && Date.parse(a.created_at) <= options.now.getTime());
  const overdue = mine.filter((a) => isOverdue(a, options.dueHours, options.now));
  return {
    categories: [...options.categories],
    new_total: fresh.length,
    overdue_total: overdue.length,
    new_alerts: first(fresh),
    overdue_alerts: first(overdue),
  };
}

export async function categoryDigest(warehouse: Warehouse, options: CategoryDigestOptions): Promise<CategoryDigest> {
  return categoryDigestOf(await openAlerts(warehouse, ALERT_TYPES), options);
}
