import type { ShelfAnalysis } from '../../contracts/shelf-analysis.ts';

/**
 * An analysed bay as the vision pipeline returns it, from its facings per SKU (one detection per facing; a SKU
 * starting with C is a competitor's in the vision catalog): for tests that record photos through the intake
 * without rendering and analysing one.
 */
export function analysedShelf(facings: { sku: string; brand: string; facings: number }[], over: Partial<ShelfAnalysis> = {}): ShelfAnalysis {
  return {
    status: 'analyzed',
    retake: [],
    width: 1600,
    height: 1200,
    format: 'jpeg',
    quality: { sharpness: 300, brightness: 120 },
    detector: 'shelf-detector',
    image_width: 1600,
    image_height: 1200,
    detections: facings.flatMap((f) =>
      Array.from({ length: f.facings }, (_, i) => ({
        bbox: [i * 60, 100, 50, 120] as [number, number, number, number],
        score: 0.9,
        sku: f.sku,
        brand: f.brand,
        is_competitor: f.sku.startsWith('C'),
        row: 0,
        confidence: 0.9,
        recognized_by: 'appearance' as const,
        text: '',
      })),
    ),
    facings: facings.map((f) => ({ ...f, linear_px: f.facings * 50 })),
    share_of_shelf: [],
    gaps: [],
    prices: [],
    planogram: null,
    warnings: [],
    timings_ms: { total: 1 },
    ...over,
  };
}
