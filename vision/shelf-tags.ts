import type { Corners, RgbImage } from './detector.ts';
import { labelPriceLine } from './prices.ts';

/**
 * Price tags found where they are on a real shelf, without the detector: on the shelf-edge strips. A strip is a band
 * of light rows, as wide as the bay, that ends in a sharp step down to the dark under the shelf; a tag is a cluster of
 * dark print (price digits, name, barcode) on it, the plain strip left and right of it. The detector, trained on
 * renders with thin one-line tags, misses the near-square multi-line labels of real stores (a dm label: 1 of 37 found).
 * Runs on the quality gate's grey image (at most 1024 px): a few milliseconds.
 */
export interface GreyImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Rows of a shelf-edge strip, top inclusive, bottom exclusive. */
export interface Band {
  top: number;
  bottom: number;
}

/** Share of a row's pixels that are light (the strip's and the tags' paper), and share that step down to dark below. */
export interface RowProfile {
  light: Float32Array;
  stepDown: Float32Array;
}

// Light: above 3/4 of the photo's paper white (its 95th percentile), so a strip in shade still counts.
const LIGHT_SHARE = 0.75;
// A step down: this many grey levels darker two rows below than two rows above.
const STEP = 40;

export function rowProfile(grey: GreyImage): RowProfile {
  const { data, width, height } = grey;
  const histogram = new Uint32Array(256);
  for (let i = 0; i < data.length; i += 7) histogram[data[i]!]!++;
  let seen = 0;
  let paper = 255;
  const total = Math.ceil(data.length / 7);
  for (let v = 255; v >= 0; v--) {
    seen += histogram[v]!;
    if (seen >= total * 0.05) {
      paper = v;
      break;
    }
  }
  const lightFrom = paper * LIGHT_SHARE;
  const light = new Float32Array(height);
  const stepDown = new Float32Array(height);
  // Every second column: a strip spans the bay, so half the columns say as much for half the time (this runs on every photo).
  const samples = Math.ceil(width / 2);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let lit = 0;
    for (let x = 0; x < width; x += 2) if (data[row + x]! > lightFrom) lit++;
    light[y] = lit / samples;
    if (y < 2 || y + 2 >= height) continue;
    const above = row - 2 * width;
    const below = row + 2 * width;
    let steps = 0;
    for (let x = 0; x < width; x += 2) if (data[above + x]! - data[below + x]! > STEP) steps++;
    stepDown[y] = steps / samples;
  }
  return { light, stepDown };
}

// A strip's rows are mostly light (the tags' print takes some), and its lower edge steps down across most of the bay.
const STRIP_LIGHT = 0.55;
const STRIP_STEP = 0.4;
// A strip is 2–25 % of the photo's height (a whole bay to a close-up of one shelf): thinner is a shelf lip or a line of
// print, taller a wall or a shelf back.
const MIN_STRIP = 0.02;
const MAX_STRIP = 0.25;

/**
 * The shelf-edge strips in a row profile: runs of light rows (a dark row or two inside, the tags' price line, are
 * bridged) that end, within a few rows, on a step down to dark across most of the width.
 */
export function edgeBands(profile: RowProfile): Band[] {
  const { light, stepDown } = profile;
  const height = light.length;
  const bands: Band[] = [];
  const bridge = Math.max(1, Math.round(height * 0.004));
  let y = 0;
  while (y < height) {
    if (light[y]! < STRIP_LIGHT) {
      y++;
      continue;
    }
    const top = y;
    let end = y;
    while (end < height) {
      if (light[end]! >= STRIP_LIGHT) end++;
      else {
        let next = end;
        while (next < height && next - end <= bridge && light[next]! < STRIP_LIGHT) next++;
        if (next < height && next - end <= bridge && light[next]! >= STRIP_LIGHT) end = next;
        else break;
      }
    }
    let step = 0;
    for (let k = Math.max(0, end - 3); k < Math.min(height, end + 4); k++) step = Math.max(step, stepDown[k]!);
    const rows = end - top;
    if (step >= STRIP_STEP && rows >= height * MIN_STRIP && rows <= height * MAX_STRIP) bands.push({ top, bottom: end });
    y = end + 1;
  }
  return bands;
}

/**
 * Runs of inked columns: columns with at least `minInk` dark pixels, joined across gaps of up to `maxGap` columns
 * (between a price's digits, between the name and the price), as [first, last + 1].
 */
export function inkRuns(ink: ArrayLike<number>, minInk: number, maxGap: number): [number, number][] {
  const runs: [number, number][] = [];
  for (let x = 0; x < ink.length; x++) {
    if (ink[x]! < minInk) continue;
    const last = runs[runs.length - 1];
    if (last && x - last[1] <= maxGap) last[1] = x + 1;
    else runs.push([x, x + 1]);
  }
  return runs;
}

// Dark print: under this share of the strip's paper.
const INK_SHARE = 0.55;

/** The strip's paper: the grey level its lightest fifth of pixels reaches. */
function paperOf(grey: GreyImage, band: Band): number {
  const { data, width } = grey;
  const histogram = new Uint32Array(256);
  for (let y = band.top; y < band.bottom; y++) for (let x = 0; x < width; x++) histogram[data[y * width + x]!]!++;
  let seen = 0;
  for (let v = 255; v >= 0; v--) {
    seen += histogram[v]!;
    if (seen >= (band.bottom - band.top) * width * 0.2) return v;
  }
  return 0;
}

/**
 * The print on a strip as a mask over its rows: the dark 8-connected blobs that touch neither the strip's top nor its
 * bottom row. A tag's print sits inside its paper; what touches the strip's edges is something else (the clips and
 * dividers on the shelf lip, a pack hanging over, the dark under the shelf).
 */
export function printMask(grey: GreyImage, band: Band): Uint8Array {
  const { data, width } = grey;
  const rows = band.bottom - band.top;
  const dark = paperOf(grey, band) * INK_SHARE;
  // 0: not dark, 1: dark and not yet seen, 2: kept, 3: dropped.
  const mask = new Uint8Array(rows * width);
  const offset = band.top * width;
  for (let i = 0; i < mask.length; i++) if (data[offset + i]! < dark) mask[i] = 1;
  const blob: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== 1) continue;
    blob.length = 0;
    blob.push(start);
    mask[start] = 2;
    let touches = false;
    for (let n = 0; n < blob.length; n++) {
      const i = blob[n]!;
      const x = i % width;
      const y = (i - x) / width;
      if (y === 0 || y === rows - 1) touches = true;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= rows) continue;
          const j = ny * width + nx;
          if (mask[j] === 1) {
            mask[j] = 2;
            blob.push(j);
          }
        }
    }
    if (touches) for (const i of blob) mask[i] = 3;
  }
  for (let i = 0; i < mask.length; i++) mask[i] = mask[i] === 2 ? 1 : 0;
  return mask;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * The runs of print that are tags, on a strip `rows` high: half to three times as wide as the strip is high (a clip's
 * shadow is narrower, a strip-long promotion banner wider). Tags on one rail are printed alike: pieces of one tag
 * (its name and icons apart from its price, where the barcode between touched the strip's edge) are joined while
 * together they are no wider than the rail's typical tag.
 */
export function tagRuns(runs: [number, number][], rows: number): [number, number][] {
  const plausible = (r: [number, number]) => r[1] - r[0] >= rows * 0.5 && r[1] - r[0] <= rows * 3;
  const whole = runs.filter(plausible);
  if (whole.length === 0) return [];
  const typical = median(whole.map((r) => r[1] - r[0]));
  const joined: [number, number][] = [];
  for (const run of runs) {
    const last = joined[joined.length - 1];
    if (last && run[1] - last[0] <= typical * 1.2) last[1] = run[1];
    else joined.push([run[0], run[1]]);
  }
  return joined.filter(plausible);
}

/**
 * The tag boxes on one strip, in the grey image's pixels: the runs of print as wide as a tag (tagRuns). Tags on one
 * rail hang at one height: every box takes the strip's median top and bottom of print (a tag whose name is printed
 * too light to count keeps its full height).
 */
export function tagsOnBand(grey: GreyImage, band: Band): Corners[] {
  const { width } = grey;
  const rows = band.bottom - band.top;
  const mask = printMask(grey, band);
  const ink = new Uint16Array(width);
  for (let y = 0; y < rows; y++) for (let x = 0; x < width; x++) ink[x]! += mask[y * width + x]!;
  const runs = tagRuns(inkRuns(ink, 2, Math.round(rows * 0.15)), rows);
  if (runs.length === 0) return [];
  const extents = runs.map(([x0, x1]) => {
    let y0 = rows;
    let y1 = 0;
    for (let y = 0; y < rows; y++) {
      let n = 0;
      for (let x = x0; x < x1; x++) n += mask[y * width + x]!;
      if (n >= 2) {
        y0 = Math.min(y0, y);
        y1 = y + 1;
      }
    }
    return [y0, y1] as const;
  });
  // The paper reaches a little past the print.
  const margin = rows * 0.05;
  const top = Math.max(band.top, band.top + median(extents.map((e) => e[0])) - margin);
  const bottom = Math.min(band.bottom, band.top + median(extents.map((e) => e[1])) + margin);
  return runs.map(([x0, x1]): Corners => [Math.max(0, x0 - margin), top, Math.min(width, x1 + margin), bottom]);
}

/** Candidate tag boxes on every shelf-edge strip of the photo, scaled by `scale` (the analysed image's pixels per grey pixel). */
export function shelfEdgeTags(grey: GreyImage, scale: number): Corners[] {
  return edgeBands(rowProfile(grey)).flatMap((band) => tagsOnBand(grey, band).map((b) => b.map((v) => v * scale) as Corners));
}

const overlaps = (a: Corners, b: Corners) => Math.min(a[2], b[2]) > Math.max(a[0], b[0]) && Math.min(a[3], b[3]) > Math.max(a[1], b[1]);

/**
 * Whether a box holds a shelf label as the detector misses them: several lines of print around a price line under
 * 40 % of its height, or cents printed raised. A one-line tag is the detector's to find; one found here is most
 * likely a piece of a price printed along the strip (`22,90` boxed as `2,90`), so it is not read.
 */
export function looksLikeLabel(image: RgbImage, box: Corners): boolean {
  const left = Math.max(0, Math.floor(box[0]));
  const top = Math.max(0, Math.floor(box[1]));
  const width = Math.min(image.width, Math.ceil(box[2])) - left;
  const height = Math.min(image.height, Math.ceil(box[3])) - top;
  if (width < 2 || height < 2) return false;
  return labelPriceLine(image, left, top, width, height) !== null;
}

/**
 * The price tags to read, in the analysed image's pixels (`grey` is the same photo, smaller): the detector's, and the
 * labels on the shelf-edge strips that none of them overlaps (a tag both found is read once, on the detector's box).
 * A detector's tag over two or more labels the strips tell apart gives way to them: real stores' labels stand side by
 * side, and one box over two reads both prices as one number.
 */
export function priceTagsToRead(grey: GreyImage, image: RgbImage, detected: Corners[]): { detected: Corners[]; labels: Corners[] } {
  const candidates = shelfEdgeTags(grey, image.width / grey.width);
  const checked = new Map<Corners, boolean>();
  const isLabel = (c: Corners) => checked.get(c) ?? checked.set(c, looksLikeLabel(image, c)).get(c)!;
  // Looked at only where a tag overlaps two candidates: on most photos each tag holds one, and the look costs.
  const kept = detected.filter((d) => {
    const under = candidates.filter((c) => overlaps(d, c));
    return under.length < 2 || under.filter(isLabel).length < 2;
  });
  return { detected: kept, labels: candidates.filter((c) => !kept.some((d) => overlaps(d, c)) && isLabel(c)) };
}

/**
 * Whether a price read off a shelf-edge label shows its cents (`2,95`, raised `2⁹⁵` read as `295`): a label's price
 * always does, so a bare `22` or `9` is a part of the print, and no price is better than a wrong one.
 */
export function showsCents(read: { text: string; raisedCents: boolean }): boolean {
  return read.raisedCents ? read.text.replace(/\D/g, '').length >= 3 : /\d[.,·]\d{2}(?!\d)/.test(read.text);
}
