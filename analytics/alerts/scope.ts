/**
 * The stores one daily close covers (one time zone's): only `stores` when given, never those in `except` (the
 * platform zone's close: every store no other zone claims, registered or not). Neither: every store.
 */
export interface StoreScope {
  stores?: readonly string[] | undefined;
  except?: readonly string[] | undefined;
}

/** The scope as a condition on a store id column, with the parameters of scopeParams (server-side). */
export function inScopeSql(column: string): string {
  return `(empty({scope_stores:Array(String)}) OR ${column} IN {scope_stores:Array(String)}) AND ${column} NOT IN {scope_except:Array(String)}`;
}

export function scopeParams(scope: StoreScope): { scope_stores: readonly string[]; scope_except: readonly string[] } {
  return { scope_stores: scope.stores ?? [], scope_except: scope.except ?? [] };
}

/** The same scope as a test on one store id. */
export function inScope(scope: StoreScope): (storeId: string) => boolean {
  const only = scope.stores && scope.stores.length > 0 ? new Set(scope.stores) : undefined;
  const except = new Set(scope.except ?? []);
  return (storeId) => (only === undefined || only.has(storeId)) && !except.has(storeId);
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
