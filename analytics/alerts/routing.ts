import type { Alert } from '../../contracts/alerts.ts';
import type { AlertType } from '../../contracts/enums.ts';
import type { RoutingRule } from '../../contracts/workflow.ts';

/** A user as routing sees it: who may take alerts, and which stores and territories they are scoped to. */
export interface RoutableUser {
  username: string;
  role: string;
  store_ids: string[];
  territories: string[];
  disabled: boolean;
}

/** The alerts a store's manager fixes on the shelf; the others (prices, customers) are for the territory's reps. */
const STORE_LEVEL: ReadonlySet<AlertType> = new Set(['zero_sale', 'out_of_stock', 'no_data', 'shelf_gap', 'low_share_of_shelf', 'planogram']);

type Routed = Pick<Alert, 'type' | 'store_id' | 'territory' | 'category'>;

function ruleFor(rules: readonly RoutingRule[], kind: RoutingRule['kind'], key: string): string[] | undefined {
  const rule = rules.find((r) => r.kind === kind && r.key === key);
  return rule && rule.usernames.length > 0 ? rule.usernames : undefined;
}

function active(users: readonly RoutableUser[], names: readonly string[]): string[] {
  const enabled = new Set(users.filter((u) => !u.disabled).map((u) => u.username));
  return [...new Set(names)].filter((n) => enabled.has(n));
}

/**
 * Who owns a new alert: for a shelf or stock problem, the store's manager (the store's rule, else the store
 * managers scoped to that store); for a price gap or a dormant customer, the territory's reps (its rule, else the
 * merchandisers scoped to the territory or the store); and the category's manager where a rule names one.
 * Empty when nobody fits: the alert keeps the owner its rule wrote.
 */
export function routeAlert(alert: Routed, rules: readonly RoutingRule[], users: readonly RoutableUser[]): string[] {
  const live = users.filter((u) => !u.disabled);
  const owners = STORE_LEVEL.has(alert.type)
    ? (ruleFor(rules, 'store', alert.store_id) ?? live.filter((u) => u.role === 'store_manager' && u.store_ids.includes(alert.store_id)).map((u) => u.username))
    : (ruleFor(rules, 'territory', alert.territory) ??
      live
        .filter((u) => u.role === 'merchandiser' && (u.territories.includes(alert.territory) || u.store_ids.includes(alert.store_id)))
        .map((u) => u.username));
  const categoryManagers = alert.category ? (ruleFor(rules, 'category', alert.category) ?? []) : [];
  return active(users, [...owners, ...categoryManagers]);
}

/**
 * Who an overdue alert goes to at each level: 1 the territory lead (the territory_lead rule, else the sales
 * directors scoped to the territory), 2 the sales directors of the whole chain (no territory scope).
 */
export function escalationRecipients(alert: Routed, level: 1 | 2, rules: readonly RoutingRule[], users: readonly RoutableUser[]): string[] {
  const directors = users.filter((u) => !u.disabled && u.role === 'sales_director');
  if (level === 1)
    return active(
      users,
      ruleFor(rules, 'territory_lead', alert.territory) ?? directors.filter((u) => u.territories.includes(alert.territory)).map((u) => u.username),
    );
  return active(
    users,
    directors.filter((u) => u.territories.length === 0 && u.store_ids.length === 0).map((u) => u.username),
  );
}

/** The users an `assignee` field names (comma-separated user names, as routing and assign write it). */
export function assignees(assignee: string): string[] {
  return assignee
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
