import { storeRecord } from '../analytics/master-data.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import type { Store } from '../contracts/dashboard.ts';
import { reaches, type Principal } from './auth.ts';

/**
 * The store if the principal's scopes reach it, else undefined. A store that does not exist and one out of scope
 * answer alike (the caller's 404), so scopes do not tell a reader which other stores exist.
 */
export async function storeInScope(warehouse: Warehouse, principal: Principal, storeId: string): Promise<Store | undefined> {
  const store = await storeRecord(warehouse, storeId);
  return store && reaches(principal, store) ? store : undefined;
}
