import { describe, expect, it } from 'vitest';
import type { Corners } from '../../../vision/detector.ts';
import { dropBackground, foldContained, joinSideParts, joinStackedPanels, packBoxes, type PackBox } from '../../../vision/pack-boxes.ts';
import { regionTexture } from '../../../vision/texture.ts';
import { shelfImage } from '../../support/shelf-image.ts';

const b = (x0: number, y0: number, x1: number, y1: number, score = 0.8): PackBox => ({ box: [x0, y0, x1, y1], score });
const boxes = (list: PackBox[]) => list.map((p) => p.box);

describe('one box per pack', () => {
  it('folds a fragment and a duplicate into the pack that holds them, with the best score', () => {
    const pack = b(100, 100, 140, 180, 0.7);
    const lid = b(101, 100, 139, 125, 0.9);
    const duplicate = b(102, 103, 141, 178, 0.6);
    const neighbour = b(150, 100, 190, 180);
    const kept = foldContained([lid, pack, duplicate, neighbour]);
    expect(boxes(kept)).toEqual([pack.box, neighbour.box]);
    expect(kept[0]!.score).toBe(0.9);
  });

  it('folds a lid boxed with the shelf back above it into its pack, and keeps a whole pack standing on another', () => {
    const pack = b(100, 100, 140, 180, 0.8);
    const lidAndBack = b(101, 85, 139, 125, 0.9);
    expect(boxes(foldContained([pack, lidAndBack]))).toEqual([pack.box]);
    const upper = b(100, 20, 140, 99);
    expect(foldContained([pack, upper])).toHaveLength(2);
  });

  it('keeps a pack that sticks out of a larger box straddling it and its neighbour', () => {
    const straddle = b(40, 90, 150, 185, 0.7);
    const pack = b(100, 100, 160, 180, 0.9);
    expect(boxes(foldContained([straddle, pack]))).toEqual([straddle.box, pack.box]);
  });

  it('keeps the packs and drops a slab box that spans two packs side by side', () => {
    const slab = b(100, 90, 190, 190);
    const left = b(100, 100, 140, 180);
    const right = b(150, 100, 190, 180);
    expect(boxes(foldContained([slab, left, right]))).toEqual([left.box, right.box]);
  });

  it("joins a pack's lid and picture panel stacked in one column when together they are shaped like the row's packs", () => {
    // Whole packs 40 × 80 (h/w 2); one pack came out as a lid (40 × 30) over a picture panel (40 × 48).
    const row = [b(0, 100, 40, 180), b(50, 100, 90, 180), b(150, 100, 190, 180)];
    const lid = b(100, 100, 140, 130);
    const panel = b(100, 132, 140, 180, 0.9);
    const joined = joinStackedPanels([...row, lid, panel]);
    expect(boxes(joined)).toContainEqual([100, 100, 140, 180]);
    expect(joined).toHaveLength(4);
    expect(joined.find((p) => p.box[0] === 100)!.score).toBe(0.9);
  });

  it('leaves two whole packs stacked on each other as two, and packs side by side alone', () => {
    const row = [b(0, 100, 40, 180), b(50, 100, 90, 180), b(150, 100, 190, 180)];
    const upper = b(100, 20, 140, 99);
    const lower = b(100, 100, 140, 180);
    expect(joinStackedPanels([...row, upper, lower])).toHaveLength(5);
    expect(joinStackedPanels(row)).toHaveLength(3);
  });

  it("joins a carton's front and side boxed apart, and leaves neighbours that overlap by their slop", () => {
    // A carton 0..60 came out as its side (0..30) and its front (12..60); the next packs' boxes overlap by 2-4 px.
    const side = b(0, 100, 30, 180, 0.7);
    const front = b(12, 102, 60, 178, 0.9);
    const next = b(58, 100, 100, 180);
    const last = b(96, 100, 140, 180);
    const joined = joinSideParts([side, front, next, last]);
    expect(boxes(joined)).toEqual([[0, 100, 60, 180], next.box, last.box]);
    expect(joined[0]!.score).toBe(0.9);
  });

  it('leaves a box straddling two packs apart from the pack it overlaps most', () => {
    // The box 15..85 lies over most of either pack; joined with one, it would reach over most of the other too.
    const left = b(0, 100, 40, 180);
    const straddle = b(15, 100, 85, 180);
    const right = b(60, 100, 100, 180);
    expect(joinSideParts([left, straddle, right])).toHaveLength(3);
  });

  it('drops a box on plain dark shelf back and keeps the printed packs around it', () => {
    const packs: Corners[] = [
      [10, 20, 50, 100],
      [60, 20, 100, 100],
      [110, 20, 150, 100],
      [210, 20, 250, 100],
    ];
    const texture = shelfImage(260, 120, packs);
    const onBack = b(160, 20, 200, 100, 0.95);
    expect(boxes(dropBackground([...packs.map((p) => ({ box: p, score: 0.8 })), onBack], texture))).toEqual(packs);
    expect(regionTexture(texture, onBack.box)).toEqual({ edges: 0, colourSpread: 0 });
  });

  it('runs the three in order: duplicates, panels, background', () => {
    const packs: Corners[] = [
      [10, 20, 50, 100],
      [60, 20, 100, 100],
      [110, 20, 150, 100],
    ];
    const texture = shelfImage(260, 120, [...packs, [210, 20, 250, 100]]);
    const found = [...packs.map((p) => ({ box: p, score: 0.8 })), b(12, 22, 48, 60), b(210, 20, 250, 52), b(210, 53, 250, 100), b(160, 30, 200, 90)];
    expect(boxes(packBoxes(found, texture))).toEqual([...packs, [210, 20, 250, 100]]);
  });
});
