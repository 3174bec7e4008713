import { describe, expect, it } from 'vitest';
import type { Corners } from '../../../vision/detector.ts';
import { shelfTiltDeg, tiltReason } from '../../../vision/quality.ts';
import { assignRows, detectedGaps, facingsBySku, findGaps, planogramCompliance, shareOfShelf, type ShelfProduct } from '../../../vision/shelf.ts';
import { shelfImage } from '../../support/shelf-image.ts';

const pack = (x: number, bottom: number, sku: string, brand: string, width = 40, height = 80): ShelfProduct => ({
  box: [x, bottom - height, x + width, bottom],
  sku,
  brand,
  is_competitor: brand === 'Rival',
});

// Two rows: top row A A B _ B (a sold-out slot at x 150-190), bottom row C C C R.
const bay = [
  pack(10, 100, 'A', 'Own'),
  pack(60, 101, 'A', 'Own'),
  pack(110, 99, 'B', 'Own'),
  pack(200, 100, 'B', 'Own'),
  pack(10, 220, 'C', 'Own', 50),
  pack(70, 221, 'C', 'Own', 50),
  pack(130, 219, 'C', 'Own', 50),
  pack(190, 220, 'R', 'Rival', 50),
];

describe('shelf geometry', () => {
  it('groups packs into rows by the shelf they stand on, top row first', () => {
    const placed = assignRows(bay);
    expect(
      placed
        .filter((p) => p.row === 0)
        .map((p) => p.sku)
        .sort(),
    ).toEqual(['A', 'A', 'B', 'B']);
    expect(
      placed
        .filter((p) => p.row === 1)
        .map((p) => p.sku)
        .sort(),
    ).toEqual(['C', 'C', 'C', 'R']);
  });

  it('counts facings and linear width per SKU, and share of shelf per brand by facings and by width', () => {
    const placed = assignRows(bay);
    expect(facingsBySku(placed)[0]).toEqual({ sku: 'C', brand: 'Own', facings: 3, linear_px: 150 });
    const share = shareOfShelf(placed);
    expect(share.find((s) => s.brand === 'Rival')).toEqual({ brand: 'Rival', by_facings: 0.125, by_width: Number((50 / 360).toFixed(3)) });
    expect(share.reduce((n, s) => n + s.by_facings, 0)).toBeCloseTo(1);
  });

  it('keeps unknown packs of a brand read off them apart from packs of no known brand', () => {
    const placed = assignRows([pack(10, 100, 'unknown', 'Own'), pack(60, 100, 'unknown', 'unknown'), pack(110, 100, 'unknown', 'unknown')]);
    expect(facingsBySku(placed)).toEqual([
      { sku: 'unknown', brand: 'unknown', facings: 2, linear_px: 80 },
      { sku: 'unknown', brand: 'Own', facings: 1, linear_px: 40 },
    ]);
    expect(shareOfShelf(placed).map((s) => [s.brand, s.by_facings])).toEqual([
      ['unknown', 0.667],
      ['Own', 0.333],
    ]);
  });

  it('finds the empty slot in a row where the shelf back shows, not the normal spacing between packs', () => {
    const gaps = findGaps(
      assignRows(bay),
      shelfImage(
        260,
        240,
        bay.map((p) => p.box),
      ),
    );
    expect(gaps).toEqual([{ row: 0, bbox: [150, 20, 50, 80] }]);
  });

  it('on a row set out with room between its packs (bottles in a drinks cabinet), finds only the facing that is gone', () => {
    // Bottles 30 px wide, 25 px apart (a real cabinet photo spaced them 0.4–1 bottle apart): spacing wider than the
    // 0.6-bottle minimum, plain back behind it.
    const bottle = (x: number) => pack(x, 100, 'W', 'Own', 30, 90);
    const full = [10, 65, 120, 175, 230].map(bottle);
    const gapsIn = (row: ShelfProduct[]) => {
      const boxes = row.map((p) => p.box);
      return findGaps(assignRows(row), shelfImage(280, 120, boxes));
    };
    expect(gapsIn(full)).toEqual([]);
    expect(gapsIn(full.filter((_, k) => k !== 2))).toEqual([{ row: 0, bbox: [95, 10, 80, 90] }]);
  });

  it('reports no gap where a pack the detector missed stands in the space', () => {
    const missed: Corners = [155, 20, 195, 100];
    const detected = bay.map((p) => p.box);
    expect(findGaps(assignRows(bay), shelfImage(260, 240, [...detected, missed]))).toEqual([]);
  });

  it('takes a price tag with no pack above it as evidence for a faintly printed back', () => {
    // A faint pattern on the back in the slot: too busy for bare shelf, plain next to packs.
    const mixed = shelfImage(
      260,
      240,
      bay.map((p) => p.box),
      [[150, 20, 200, 100]],
    );
    const placed = assignRows(bay);
    expect(findGaps(placed, mixed)).toEqual([]);
    expect(findGaps(placed, mixed, [[155, 104, 195, 112]])).toEqual([{ row: 0, bbox: [150, 20, 50, 80] }]);
  });

  it('reports no gap off the shelf rows: a cluster of boxes on the wall, a row standing below the photo, one box alone', () => {
    const shelf = [pack(10, 100, 'A', 'Own'), pack(60, 100, 'A', 'Own'), pack(110, 100, 'A', 'Own'), pack(160, 100, 'A', 'Own'), pack(210, 100, 'A', 'Own')];
    // Wall boxes over the right end of the bay: the space from the bay's left edge to them is no empty shelf.
    const wall = [pack(160, 170, 'unknown', 'unknown', 30, 40), pack(200, 170, 'unknown', 'unknown', 30, 40)];
    // A row cut by the photo's bottom edge (240 px), with a plain stretch between its packs.
    const cut = [pack(10, 240, 'B', 'Own', 40, 50), pack(150, 240, 'B', 'Own', 40, 50)];
    const lone = [pack(100, 200, 'C', 'Own', 40, 20)];
    const all = [...shelf, ...wall, ...cut, ...lone];
    expect(
      findGaps(
        assignRows(all),
        shelfImage(
          260,
          240,
          all.map((p) => p.box),
        ),
      ),
    ).toEqual([]);
  });

  it('adds the empty facings a model with a gap class boxed, not over packs nor twice', () => {
    const placed = assignRows(bay);
    const found = [{ row: 0, bbox: [150, 20, 50, 80] as [number, number, number, number] }];
    const gaps = detectedGaps(
      placed,
      [
        [152, 22, 198, 99],
        [250, 140, 300, 221],
        [10, 140, 60, 220],
      ],
      found,
    );
    expect(gaps).toEqual([...found, { row: 1, bbox: [250, 140, 50, 81] }]);
  });

  it('scores the bay against its planogram with missing, misplaced and extra SKUs', () => {
    const placed = assignRows(bay);
    const result = planogramCompliance(placed, [
      ['A', 'A', 'B', 'B', 'B'],
      ['C', 'C', 'C', 'D'],
    ]);
    expect(result).toEqual({ score: Number((7 / 9).toFixed(3)), missing: ['D'], misplaced: [], extra: ['R'] });
    const swapped = planogramCompliance(placed, [
      ['C', 'C', 'C'],
      ['A', 'A', 'B', 'B'],
    ]);
    expect(swapped.misplaced).toEqual(['A', 'B', 'C']);
    expect(swapped.score).toBe(0);
  });

  it('does not call a SKU missing where unknown packs stand in its row, enough of them to be it', () => {
    const plan = [
      ['A', 'A', 'B', 'B'],
      ['C', 'C', 'C', 'D'],
    ];
    const unsure = assignRows(bay.map((p) => (p.sku === 'R' ? { ...p, sku: 'unknown', brand: 'unknown' } : p)));
    expect(planogramCompliance(unsure, plan).missing).toEqual([]);
    expect(
      planogramCompliance(unsure, [
        ['A', 'A', 'B', 'B'],
        ['C', 'C', 'C', 'D', 'D'],
      ]).missing,
    ).toEqual(['D']);
  });

  it('measures camera roll from the line the packs stand on', () => {
    const rolled = bay.map((p) => ({
      ...p,
      box: [p.box[0], p.box[1] + p.box[0] * 0.2, p.box[2], p.box[3] + p.box[0] * 0.2] as [number, number, number, number],
    }));
    expect(Math.abs(shelfTiltDeg(bay)!)).toBeLessThan(2);
    expect(shelfTiltDeg(rolled)!).toBeGreaterThan(10);
    expect(tiltReason(assignRows(rolled))).toMatchObject({ code: 'tilted', message_zh: expect.stringMatching(/倾斜/) });
    expect(tiltReason(assignRows(bay))).toBeNull();
  });
});
