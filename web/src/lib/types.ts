// The map answer is typed by the schema that documents GET /v1/map; a type-only import, so no server code is bundled.
export type { MapMetric, MapView, StoreKpis as MapStore, TerritoryKpis as MapTerritory } from '../../../analytics/kpi/map.ts';

// An alert as the API, the live stream and webhooks give it (one language picked, both kept).
export type { AlertView as Alert } from '../../../analytics/alerts-read.ts';
export type { AlertStatus, AlertType } from '../../../analytics/alerts/model.ts';

export interface DailyUnits {
  date: string;
  units: number;
}

// A photo as POST /v1/photos and GET /v1/photos/:id answer it, typed by the routes' response schema.
export type { PhotoAnalysis } from '../../../contracts/records.ts';
