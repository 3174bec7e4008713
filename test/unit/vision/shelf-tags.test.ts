import { describe, expect, it } from 'vitest';
import type { Corners, RgbImage } from '../../../vision/detector.ts';
import {
  edgeBands,
  type GreyImage,
  inkRuns,
  looksLikeLabel,
  printMask,
  rowProfile,
  priceTagsToRead,
  shelfEdgeTags,
  showsCents,
  tagRuns,
  tagsOnBand,
} from '../../../vision/shelf-tags.ts';

const WIDTH = 400;
const HEIGHT = 400;

/**
 * A grey shelf photo: a light wall (rows 0–129), packs (mid grey with print, rows 130–199), a light shelf-edge strip
 * (rows 200–239) holding two tags' print and a divider clip hanging from its lip, the dark under the shelf below.
 */
function shelfPhoto(): GreyImage {
  const data = new Uint8Array(WIDTH * HEIGHT);
  const fill = (x0: number, y0: number, x1: number, y1: number, v: number) => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * WIDTH + x] = v;
  };
  fill(0, 0, WIDTH, 130, 235);
  fill(0, 130, WIDTH, 200, 120);
  for (let x = 0; x < WIDTH; x += 10) fill(x, 140, x + 4, 190, 30);
  fill(0, 200, WIDTH, 240, 220);
  // Tag one: a name line and big price digits (x 40–80); tag two (x 200–240): price digits only, two apart.
  fill(42, 206, 70, 209, 40);
  fill(50, 212, 58, 232, 20);
  fill(62, 212, 70, 232, 20);
  fill(72, 212, 78, 220, 20);
  fill(204, 212, 214, 232, 20);
  fill(218, 212, 228, 232, 20);
  // A clip on the lip, beside tag two: touches the strip's top row.
  fill(246, 200, 252, 210, 10);
  fill(0, 240, WIDTH, HEIGHT, 40);
  return { data, width: WIDTH, height: HEIGHT };
}

describe('shelf-edge strips', () => {
  it('finds the light strip that steps down to the dark under the shelf, not the wall nor the packs', () => {
    expect(edgeBands(rowProfile(shelfPhoto()))).toEqual([{ top: 200, bottom: 240 }]);
  });

  it('needs the step down to dark: light rows running on below it are no shelf edge', () => {
    const photo = shelfPhoto();
    photo.data.fill(190, 240 * WIDTH);
    expect(edgeBands(rowProfile(photo))).toEqual([]);
  });

  it('takes a band only 2–25 % of the photo high: not a shelf lip, not a wall', () => {
    const light = new Float32Array(100).fill(0);
    const stepDown = new Float32Array(100).fill(0);
    light.fill(0.9, 2, 3);
    stepDown[3] = 0.9;
    light.fill(0.9, 5, 35);
    stepDown[35] = 0.9;
    light.fill(0.9, 40, 60);
    stepDown[60] = 0.9;
    light.fill(0.9, 70, 75);
    stepDown[75] = 0.9;
    expect(edgeBands({ light, stepDown })).toEqual([
      { top: 40, bottom: 60 },
      { top: 70, bottom: 75 },
    ]);
  });
});

describe('tags on a strip', () => {
  it('joins columns of print across small gaps', () => {
    expect(inkRuns([0, 3, 3, 0, 0, 2, 0, 0, 0, 0, 5], 2, 2)).toEqual([
      [1, 6],
      [10, 11],
    ]);
  });

  it('joins the pieces of one tag up to the rail’s typical tag width, and keeps only tag-wide runs', () => {
    // A strip 20 high: tags about 20 wide; one tag in two pieces (100–108, 112–120), a clip (150–152), a banner (200–290).
    const runs: [number, number][] = [
      [10, 30],
      [40, 61],
      [100, 108],
      [112, 120],
      [150, 152],
      [200, 290],
    ];
    expect(tagRuns(runs, 20)).toEqual([
      [10, 30],
      [40, 61],
      [100, 120],
    ]);
  });

  it('drops print that touches the strip edges (clips, the under-shelf)', () => {
    const photo = shelfPhoto();
    const mask = printMask(photo, { top: 200, bottom: 240 });
    expect(mask[(212 - 200) * WIDTH + 52]).toBe(1);
    expect(mask[(205 - 200) * WIDTH + 248]).toBe(0);
  });

  it('boxes each tag to the strip’s common rows of print, the clip left out', () => {
    const boxes = tagsOnBand(shelfPhoto(), { top: 200, bottom: 240 });
    expect(boxes).toHaveLength(2);
    const [one, two] = boxes.map((b) => b.map(Math.round));
    expect(one![0]).toBeLessThanOrEqual(42);
    expect(one![2]).toBeGreaterThanOrEqual(78);
    expect(two![0]).toBeLessThanOrEqual(204);
    // Not stretched to the clip at x 246.
    expect(two![2]).toBeLessThan(240);
    // Both at the same height, tag two taking the rows of tag one's name line.
    expect(two![1]).toBe(one![1]);
    expect(two![3]).toBe(one![3]);
  });

  it('scales the boxes to the analysed image', () => {
    const boxes = shelfEdgeTags(shelfPhoto(), 2);
    expect(boxes).toHaveLength(2);
    expect(boxes[0]![1]).toBeGreaterThanOrEqual(400);
    expect(boxes[0]![3]).toBeLessThanOrEqual(480);
  });
});

/** A white RGB tag 80 × 60 with dark rectangles (x0, y0, x1, y1) printed on it. */
function tag(print: Corners[]): RgbImage {
  const width = 80;
  const height = 60;
  const data = Buffer.alloc(width * height * 3, 240);
  for (const [x0, y0, x1, y1] of print) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data.fill(20, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { data, width, height };
}

describe('what a strip tag must show to be read', () => {
  const box: Corners = [0, 0, 80, 60];

  it('a label: a name line, a price with raised cents, a unit price', () => {
    const label = tag([
      [6, 4, 40, 8],
      [30, 16, 40, 40],
      [44, 16, 54, 40],
      [58, 16, 64, 26],
      [66, 16, 72, 26],
      [6, 48, 50, 52],
    ]);
    expect(looksLikeLabel(label, box)).toBe(true);
  });

  it('not a piece of a price printed along the strip: one line of digits the box’s height', () => {
    const digits = tag([
      [6, 4, 20, 56],
      [26, 4, 40, 56],
      [46, 4, 60, 56],
    ]);
    expect(looksLikeLabel(digits, box)).toBe(false);
  });

  it.each([
    ['2,95', false, true],
    ['4.45€', false, true],
    ['295€', true, true],
    ['2 95', true, true],
    ['22', false, false],
    ['9', true, false],
    ['2,9', false, false],
  ])('%s (raised cents: %s) shows its cents: %s', (text, raisedCents, expected) => expect(showsCents({ text, raisedCents })).toBe(expected));
});

describe('which tags are read', () => {
  /**
   * A wall, packs, a shelf-edge strip (rows 200–259) holding two labels side by side (a name line, the price, raised
   * cents, a unit-price line), the dark under the shelf; in grey and RGB.
   */
  function twoLabels(): { grey: GreyImage; image: RgbImage } {
    const grey = new Uint8Array(WIDTH * HEIGHT);
    const fill = (x0: number, y0: number, x1: number, y1: number, v: number) => {
      for (let y = y0; y < y1; y++) grey.fill(v, y * WIDTH + x0, y * WIDTH + x1);
    };
    fill(0, 0, WIDTH, 130, 235);
    fill(0, 130, WIDTH, 200, 120);
    fill(0, 200, WIDTH, 260, 220);
    fill(0, 260, WIDTH, HEIGHT, 40);
    for (const left of [40, 120]) {
      fill(left + 2, 206, left + 34, 209, 40);
      fill(left + 10, 214, left + 18, 226, 20);
      fill(left + 22, 214, left + 30, 226, 20);
      fill(left + 32, 214, left + 34, 220, 20);
      fill(left + 36, 214, left + 38, 220, 20);
      fill(left + 2, 236, left + 30, 239, 40);
    }
    const data = Buffer.alloc(WIDTH * HEIGHT * 3);
    grey.forEach((v, i) => data.fill(v, i * 3, i * 3 + 3));
    return { grey: { data: grey, width: WIDTH, height: HEIGHT }, image: { data, width: WIDTH, height: HEIGHT } };
  }

  it('reads the labels on the strip that no detected tag covers', () => {
    const { grey, image } = twoLabels();
    const { detected, labels } = priceTagsToRead(grey, image, []);
    expect(detected).toEqual([]);
    expect(labels.map((b) => Math.round(b[0]))).toEqual([expect.closeTo(40, -1), expect.closeTo(120, -1)]);
  });

  it('keeps a detected tag over one label, and reads that label once, on the detector’s box', () => {
    const { grey, image } = twoLabels();
    const one: Corners = [36, 202, 82, 242];
    const { detected, labels } = priceTagsToRead(grey, image, [one]);
    expect(detected).toEqual([one]);
    expect(labels).toHaveLength(1);
    expect(labels[0]![0]).toBeGreaterThan(100);
  });

  it('gives a detected tag over two labels up for the two: one box over both would read their prices as one number', () => {
    const { grey, image } = twoLabels();
    const { detected, labels } = priceTagsToRead(grey, image, [[36, 202, 162, 242]]);
    expect(detected).toEqual([]);
    expect(labels).toHaveLength(2);
  });
});
