import { decodePhoto } from './image.ts';
import { assessQuality, type QualityReport, type RetakeReason } from './quality.ts';

/** The shelf analysis of one photo. Detection fields stay empty until a detector model is installed in models/. */
export interface ShelfAnalysis {
  status: 'analyzed' | 'retake';
  retake: RetakeReason[];
  width: number;
  height: number;
  format: string;
  quality: Omit<QualityReport, 'retake' | 'width' | 'height'>;
  detector: string | null;
  detections: { bbox: [number, number, number, number]; score: number; sku: string; brand: string; is_competitor: boolean; row: number }[];
  facings: { sku: string; brand: string; facings: number; linear_px: number }[];
  share_of_shelf: { brand: string; by_facings: number; by_width: number }[];
  gaps: { row: number; bbox: [number, number, number, number] }[];
  prices: { text: string; price: number; promo: boolean; bbox: [number, number, number, number]; sku: string | null }[];
  planogram: { score: number; missing: string[]; misplaced: string[]; extra: string[] } | null;
  timings_ms: Record<string, number>;
}

export interface AnalyzedPhoto {
  analysis: ShelfAnalysis;
  /** The upright JPEG without metadata, to store and show. */
  derivative: Buffer;
}

/** Decodes a shelf photo, runs the quality gate and (when it passes) the shelf analysis. */
export async function analyzeShelfPhoto(input: Buffer): Promise<AnalyzedPhoto> {
  const started = performance.now();
  const photo = await decodePhoto(input);
  const decoded = performance.now();
  const { retake, width, height, ...quality } = assessQuality(photo.grey, photo);
  const done = performance.now();
  return {
    derivative: photo.derivative,
    analysis: {
      status: retake.length > 0 ? 'retake' : 'analyzed',
      retake,
      width,
      height,
      format: photo.format,
      quality,
      detector: null,
      detections: [],
      facings: [],
      share_of_shelf: [],
      gaps: [],
      prices: [],
      planogram: null,
      timings_ms: { decode: Math.round(decoded - started), quality: Math.round(done - decoded) },
    },
  };
}
