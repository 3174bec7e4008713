import type { Corners } from './detector.ts';
import { inner, regionTexture, type TextureMap } from './texture.ts';

/**
 * One box per pack. A detector that has not seen real shelves boxes parts of a pack (its lid, its picture panel),
 * the same pack twice, or a stretch of dark shelf back; these rules, by the geometry of the row, fold the parts into
 * the pack that holds them and drop the boxes that hold no pack.
 */
export interface PackBox {
  box: Corners;
  score: number;
}

export interface PackBoxOptions {
  /** A box this much inside another of about its size (intersection / its own area) is the same pack again. */
  containment?: number;
  /** ...of about its size: its area at least this share of the other's. */
  duplicateArea?: number;
  /** A smaller box this much inside another is a part of that pack: a part lies within its pack. */
  partContainment?: number;
  /** Stacked panels are merged when their union's height/width is within this factor of the row's packs. */
  aspectTolerance?: number;
  /** Two boxes side by side on one band are two faces of one pack when this share of the narrower lies over the other. */
  sideOverlap?: number;
  /** A box whose edges and colour spread are both below these shares of its row's packs is shelf back. */
  backgroundEdges?: number;
  backgroundColour?: number;
}

const DEFAULTS: Required<PackBoxOptions> = {
  containment: 0.6,
  duplicateArea: 0.65,
  partContainment: 0.85,
  aspectTolerance: 1.3,
  sideOverlap: 0.5,
  backgroundEdges: 0.3,
  backgroundColour: 0.4,
};

/** A box's area, 0 for an empty one (an intersection that is none). */
export const boxArea = (b: Corners) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
const width = (b: Corners) => b[2] - b[0];
const height = (b: Corners) => b[3] - b[1];
const overlapX = (a: Corners, b: Corners) => Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
const overlapY = (a: Corners, b: Corners) => Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
/** The area two boxes share, 0 when they do not meet. */
export const intersectionArea = (a: Corners, b: Corners) => overlapX(a, b) * overlapY(a, b);
const union = (a: Corners, b: Corners): Corners => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
};
const quantile = (values: number[], q: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
};

/** Share of `small` inside `big`. */
export const containedShare = (small: Corners, big: Corners) => (boxArea(small) === 0 ? 0 : intersectionArea(small, big) / boxArea(small));

/**
 * Folds boxes inside another box into it. A box mostly inside another of about its size is the same pack seen twice:
 * the better-scored one stays. A box well within a much larger one is a part of that pack (its lid, its picture
 * panel) and goes, lending the pack its score; one that sticks out of it is not (a whole pack under a box straddling
 * two). A box much wider than the packs of its band that holds two boxes side
 * by side is a slab over several packs: it goes and the packs stay.
 */
export function foldContained(boxes: PackBox[], options: PackBoxOptions = {}): PackBox[] {
  const { containment, duplicateArea, partContainment } = { ...DEFAULTS, ...options };
  const inside = (i: number, j: number, share = containment) =>
    i !== j && boxArea(boxes[i]!.box) <= boxArea(boxes[j]!.box) && containedShare(boxes[i]!.box, boxes[j]!.box) >= share;
  const similar = (i: number, j: number) => boxArea(boxes[i]!.box) >= duplicateArea * boxArea(boxes[j]!.box);
  // A part may also stick out of its pack at the top or bottom (a lid boxed with some shelf back): in the pack's
  // column, mostly inside it, and at most half its size.
  const inColumn = (i: number, j: number) =>
    overlapX(boxes[i]!.box, boxes[j]!.box) >= 0.9 * width(boxes[i]!.box) && boxArea(boxes[i]!.box) <= 0.5 * boxArea(boxes[j]!.box);
  const partOf = (i: number, j: number) => !similar(i, j) && (inside(i, j, partContainment) || (inside(i, j) && inColumn(i, j)));
  const slab = boxes.map((outer, j) => {
    const band = boxes.filter((b, i) => i !== j && overlapY(b.box, outer.box) >= 0.5 * Math.min(height(b.box), height(outer.box)));
    if (band.length < 2 || width(outer.box) < 1.6 * median(band.map((b) => width(b.box)))) return false;
    const held = boxes.map((_, i) => i).filter((i) => inside(i, j) && width(boxes[i]!.box) < width(outer.box) * 0.75);
    // Two held boxes that barely share any width stand side by side.
    return held.some((a) => held.some((b) => a < b && overlapX(boxes[a]!.box, boxes[b]!.box) < 0.3 * Math.min(width(boxes[a]!.box), width(boxes[b]!.box))));
  });
  // Duplicates first, best score first; then parts of the packs that remain.
  const order = boxes
    .map((_, i) => i)
    .filter((i) => !slab[i])
    .sort((a, b) => boxes[b]!.score - boxes[a]!.score);
  const distinct: number[] = [];
  for (const i of order) if (!distinct.some((j) => (inside(i, j) && similar(i, j)) || (inside(j, i) && similar(j, i)))) distinct.push(i);
  const packs = distinct.filter((i) => !distinct.some((j) => partOf(i, j)));
  return packs
    .sort((a, b) => a - b)
    .map((j) => ({ box: boxes[j]!.box, score: Math.max(boxes[j]!.score, ...distinct.filter((i) => partOf(i, j)).map((i) => boxes[i]!.score)) }));
}

/**
 * Joins panels of one pack stacked in one column (a cigarette pack's lid over its picture panel): same x-span,
 * touching vertically, and together shaped like the whole packs around them, when apart they are not. Two whole
 * packs stacked on each other stay two: their union is twice as tall as a pack.
 */
export function joinStackedPanels(boxes: PackBox[], tolerance = DEFAULTS.aspectTolerance): PackBox[] {
  const out = boxes.map((b) => ({ ...b }));
  for (;;) {
    let best: { a: number; b: number; miss: number } | undefined;
    for (let a = 0; a < out.length; a++)
      for (let b = 0; b < out.length; b++) {
        const [top, bottom] = [out[a]!.box, out[b]!.box];
        if (a === b || top[1] > bottom[1]) continue;
        const narrow = Math.min(width(top), width(bottom));
        if (overlapX(top, bottom) < 0.8 * Math.max(width(top), width(bottom)) || narrow < 0.75 * Math.max(width(top), width(bottom))) continue;
        const between = bottom[1] - top[3];
        if (between > 0.15 * Math.min(height(top), height(bottom)) || between < -0.25 * Math.min(height(top), height(bottom))) continue;
        const joined = union(top, bottom);
        const typical = typicalAspect(out, joined, [a, b]);
        if (typical === undefined) continue;
        const miss = (box: Corners) => Math.abs(Math.log(height(box) / width(box) / typical));
        const joinedMiss = miss(joined);
        if (joinedMiss > Math.log(tolerance) || joinedMiss >= miss(top) || joinedMiss >= miss(bottom)) continue;
        if (!best || joinedMiss < best.miss) best = { a, b, miss: joinedMiss };
      }
    if (!best) return out;
    const merged = { box: union(out[best.a]!.box, out[best.b]!.box), score: Math.max(out[best.a]!.score, out[best.b]!.score) };
    out.splice(Math.max(best.a, best.b), 1);
    out.splice(Math.min(best.a, best.b), 1, merged);
  }
}

/**
 * Joins two faces of one pack boxed side by side (a carton's front and its side, the two halves of a wide bag): on
 * one band, with more than `overlap` of the narrower box's width over the other. Boxes of neighbouring packs overlap
 * by their slop only. The join is refused when it would reach over most of a third box of the band: the wider box
 * then straddles two packs, and the packs stay as they are.
 */
export function joinSideParts(boxes: PackBox[], overlap = DEFAULTS.sideOverlap): PackBox[] {
  const out = boxes.map((b) => ({ ...b }));
  const sameBand = (a: Corners, b: Corners) => overlapY(a, b) >= 0.7 * Math.min(height(a), height(b));
  for (;;) {
    let best: { a: number; b: number; share: number } | undefined;
    for (let a = 0; a < out.length; a++)
      for (let b = a + 1; b < out.length; b++) {
        const [p, q] = [out[a]!.box, out[b]!.box];
        if (!sameBand(p, q)) continue;
        const share = overlapX(p, q) / Math.min(width(p), width(q));
        if (share <= overlap || (best && share <= best.share)) continue;
        const joined = union(p, q);
        if (out.some((o, k) => k !== a && k !== b && sameBand(o.box, joined) && overlapX(o.box, joined) > 0.5 * width(o.box))) continue;
        best = { a, b, share };
      }
    if (!best) return out;
    const merged = { box: union(out[best.a]!.box, out[best.b]!.box), score: Math.max(out[best.a]!.score, out[best.b]!.score) };
    out.splice(best.b, 1);
    out.splice(best.a, 1, merged);
  }
}

/**
 * Height/width of a whole pack on the shelf band of `around`: the upper quartile over the boxes that share its band
 * (fragments are always flatter than their pack, so the tall end is the whole packs); undefined with fewer than
 * three such boxes.
 */
function typicalAspect(boxes: PackBox[], around: Corners, except: number[]): number | undefined {
  const band = boxes.filter((b, i) => !except.includes(i) && overlapY(b.box, around) >= 0.5 * Math.min(height(b.box), height(around)));
  if (band.length < 3) return undefined;
  return quantile(
    band.map((b) => height(b.box) / width(b.box)),
    0.75,
  );
}

/**
 * Drops boxes on featureless background (a dark shelf back, a bare wall): both their edge density and their colour
 * spread far below the packs, taken as the busier of the boxes that share the box's shelf band and of all the
 * photo's boxes (a band may be all wall).
 */
export function dropBackground(boxes: PackBox[], texture: TextureMap, options: PackBoxOptions = {}): PackBox[] {
  const { backgroundEdges, backgroundColour } = { ...DEFAULTS, ...options };
  const stats = boxes.map((b) => regionTexture(texture, inner(b.box)));
  const all = stats.filter((s) => s !== null);
  const photoEdges = median(all.map((s) => s.edges));
  const photoColour = median(all.map((s) => s.colourSpread));
  return boxes.filter((b, i) => {
    const own = stats[i];
    if (!own) return false;
    const band = stats.filter((s, j) => s && j !== i && overlapY(boxes[j]!.box, b.box) >= 0.5 * Math.min(height(boxes[j]!.box), height(b.box)));
    const edges = Math.max(photoEdges, median(band.map((s) => s!.edges)));
    const colour = Math.max(photoColour, median(band.map((s) => s!.colourSpread)));
    return !(own.edges < backgroundEdges * edges && own.colourSpread < backgroundColour * colour);
  });
}

/** In order: fold duplicates and fragments, join faces side by side and stacked panels, drop background. */
export function packBoxes(boxes: PackBox[], texture: TextureMap | null, options: PackBoxOptions = {}): PackBox[] {
  const folded = joinStackedPanels(joinSideParts(foldContained(boxes, options), options.sideOverlap), options.aspectTolerance);
  // Joining two parts can make a box that holds a third: fold once more.
  const whole = foldContained(folded, options);
  return texture ? dropBackground(whole, texture, options) : whole;
}
