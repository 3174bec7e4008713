import type { Warehouse } from '../warehouse.ts';
import type { Alert } from '../../contracts/alerts.ts';
import type { AlertStatus, AlertType } from '../../contracts/enums.ts';
import { inScopeSql, scopeParams, type StoreScope } from './scope.ts';

interface AlertRow extends Omit<Alert, 'evidence'> {
  evidence: string;
}

const COLUMNS = `id, type, status, store_id, sku, territory, category,
  formatDateTime(created_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS created_at,
  formatDateTime(updated_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS updated_at,
  toString(as_of) AS as_of, severity, message_zh, message_en, suggestion_zh, suggestion_en, evidence, assignee,
  if(resolved_at IS NULL, NULL, formatDateTime(resolved_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC')) AS resolved_at, resolved_reason`;

const OPEN_ALERTS = `SELECT ${COLUMNS} FROM alerts FINAL WHERE status != 'resolved' AND type IN {types:Array(String)} AND ${inScopeSql('store_id')}`;

const OPENED_ON = `
  SELECT ${COLUMNS} FROM alerts FINAL
  WHERE endsWith(id, {day:String}) AND type IN {types:Array(String)} AND ${inScopeSql('store_id')}`;

const ALERT_BY_ID = `SELECT ${COLUMNS} FROM alerts FINAL WHERE id = {id:String}`;

const LIST_ALERTS = `
  SELECT ${COLUMNS}, count() OVER () AS total
  FROM alerts FINAL
  WHERE ({type:String} = '' OR type = {type:String})
    AND ({status:String} = '' OR status = {status:String})
    AND ({store_id:String} = '' OR store_id = {store_id:String})
    AND ({territory:String} = '' OR territory = {territory:String})
    AND ({category:String} = '' OR category = {category:String})
    AND ({sku:String} = '' OR sku = {sku:String})
    AND ({assigned_to:String} = '' OR has(splitByChar(',', assignee), {assigned_to:String}))
    AND (empty({stores:Array(String)}) OR store_id IN {stores:Array(String)})
    AND (empty({territories:Array(String)}) OR territory IN {territories:Array(String)})
  ORDER BY created_at DESC, id
  LIMIT {limit:UInt32} OFFSET {offset:UInt32}`;

function fromRow(row: AlertRow): Alert {
  return { ...row, evidence: JSON.parse(row.evidence) as Record<string, unknown> };
}

/** Open alerts of some types, of the stores in `scope` (default: every store). */
export async function openAlerts(warehouse: Warehouse, types: readonly AlertType[], scope: StoreScope = {}): Promise<Alert[]> {
  return (await warehouse.query<AlertRow>(OPEN_ALERTS, { types, ...scopeParams(scope) })).map(fromRow);
}

/** Alerts of some types opened on a day (their id ends with it), open or resolved, of the stores in `scope`. */
export async function alertsOpenedOn(warehouse: Warehouse, types: readonly AlertType[], day: string, scope: StoreScope = {}): Promise<Alert[]> {
  return (await warehouse.query<AlertRow>(OPENED_ON, { day, types, ...scopeParams(scope) })).map(fromRow);
}

export async function alertById(warehouse: Warehouse, id: string): Promise<Alert | undefined> {
  const [row] = await warehouse.query<AlertRow>(ALERT_BY_ID, { id });
  return row && fromRow(row);
}

export interface AlertFilter {
  type?: string | undefined;
  status?: AlertStatus | undefined;
  store_id?: string | undefined;
  territory?: string | undefined;
  category?: string | undefined;
  sku?: string | undefined;
  /** "My alerts": those assigned to this user (one of the user names in `assignee`). */
  assigned_to?: string | undefined;
  /** Scope of the caller: empty = everything. */
  stores: readonly string[];
  territories: readonly string[];
  limit: number;
  offset: number;
}

export async function listAlerts(warehouse: Warehouse, filter: AlertFilter): Promise<{ alerts: Alert[]; total: number }> {
  const rows = await warehouse.query<AlertRow & { total: number }>(LIST_ALERTS, {
    type: filter.type ?? '',
    status: filter.status ?? '',
    store_id: filter.store_id ?? '',
    territory: filter.territory ?? '',
    category: filter.category ?? '',
    sku: filter.sku ?? '',
    assigned_to: filter.assigned_to ?? '',
    stores: filter.stores,
    territories: filter.territories,
    limit: filter.limit,
    offset: filter.offset,
  });
  return { alerts: rows.map(({ total: _total, ...row }) => fromRow(row)), total: rows[0]?.total ?? 0 };
}

let lastVersion = 0;
/** Strictly increasing versions, so the newest write of an alert always wins. */
function nextVersion(): number {
  lastVersion = Math.max(lastVersion + 1, Date.now() * 1000);
  return lastVersion;
}

export async function saveAlerts(warehouse: Warehouse, alerts: readonly Alert[]): Promise<void> {
  if (alerts.length === 0) return;
  await warehouse.insert(
    'alerts',
    alerts.map((a) => ({ ...a, evidence: JSON.stringify(a.evidence), version: nextVersion() })),
  );
}
