import type { RuleThresholds } from '../rules/thresholds.ts';
import type { Warehouse } from '../warehouse.ts';
import type { Finding } from './model.ts';
import type { Alert } from '../../contracts/alerts.ts';
import { inScopeSql, type StoreScope } from './scope.ts';

// A close covers the stores of one time zone (StoreScope): the queries over every store's rows take the scope as
// parameters (IN_SCOPE), those given pairs or photos inherit it from them.
export const IN_SCOPE = inScopeSql('store_id');

const STORES = `SELECT store_id, name, territory, region, manager FROM stores FINAL`;

const PRODUCTS = `SELECT sku, name, category, regular_price, is_competitor, matches_sku FROM products FINAL`;

export interface StoreInfo {
  store_id: string;
  name: string;
  territory: string;
  region: string;
  manager: string;
}

export interface ProductInfo {
  sku: string;
  name: string;
  category: string;
  regular_price: number;
  is_competitor: boolean;
  matches_sku: string;
}

/** What every rule family decides from besides its own rows: plain data, no warehouse. */
export interface RuleInputs {
  /** The day closed, store-local. */
  asOf: string;
  thresholds: RuleThresholds;
  stores: ReadonlyMap<string, StoreInfo>;
  products: ReadonlyMap<string, ProductInfo>;
  /** The stores the close covers. */
  scope: StoreScope;
  /** Their open alerts of the daily types. */
  open: readonly Alert[];
}

/** One daily close: the rule inputs, and where to read each family's rows (the warehouse, the stores' time zone). */
export interface DayClose extends RuleInputs {
  warehouse: Warehouse;
  timezone: string;
}

/** What one rule family found on a close: its findings, and the slots (slotOf) whose problem ended. */
export interface Findings {
  findings: Finding[];
  resolved: Set<string>;
}

/** Who acts on a store's shelf and stock: its manager, or a per-store queue when none is registered. */
export function storeManager(store: StoreInfo | undefined, storeId: string): string {
  return store?.manager ? store.manager : `manager:${storeId}`;
}

export async function storesById(warehouse: Warehouse): Promise<Map<string, StoreInfo>> {
  return new Map((await warehouse.query<StoreInfo>(STORES)).map((s) => [s.store_id, s]));
}

export async function productsBySku(warehouse: Warehouse): Promise<Map<string, ProductInfo>> {
  return new Map((await warehouse.query<ProductInfo>(PRODUCTS)).map((p) => [p.sku, p]));
}
