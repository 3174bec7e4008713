import { presentAlert } from '../alerts-read.ts';
import { listAlerts } from '../alerts/alert-rows.ts';
import type { Alert } from '../../contracts/alerts.ts';
import type { Digest, MapView, StoreKpis } from '../../contracts/dashboard.ts';
import type { Language } from '../../contracts/enums.ts';
import type { Warehouse } from '../warehouse.ts';
import { addDays } from '../../lib/days.ts';
import { latestSalesDay, mapView } from './map.ts';

const SEVERITY_RANK = { high: 0, medium: 1, low: 2 } as const;
/** How many stores and alerts each list of the digest names: a message a person reads over breakfast. */
const LISTED = 5;

const vsLy = (sales: number, salesLy: number) => (salesLy > 0 ? sales / salesLy - 1 : null);
const digestStore = (s: StoreKpis) => ({
  store_id: s.store_id,
  name: s.name,
  territory: s.territory,
  sales: s.sales,
  vs_ly: s.vs_ly,
  open_alerts_total: s.open_alerts_total,
});

/** The digest of a map view and the open alerts: plain data in, the lists a director or category manager reads out. */
export function digestOf(view: MapView, openAlerts: readonly Alert[], lang: Language | undefined): Digest {
  const outage = (s: StoreKpis) => (s.open_alerts.no_data ?? 0) > 0;
  const compared = view.stores.filter((s) => !outage(s) && s.vs_ly !== null);
  const byChange = [...compared].sort((a, b) => a.vs_ly! - b.vs_ly!);
  const sales = view.stores.reduce((sum, s) => sum + s.sales, 0);
  const salesLy = view.stores.reduce((sum, s) => sum + s.sales_ly, 0);
  const first = [...openAlerts].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.created_at.localeCompare(a.created_at));
  return {
    from: view.from,
    to: view.to,
    chain: { sales, sales_ly: salesLy, vs_ly: vsLy(sales, salesLy) },
    territories: view.territories
      .map((t) => ({ territory: t.territory, sales: t.sales, vs_ly: t.vs_ly, open_alerts_total: t.open_alerts_total }))
      .sort((a, b) => (a.vs_ly ?? 0) - (b.vs_ly ?? 0)),
    stores_down: byChange
      .filter((s) => s.vs_ly! < 0)
      .slice(0, LISTED)
      .map(digestStore),
    stores_up: byChange
      .reverse()
      .filter((s) => s.vs_ly! > 0)
      .slice(0, LISTED)
      .map(digestStore),
    feed_outages: view.stores.filter(outage).map(digestStore),
    dormant_customers: view.stores.filter((s) => s.dormant).length,
    open_alerts: view.stores.reduce((sum, s) => sum + s.open_alerts_total, 0),
    alerts: first.slice(0, LISTED).map((a) => presentAlert(a, lang)),
  };
}

/** The reader's morning digest: the last `days` up to the latest sales day against the same weekdays last year. */
export async function morningDigest(
  warehouse: Warehouse,
  options: { storeIds: readonly string[]; territories: readonly string[]; dormantAfterDays: number; lang: Language | undefined; days?: number },
): Promise<Digest> {
  const to = await latestSalesDay(warehouse);
  const from = addDays(to, 1 - (options.days ?? 7));
  const scope = { stores: [...options.storeIds], territories: [...options.territories] };
  const [view, open] = await Promise.all([
    mapView(warehouse, { metric: 'sales_vs_ly', from, to, dormantAfterDays: options.dormantAfterDays, storeIds: scope.stores }),
    listAlerts(warehouse, { status: 'open', ...scope, limit: 500, offset: 0 }),
  ]);
  const inScope = (s: { territory: string }) => scope.territories.length === 0 || scope.territories.includes(s.territory);
  const scoped = { ...view, stores: view.stores.filter(inScope), territories: view.territories.filter(inScope) };
  return digestOf(scoped, open.alerts, options.lang);
}
