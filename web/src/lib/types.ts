// The map answer is typed by the schema that documents GET /v1/map; a type-only import, so no server code is bundled.
export type { MapMetric, MapView, StoreKpis as MapStore, TerritoryKpis as MapTerritory } from '../../../analytics/kpi/map.ts';

export type AlertType = 'zero_sale' | 'out_of_stock' | 'no_data' | 'price_gap' | 'dormant_customer' | 'shelf_gap' | 'low_share_of_shelf' | 'planogram';
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

export interface Alert {
  id: string;
  type: AlertType;
  status: AlertStatus;
  store_id: string;
  sku: string;
  territory: string;
  category: string;
  created_at: string;
  updated_at: string;
  as_of: string;
  severity: 'low' | 'medium' | 'high';
  message: string;
  suggestion: string;
  messages?: { zh: string; en: string };
  suggestions?: { zh: string; en: string };
  evidence: Record<string, unknown>;
  assignee: string;
  resolved_at: string | null;
}

export interface DailyUnits {
  date: string;
  units: number;
}

export interface PhotoAnalysis {
  photo_id: string;
  store_id: string;
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
}
