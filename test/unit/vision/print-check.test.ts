import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecognitionCatalogue } from '../../../vision/catalogue.ts';
import type { Corners, RgbImage } from '../../../vision/detector.ts';
import { comparePrints, MIN_INLIERS, printOfImage, printsOf } from '../../../vision/print-check.ts';
import { fusePack, PackRecognizer, THRESHOLDS, type AppearanceMatch } from '../../../vision/recognize.ts';

/**
 * Two sibling variants as a cracker brand prints them: the same box, logo, crackers and small print; only the flavour
 * band differs (brown "original", blue "hint of salt"), a sixth of the front. A whole-pack colour grid scores such
 * siblings close; the print check must tell them apart, on a shelf photo (tilted, blurred, darker, JPEG).
 */
const W = 150;
const H = 220;
const variants = { original: { band: '#6b3d1c', word: 'original' }, salt: { band: '#1f5fb4', word: 'hint of salt' } };
type Variant = keyof typeof variants;

const packSvg = (v: Variant, x: number, y: number, tilt = 0) => {
  const { band, word } = variants[v];
  const crackers = Array.from({ length: 12 }, (_, i) => {
    const [cx, cy] = [x + 30 + (i % 4) * 30, y + 140 + Math.floor(i / 4) * 16];
    return `<rect x="${cx - 12}" y="${cy - 6}" width="24" height="12" fill="#c89a52" stroke="#7a5424" transform="rotate(${((i * 17) % 30) - 15} ${cx} ${cy})"/>`;
  }).join('');
  return (
    `<g transform="rotate(${tilt} ${x + W / 2} ${y + H / 2})">` +
    `<rect x="${x}" y="${y}" width="${W}" height="${H}" fill="#e8b923"/>` +
    `<path d="M${x} ${y} l26 0 l-26 22 z" fill="#c0262d"/>` +
    `<text x="${x + W / 2}" y="${y + 22}" font-family="DejaVu Sans" font-size="9" fill="#3b2a10" text-anchor="middle">100% WHOLE GRAIN · 22g per serving</text>` +
    `<text x="${x + W / 2}" y="${y + 56}" font-family="DejaVu Sans" font-weight="bold" font-size="30" fill="#163a7a" text-anchor="middle">WHEAT</text>` +
    `<text x="${x + W / 2}" y="${y + 86}" font-family="DejaVu Sans" font-weight="bold" font-size="30" fill="#163a7a" text-anchor="middle">THINS</text>` +
    `<rect x="${x + 18}" y="${y + 96}" width="${W - 36}" height="30" rx="6" fill="${band}"/>` +
    `<text x="${x + W / 2}" y="${y + 117}" font-family="DejaVu Sans" font-style="italic" font-size="15" fill="#fff" text-anchor="middle">${word}</text>` +
    crackers +
    `<text x="${x + 8}" y="${y + 206}" font-family="DejaVu Sans" font-size="8" fill="#3b2a10">NET WT 8.5 OZ (241g) · 140 CAL</text>` +
    '</g>'
  );
};

const packShot = (v: Variant) =>
  sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${packSvg(v, 0, 0)}</svg>`))
    .png()
    .toBuffer();

/** Both variants on a shelf, tilted a little, a little blurred, darker than the pack shots, as a phone's JPEG. */
async function shelf(): Promise<{ image: RgbImage; boxes: Corners[] }> {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="420" height="300"><rect width="420" height="300" fill="#3a3a38"/>` +
    `${packSvg('original', 30, 40, -2)}${packSvg('salt', 220, 42, 1.5)}</svg>`;
  const jpeg = await sharp(Buffer.from(svg)).blur(0.7).modulate({ brightness: 0.8 }).jpeg({ quality: 80 }).toBuffer();
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    image: { data, width: info.width, height: info.height },
    boxes: [
      [24, 34, 186, 266],
      [212, 36, 378, 268],
    ],
  };
}

/** Both variants registered as a chain registers them, with pack shots of the variants named. */
async function wheatThins(shot: Variant[]): Promise<RecognitionCatalogue> {
  const skus: [string, Variant, string][] = [
    ['WT-ORIG', 'original', 'Wheat Thins Original'],
    ['WT-SALT', 'salt', 'Wheat Thins Hint of Salt'],
  ];
  return {
    products: await Promise.all(
      skus.map(async ([sku, variant, name]) => ({
        sku,
        brand: 'Wheat Thins',
        name,
        aliases: [],
        own: true,
        references: shot.includes(variant) ? [{ id: variant, image: await packShot(variant) }] : [],
      })),
    ),
  };
}

let photo: { image: RgbImage; boxes: Corners[] };
beforeAll(async () => {
  photo = await shelf();
});

describe('the print check', () => {
  it('lays a pack on its own pack shot (same print) and tells its sibling by the band', async () => {
    const [original, salt] = [await printOfImage(await packShot('original')), await printOfImage(await packShot('salt'))];
    const [onShelf] = await printsOf(photo.image, [photo.boxes[0]!]);
    const same = comparePrints(onShelf!, original)!;
    const sibling = comparePrints(onShelf!, salt)!;
    expect(same.inliers).toBeGreaterThanOrEqual(MIN_INLIERS);
    expect(same.difference).toBeLessThan(THRESHOLDS.printDiffers);
    // The sibling aligns too (same box and logo) but differs where its band is.
    expect(sibling.difference - same.difference).toBeGreaterThanOrEqual(THRESHOLDS.printLead);
  });

  it('cannot align a plain print and says so, rather than guessing', async () => {
    const plain = await sharp({ create: { width: W, height: H, channels: 3, background: '#e8b923' } })
      .png()
      .toBuffer();
    expect(comparePrints(await printOfImage(plain), await printOfImage(await packShot('original')))).toBeNull();
  });

  it('names each sibling on the shelf where the look leaves them close', async () => {
    const recognizer = await PackRecognizer.create(await wheatThins(['original', 'salt']));
    // These renders' looks are far enough apart to need no check: the tie is widened so that every pack is checked.
    const { matches } = await recognizer.matchPacks(photo.image, photo.boxes, { ...THRESHOLDS, printTie: 1 });
    expect(matches.map((m) => m?.print?.sku)).toEqual(['WT-ORIG', 'WT-SALT']);
    expect(recognizer.decidePhoto([new Float32Array(1), new Float32Array(1)], matches, [[], []]).map((r) => r.sku)).toEqual(['WT-ORIG', 'WT-SALT']);
  });

  it("says a pack is none of its brand's pack shots when its band differs: a variant without a pack shot stays unknown", async () => {
    // Only Hint of Salt has a pack shot; Original is registered without one.
    const recognizer = await PackRecognizer.create(await wheatThins(['salt']));
    const { matches } = await recognizer.matchPacks(photo.image, photo.boxes);
    // Checked where the look alone would name Hint of Salt; a look that is not sure is unknown anyway.
    if (recognizer.sureByAppearance({ ...matches[0]!, print: undefined })) expect(matches[0]!.print).toEqual({ sku: null });
    expect(recognizer.decide(matches[0]!, [])).toMatchObject({ sku: 'unknown' });
    expect(recognizer.decide(matches[1]!, [])).toMatchObject({ sku: 'WT-SALT', brand: 'Wheat Thins' });
  });

  it('checks a look far ahead of every other SKU yet not similar enough to be sure, and names the pack only by its print', async () => {
    // A manufacturer's pack shot, lit flat, scores its packs on a store's shelf under THRESHOLDS.appearanceSure with a
    // wide margin over the other SKUs: thresholds under which every look of these renders is such a look.
    const clearOnly = { ...THRESHOLDS, appearanceSure: 0.99, appearanceClear: 0, marginClear: 0 };
    const recognizer = await PackRecognizer.create(await wheatThins(['original']));
    const { matches } = await recognizer.matchPacks(photo.image, photo.boxes, clearOnly);
    // Original is its pack shot's print; Hint of Salt, nearest to it by look, is not.
    expect(matches.map((m) => m?.print?.sku)).toEqual(['WT-ORIG', null]);
    expect(recognizer.decide(matches[0]!, [])).toMatchObject({ sku: 'WT-ORIG', recognized_by: 'appearance' });
    expect(recognizer.decide(matches[1]!, [])).toMatchObject({ sku: 'unknown' });
  });
});

describe('fusePack with the print check', () => {
  const products = new Map([
    ['A1', { sku: 'A1', brand: 'A', own: true }],
    ['A2', { sku: 'A2', brand: 'A', own: true }],
  ]);
  const noText = { text: '', brands: new Map(), skus: new Map(), clashes: new Set<string>() };
  const match = (over: Partial<AppearanceMatch>): AppearanceMatch => ({
    sku: 'A1',
    similarity: 0.5,
    margin: 0.05,
    bySku: new Map([
      ['A1', 0.5],
      ['A2', 0.45],
    ]),
    ...over,
  });

  it('a look the print settles names the pack even when the look alone is unsure', () => {
    expect(fusePack(match({ similarity: 0.36, margin: 0.004, print: { sku: 'A1' } }), noText, products)).toMatchObject({
      sku: 'A1',
      recognized_by: 'appearance',
    });
    expect(fusePack(match({ similarity: 0.36, margin: 0.004 }), noText, products)).toMatchObject({ sku: 'unknown', brand: 'unknown' });
    // Far ahead of the other SKUs but not similar enough: named only when the print agrees (matchPacks checks it).
    expect(fusePack(match({ similarity: 0.36, margin: 0.15 }), noText, products)).toMatchObject({ sku: 'unknown', brand: 'unknown' });
    expect(fusePack(match({ similarity: 0.36, margin: 0.15, print: { sku: 'A1' } }), noText, products)).toMatchObject({ sku: 'A1' });
  });

  it("a print that differs from the look's SKU leaves the SKU unknown and keeps the brand", () => {
    expect(fusePack(match({ print: { sku: null } }), noText, products)).toMatchObject({ sku: 'unknown', brand: 'A' });
    expect(fusePack(match({}), noText, products)).toMatchObject({ sku: 'A1' });
  });
});
