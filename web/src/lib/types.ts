export type MapMetric = 'sales_vs_ly' | 'sales_vs_prev' | 'sell_through' | 'open_alerts' | 'share_of_shelf';

export interface MapStore {
  store_id: string;
  name: string;
  city: string;
  territory: string;
  region: string;
  format: string;
  lat: number;
  lon: number;
  sales: number;
  sales_prev: number;
  sales_ly: number;
  units: number;
  vs_prev: number | null;
  vs_ly: number | null;
  sell_through: number | null;
  open_alerts: Record<string, number>;
  open_alerts_total: number;
  share_of_shelf: number | null;
  dormant: boolean;
  days_since_last_order: number | null;
  historical_margin: number;
  value: number | null;
}

export interface MapTerritory {
  territory: string;
  region: string;
  stores: number;
  lat: number;
  lon: number;
  sales: number;
  vs_prev: number | null;
  vs_ly: number | null;
  sell_through: number | null;
  open_alerts_total: number;
  share_of_shelf: number | null;
  dormant_stores: number;
  value: number | null;
}

export interface MapView {
  metric: MapMetric;
  unit: 'ratio' | 'count' | 'CNY';
  from: string;
  to: string;
  previous: { from: string; to: string };
  last_year: { from: string; to: string };
  stores: MapStore[];
  territories: MapTerritory[];
}

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
