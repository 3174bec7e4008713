import type { Severity } from '../../contracts/enums.ts';
import { ownShare } from '../shelf-share.ts';

/** What a store's latest photographed day shows, over all the bays photographed that day. */
export interface ShelfDay {
  storeId: string;
  /** Store-local day of the latest photos in the look-back. */
  day: string;
  photos: number;
  /** Empty facings (holes) found, summed over the photos. */
  gaps: number;
  ownFacings: number;
  /** Recognised facings (the share's base; unrecognised packs are counted beside it). */
  totalFacings: number;
}

/** shelf_gap: the latest photos show at least `minGaps` empty facings. Severity by the number of holes. */
export function decideShelfGap(shelf: ShelfDay, minGaps: number): { alert: boolean; severity: Severity } {
  return { alert: shelf.gaps >= minGaps, severity: shelf.gaps >= 5 ? 'high' : shelf.gaps >= 2 ? 'medium' : 'low' };
}

/** The share of shelf the map shows (analytics/shelf-share.ts); null when nothing was recognised (no base to judge). */
export function ownShareOfShelf(shelf: ShelfDay): number | null {
  return ownShare({ own_facings: shelf.ownFacings, recognised_facings: shelf.totalFacings });
}

/**
 * low_share_of_shelf: the own brands hold less than `minShare` of the facings recognised on the latest photos.
 * Severity by how far below: under half the target high, under three quarters medium.
 */
export function decideLowShare(shelf: ShelfDay, minShare: number): { alert: boolean; share: number | null; severity: Severity } {
  const share = ownShareOfShelf(shelf);
  if (share === null) return { alert: false, share, severity: 'low' };
  return { alert: share < minShare, share, severity: share < minShare * 0.5 ? 'high' : share < minShare * 0.75 ? 'medium' : 'low' };
}

export type PlanogramStatus = '' | 'ok' | 'missing' | 'misplaced' | 'extra';

/** planogram: a planned own SKU missing from its bay (high: no facing at all) or placed elsewhere (medium). */
export function decidePlanogram(status: PlanogramStatus): { alert: boolean; severity: Severity } {
  if (status === 'missing') return { alert: true, severity: 'high' };
  if (status === 'misplaced') return { alert: true, severity: 'medium' };
  return { alert: false, severity: 'low' };
}
