// The map answer is typed by the schema that documents GET /v1/map; a type-only import, so no server code is bundled.
export type { MapMetric, MapView, StoreKpis as MapStore, TerritoryKpis as MapTerritory } from '../../../analytics/kpi/map.ts';

// An alert as the API, the live stream and webhooks give it (one language picked, both kept).
export type { AlertView as Alert } from '../../../analytics/alerts-read.ts';
export type { AlertStatus, AlertType } from '../../../analytics/alerts/model.ts';

export interface DailyUnits {
  date: string;
  units: number;
}

export interface PhotoAnalysis {
  photo_id: string;
  store_id: string;
  /** The bay the photo shows ('' when the upload named none). */
  bay?: string;
  taken_at: string;
  /** pending: queued for a vision worker (the distributed shape); GET /v1/photos/:id shows the result later. */
  status: 'analyzed' | 'retake' | 'pending';
  retake: { code: string; message_zh: string; message_en: string }[];
  width: number;
  height: number;
  image_url: string;
  detections?: { bbox: [number, number, number, number]; score: number; sku: string; brand: string; is_competitor: boolean; row: number }[];
  facings?: { sku: string; brand: string; facings: number; linear_px: number }[];
  share_of_shelf?: { brand: string; by_facings: number; by_width: number }[];
  gaps?: { row: number; bbox: [number, number, number, number] }[];
  prices?: { text: string; price: number; promo: boolean; bbox: [number, number, number, number]; sku: string | null }[];
  /** Compliance with the bay's stored planogram; null when the photo names no bay with one. */
  planogram?: { score: number; missing: string[]; misplaced: string[]; extra: string[] } | null;
}
