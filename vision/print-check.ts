import { createRequire } from 'node:module';
import sharp from 'sharp';
import type { Corners, RgbImage } from './detector.ts';

/**
 * The print check: a pack's print laid over a reference image and compared region by region. Sibling variants (Wheat
 * Thins Original and Hint of Salt, dm's juices) share a layout, a logo and most of their colours, so the look (a
 * coarse colour grid of the whole pack, recognize.ts) scores them close; they differ where the variant is printed (the
 * flavour band, the fruit in the picture). Keypoints (ORB) matched between the two and a homography (RANSAC) align
 * the pack onto the reference; the aligned colours are then compared cell by cell, and the cells that differ most say
 * whether this is the same print: a sibling's band or picture stands out where the whole-pack grid averaged it away.
 */

/** A pack's or a reference's print: its pixels at print scale and its keypoints. Plain data, kept across photos. */
export interface Print {
  /** The print's size, in the pixels its keypoints are given in. */
  width: number;
  height: number;
  /** Its colours, smaller (COLOUR_HEIGHT): the comparison grid's cells need no more. */
  colour: { width: number; height: number; rgb: Uint8Array };
  /** Keypoint positions, x then y. */
  points: Float32Array;
  /** ORB descriptors, 32 bytes a keypoint. */
  descriptors: Uint8Array;
}

/** How a pack's print compares with a reference's: `null` when the two cannot be aligned (too few matching keypoints). */
export interface PrintComparison {
  /** Keypoint matches consistent with one homography. */
  inliers: number;
  /** The 90th percentile of the aligned cells' colour distance (RGB, 0..441): low for the same print, high where a region differs. */
  difference: number;
}

/** Prints are compared at most this tall: a pack on a dense shelf is 100–250 px tall in the analysed image. */
export const PRINT_HEIGHT = 256;
/** Height of a print's colours, px (the comparison grid has 12 rows: 8 px a row). */
const COLOUR_HEIGHT = 128;
/** Keypoints a print keeps (ORB's strongest). */
const KEYPOINTS = 400;
/** Fewer consistent matches than this and the two prints are not aligned (small bottles, plain packs). */
export const MIN_INLIERS = 30;
/** Cells of the comparison grid over the reference, across × down. */
const CELLS_X = 8;
const CELLS_Y = 12;
/** Lowe's ratio test: a match is kept when clearly nearer than the next. */
const RATIO = 0.8;
/**
 * A pack's box frames the pack, so a keypoint's match lies near the same place on the reference (as a share of its
 * width and height): only keypoints this near are compared, which is both faster and keeps repeated print (a logo
 * printed twice) from matching the wrong copy.
 */
const GATE_X = 0.15;
const GATE_Y = 0.12;
/** The gating grid over the reference, cells across and down. */
const BUCKETS = 8;
/** RANSAC reprojection error, print pixels. */
const REPROJECTION = 6;
/**
 * RANSAC tries at most this many homographies: enough to find one with 99 % confidence where a third of the matches
 * agree (~570), where OpenCV's 2,000 cost ~70 ms on prints that do not match at all.
 */
const RANSAC_ITERATIONS = 600;

// biome-ignore lint/suspicious/noExplicitAny: opencv.js ships no usable types for its Emscripten module.
type Cv = any;
let loading: Promise<{ cv: Cv }> | null = null;
let ready: Cv = null;

/**
 * OpenCV's WebAssembly build (13 MB of JavaScript), loaded once a thread and only when prints are checked (~0.3 s).
 * Its module is a thenable that calls back with itself, so it is required rather than imported (an import's namespace
 * would carry its `then`, and awaiting it never ends) and only ever handed on wrapped, for the same reason.
 */
function loadOpenCv(): Promise<{ cv: Cv }> {
  loading ??= new Promise((resolve) => {
    const module = createRequire(import.meta.url)('@techstark/opencv-js');
    const done = (cv: Cv) => {
      ready = cv;
      resolve({ cv });
    };
    if (module.Mat) done(module);
    else module.then(done);
  });
  return loading;
}

/** The print of a reference image (a pack shot or a crop). */
export async function printOfImage(image: Buffer): Promise<Print> {
  const { data, info } = await sharp(image)
    .resize({ height: PRINT_HEIGHT, withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return printFrom((await loadOpenCv()).cv, { data, width: info.width, height: info.height }, [0, 0, info.width, info.height]);
}

/** The prints of regions of one image (each scaled down to PRINT_HEIGHT), with OpenCV loaded once. */
export async function printsOf(image: RgbImage, boxes: readonly Corners[]): Promise<Print[]> {
  const { cv: ocv } = await loadOpenCv();
  return boxes.map((box) => printFrom(ocv, image, box));
}

function printFrom(ocv: Cv, image: RgbImage, box: Corners): Print {
  const left = Math.max(0, Math.floor(box[0]));
  const top = Math.max(0, Math.floor(box[1]));
  const width = Math.max(1, Math.min(image.width, Math.ceil(box[2])) - left);
  const height = Math.max(1, Math.min(image.height, Math.ceil(box[3])) - top);
  const scale = Math.min(1, PRINT_HEIGHT / height);
  const [w, h] = [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
  const crop = new ocv.Mat(height, width, ocv.CV_8UC3);
  const rgb = new ocv.Mat();
  const small = new ocv.Mat();
  const grey = new ocv.Mat();
  const noMask = new ocv.Mat();
  const keypoints = new ocv.KeyPointVector();
  const descriptors = new ocv.Mat();
  const orb = new ocv.ORB(KEYPOINTS);
  try {
    for (let y = 0; y < height; y++) {
      const from = ((top + y) * image.width + left) * 3;
      crop.data.set(image.data.subarray(from, from + width * 3), y * width * 3);
    }
    if (scale < 1) ocv.resize(crop, rgb, new ocv.Size(w, h), 0, 0, ocv.INTER_AREA);
    else crop.copyTo(rgb);
    ocv.cvtColor(rgb, grey, ocv.COLOR_RGB2GRAY);
    orb.detectAndCompute(grey, noMask, keypoints, descriptors);
    const points = new Float32Array(keypoints.size() * 2);
    for (let i = 0; i < keypoints.size(); i++) {
      const { pt } = keypoints.get(i);
      points[i * 2] = pt.x;
      points[i * 2 + 1] = pt.y;
    }
    const colourSize = new ocv.Size(Math.max(1, Math.round((w * Math.min(h, COLOUR_HEIGHT)) / h)), Math.min(h, COLOUR_HEIGHT));
    ocv.resize(rgb, small, colourSize, 0, 0, ocv.INTER_AREA);
    const colour = { width: colourSize.width, height: colourSize.height, rgb: Uint8Array.from(small.data) };
    return { width: w, height: h, colour, points, descriptors: Uint8Array.from(descriptors.data) };
  } finally {
    for (const m of [crop, rgb, small, grey, noMask, keypoints, descriptors, orb]) m.delete();
  }
}

/** Compares a pack's print with a reference's (OpenCV must be loaded: printsOf or printOfImage ran first). */
export function comparePrints(pack: Print, reference: Print): PrintComparison | null {
  const ocv = ready;
  const [a, b] = [pack.points.length / 2, reference.points.length / 2];
  if (a < MIN_INLIERS || b < MIN_INLIERS) return null;
  const mats: Cv[] = [];
  const keep = <T>(m: T) => {
    mats.push(m);
    return m;
  };
  try {
    const { from, to } = matchKeypoints(pack, reference);
    if (from.length / 2 < MIN_INLIERS) return null;
    const inlierMask = keep(new ocv.Mat());
    const homography = keep(
      ocv.findHomography(
        keep(ocv.matFromArray(from.length / 2, 1, ocv.CV_32FC2, from)),
        keep(ocv.matFromArray(to.length / 2, 1, ocv.CV_32FC2, to)),
        ocv.RANSAC,
        REPROJECTION,
        inlierMask,
        RANSAC_ITERATIONS,
        0.99,
      ),
    );
    let inliers = 0;
    for (let i = 0; i < inlierMask.rows; i++) if (inlierMask.data[i]) inliers++;
    if (inliers < MIN_INLIERS || homography.empty()) return null;
    // The homography maps print pixels; the colours are compared at colour scale: scale out of the pack's, into the reference's.
    const [into, outOf] = [reference.colour, pack.colour];
    const h = homography.data64F as Float64Array;
    const [sx, sy] = [into.width / reference.width, into.height / reference.height];
    const [ux, uy] = [pack.width / outOf.width, pack.height / outOf.height];
    const colourHomography = keep(
      ocv.matFromArray(3, 3, ocv.CV_64F, [
        sx * h[0]! * ux,
        sx * h[1]! * uy,
        sx * h[2]!,
        sy * h[3]! * ux,
        sy * h[4]! * uy,
        sy * h[5]!,
        h[6]! * ux,
        h[7]! * uy,
        h[8]!,
      ]),
    );
    const size = new ocv.Size(into.width, into.height);
    const packColour = keep(new ocv.Mat(outOf.height, outOf.width, ocv.CV_8UC3));
    packColour.data.set(outOf.rgb);
    const laid = keep(new ocv.Mat());
    ocv.warpPerspective(packColour, laid, colourHomography, size, ocv.INTER_LINEAR, ocv.BORDER_CONSTANT, new ocv.Scalar(0, 0, 0));
    const covered = keep(new ocv.Mat());
    ocv.warpPerspective(keep(new ocv.Mat(outOf.height, outOf.width, ocv.CV_8UC1, new ocv.Scalar(255))), covered, colourHomography, size, ocv.INTER_NEAREST);
    return { inliers, difference: cellDifference(laid.data, reference, covered.data) };
  } finally {
    for (const m of mats) m.delete();
  }
}

/** Bits set in a 32-bit word. */
function popcount(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** The pack's keypoints matched to the reference's: nearest by Hamming distance among those near the same place, kept when clearly nearer than the next. */
function matchKeypoints(pack: Print, reference: Print): { from: number[]; to: number[] } {
  const a = new Uint32Array(pack.descriptors.buffer, pack.descriptors.byteOffset, pack.descriptors.length / 4);
  const b = new Uint32Array(reference.descriptors.buffer, reference.descriptors.byteOffset, reference.descriptors.length / 4);
  const buckets: number[][] = Array.from({ length: BUCKETS * BUCKETS }, () => []);
  const bucketOf = (v: number) => Math.min(BUCKETS - 1, Math.max(0, Math.floor(v * BUCKETS)));
  for (let j = 0; j < reference.points.length / 2; j++) {
    buckets[bucketOf(reference.points[j * 2 + 1]! / reference.height) * BUCKETS + bucketOf(reference.points[j * 2]! / reference.width)]!.push(j);
  }
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < pack.points.length / 2; i++) {
    const [x, y] = [pack.points[i * 2]! / pack.width, pack.points[i * 2 + 1]! / pack.height];
    let best = Number.POSITIVE_INFINITY;
    let next = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let by = bucketOf(y - GATE_Y); by <= bucketOf(y + GATE_Y); by++) {
      for (let bx = bucketOf(x - GATE_X); bx <= bucketOf(x + GATE_X); bx++) {
        for (const j of buckets[by * BUCKETS + bx]!) {
          if (Math.abs(reference.points[j * 2]! / reference.width - x) > GATE_X || Math.abs(reference.points[j * 2 + 1]! / reference.height - y) > GATE_Y)
            continue;
          const [p, q] = [i * 8, j * 8];
          const d =
            popcount(a[p]! ^ b[q]!) +
            popcount(a[p + 1]! ^ b[q + 1]!) +
            popcount(a[p + 2]! ^ b[q + 2]!) +
            popcount(a[p + 3]! ^ b[q + 3]!) +
            popcount(a[p + 4]! ^ b[q + 4]!) +
            popcount(a[p + 5]! ^ b[q + 5]!) +
            popcount(a[p + 6]! ^ b[q + 6]!) +
            popcount(a[p + 7]! ^ b[q + 7]!);
          if (d < best) {
            next = best;
            best = d;
            at = j;
          } else if (d < next) next = d;
        }
      }
    }
    if (at >= 0 && best < RATIO * next) {
      from.push(pack.points[i * 2]!, pack.points[i * 2 + 1]!);
      to.push(reference.points[at * 2]!, reference.points[at * 2 + 1]!);
    }
  }
  return { from, to };
}

/**
 * The 90th percentile of the colour distance between the laid pack and the reference, over the grid cells the pack
 * covers, after matching the pack's exposure to the reference's (channel gains over the covered area).
 */
function cellDifference(laid: Uint8Array, reference: Print, covered: Uint8Array): number {
  const { width, height, rgb } = reference.colour;
  const cells = CELLS_X * CELLS_Y;
  const sums = new Float64Array(cells * 6);
  const counts = new Float64Array(cells);
  for (let y = 0; y < height; y++) {
    const row = Math.min(CELLS_Y - 1, Math.floor((y * CELLS_Y) / height)) * CELLS_X;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!covered[i]) continue;
      const c = row + Math.min(CELLS_X - 1, Math.floor((x * CELLS_X) / width));
      for (let k = 0; k < 3; k++) {
        sums[c * 6 + k]! += laid[i * 3 + k]!;
        sums[c * 6 + 3 + k]! += rgb[i * 3 + k]!;
      }
      counts[c]! += 1;
    }
  }
  const totals = new Float64Array(6);
  for (let c = 0; c < cells; c++) for (let k = 0; k < 6; k++) totals[k]! += sums[c * 6 + k]!;
  const gains = [0, 1, 2].map((k) => totals[3 + k]! / Math.max(1, totals[k]!));
  // A cell counts when the pack covers at least half of it.
  const full = (width * height) / cells / 2;
  const distances: number[] = [];
  for (let c = 0; c < cells; c++) {
    const n = counts[c]!;
    if (n < full) continue;
    let d2 = 0;
    for (let k = 0; k < 3; k++) d2 += ((sums[c * 6 + k]! * gains[k]!) / n - sums[c * 6 + 3 + k]! / n) ** 2;
    distances.push(Math.sqrt(d2));
  }
  if (distances.length === 0) return Number.POSITIVE_INFINITY;
  distances.sort((x, y) => x - y);
  return distances[Math.floor(distances.length * 0.9)]!;
}
