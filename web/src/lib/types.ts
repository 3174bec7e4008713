// The answers are typed by the schemas that document the API (contracts/): type-only imports, so no TypeBox is
// bundled; the enums come from contracts/enums.ts, which has none.
import type { UnknownPackGroups } from '../../../contracts/teaching.ts';
export type { Digest, MapView, StoreKpis as MapStore, TerritoryKpis as MapTerritory, StoreListItem, StoreOverview } from '../../../contracts/dashboard.ts';
export type { AlertFeedbackRecord, AlertQuality, AlertView as Alert } from '../../../contracts/alerts.ts';
export type { PhotoAnalysis } from '../../../contracts/records.ts';
export type { Distribution, Ranking } from '../../../contracts/reports.ts';
export type { StoreBays, Visit, VisitList } from '../../../contracts/visits.ts';
export type { AssignedPacks, AssignPacks, CatalogueProduct, RecognitionJobView as RecognitionJob, UnknownPackGroups } from '../../../contracts/teaching.ts';
export type UnknownPackGroup = UnknownPackGroups['groups'][number];
export type UnknownPack = UnknownPackGroup['packs'][number];
export type { AlertAction, AlertTrail, Channel, NewChannel, RoutingRule, WorkflowKpi } from '../../../contracts/workflow.ts';
export { CHANNEL_KINDS, DIGEST_ROLES, SEVERITIES } from '../../../contracts/enums.ts';
export type { DigestSubscription } from '../../../contracts/digests.ts';
export type { OrderHistory } from '../../../contracts/order-history.ts';
export { ALERT_STATUSES, ALERT_TYPES, MAP_METRICS, type AlertStatus, type AlertType, type MapMetric } from '../../../contracts/enums.ts';

export interface DailyUnits {
  date: string;
  units: number;
}
