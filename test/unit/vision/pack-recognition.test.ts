import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Corners, RgbImage } from '../../../vision/detector.ts';
import type { RecognitionCatalogue } from '../../../vision/catalogue.ts';
import { readPackText } from '../../../vision/analyze.ts';
import { decodePhoto } from '../../../vision/image.ts';
import { PackTextReader } from '../../../vision/pack-reader.ts';
import { matchPackText, buildTextIndex } from '../../../vision/pack-text.ts';
import { PriceReader } from '../../../vision/prices.ts';
import { brandsFromLookAlikes, embedCrop, fusePack, PackRecognizer, type AppearanceMatch, type Recognition } from '../../../vision/recognize.ts';

/** Whether fontconfig has a Chinese font for the SVG renderer (without one, Chinese text renders as empty boxes). */
const chineseFont = (() => {
  try {
    return execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
})();

interface Pack {
  big: string;
  small: string;
  colour: string;
  ink: string;
}
const PACKS: Pack[] = [
  { big: 'DAVIDOFF', small: 'CLASSIC', colour: '#b01c1c', ink: '#fff' },
  { big: 'West', small: 'RED', colour: '#eeeeea', ink: '#c01010' },
  { big: 'WESTERN', small: 'BOOTS', colour: '#2a5d2a', ink: '#fff' },
  ...(chineseFont
    ? [
        { big: '伊利', small: '纯牛奶', colour: '#1d4fa0', ink: '#fff' },
        { big: '农夫山泉', small: '饮用天然水', colour: '#d8342c', ink: '#fff' },
      ]
    : []),
];
const PACK_W = 150;
const PACK_H = 230;

/** One pack's front face as SVG at (x, y), rotated a little as a pack stands on a shelf. */
const packSvg = (p: Pack, x: number, y: number, tilt: number) =>
  `<g transform="rotate(${tilt} ${x + PACK_W / 2} ${y + PACK_H / 2})"><rect x="${x}" y="${y}" width="${PACK_W}" height="${PACK_H}" fill="${p.colour}"/>` +
  `<circle cx="${x + PACK_W / 2}" cy="${y + PACK_H * 0.62}" r="${PACK_W * 0.22}" fill="${p.ink}" opacity="0.35"/>` +
  `<text x="${x + PACK_W / 2}" y="${y + PACK_H * 0.3}" font-family="WenQuanYi Micro Hei, DejaVu Sans" font-weight="bold" font-size="${p.big.length > 4 ? 26 : 34}" fill="${p.ink}" text-anchor="middle">${p.big}</text>` +
  `<text x="${x + PACK_W / 2}" y="${y + PACK_H * 0.9}" font-family="WenQuanYi Micro Hei, DejaVu Sans" font-size="16" fill="${p.ink}" text-anchor="middle">${p.small}</text></g>`;

/** A shelf of the packs, photographed a little blurred and as JPEG, with each pack's box. */
async function shelfPhoto(): Promise<{ image: RgbImage; boxes: Corners[] }> {
  const gap = 24;
  const width = PACKS.length * (PACK_W + gap) + gap;
  const body = PACKS.map((p, i) => packSvg(p, gap + i * (PACK_W + gap), 40, i % 2 ? 2.5 : -2)).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="320"><rect width="${width}" height="320" fill="#4a4a48"/><rect y="280" width="${width}" height="40" fill="#ccc"/>${body}</svg>`;
  const jpeg = await sharp(Buffer.from(svg)).blur(0.9).jpeg({ quality: 80 }).toBuffer();
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const boxes = PACKS.map((_, i): Corners => [gap + i * (PACK_W + gap) - 8, 32, gap + i * (PACK_W + gap) + PACK_W + 8, 40 + PACK_H + 8]);
  return { image: { data, width: info.width, height: info.height }, boxes };
}

/** A pack shot: the pack's front alone, as a chain would upload it. */
const packShot = (p: Pack) =>
  sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${PACK_W}" height="${PACK_H}">${packSvg(p, 0, 0, 0)}</svg>`))
    .png()
    .toBuffer();

const CATALOGUE_WORDS: RecognitionCatalogue = {
  products: [
    { sku: 'D1', brand: 'Davidoff', name: 'Davidoff Classic', aliases: [], own: true, references: [] },
    { sku: 'D2', brand: 'Davidoff', name: 'Davidoff Gold', aliases: [], own: true, references: [] },
    { sku: 'W1', brand: 'West', name: 'West Red', aliases: [], own: false, references: [] },
    { sku: 'Y1', brand: '伊利', name: '伊利 纯牛奶 250ml', aliases: ['yili'], own: true, references: [] },
    { sku: 'Y2', brand: '伊利', name: '伊利 纯牛奶 1L', aliases: [], own: true, references: [] },
    { sku: 'N1', brand: '农夫山泉', name: '农夫山泉 饮用天然水 550ml', aliases: ['Nongfu Spring'], own: false, references: [] },
  ],
};

let reader: PackTextReader;
let photo: { image: RgbImage; boxes: Corners[] };
beforeAll(async () => {
  reader = await PackTextReader.load(await PriceReader.load());
  photo = await shelfPhoto();
});

describe('pack text read by the bundled PP-OCRv4 models', () => {
  it('finds and reads the brand printed on each pack, Latin and Chinese', async () => {
    const read = await reader.read(photo.image, photo.boxes);
    const texts = read.map((lines) =>
      lines
        .map((l) => l.text)
        .join(' ')
        .toUpperCase(),
    );
    PACKS.forEach((p, k) => expect(texts[k]).toContain(p.big.toUpperCase()));
  });

  it('names brand and SKU from the text alone, and leaves a look-alike word unknown', async () => {
    const recognizer = await PackRecognizer.create(CATALOGUE_WORDS);
    const read = await reader.read(photo.image, photo.boxes);
    const got = read.map((lines) => recognizer.decide(null, lines));
    expect(got[0]).toMatchObject({ sku: 'D1', brand: 'Davidoff', recognized_by: 'text' });
    expect(got[1]).toMatchObject({ sku: 'W1', brand: 'West', is_competitor: true }); // "RED" is West Red's own word
    expect(got[2]).toMatchObject({ sku: 'unknown', brand: 'unknown' }); // WESTERN is not West
    if (chineseFont) {
      expect(got[3]).toMatchObject({ sku: 'unknown', brand: '伊利', recognized_by: 'text' }); // 纯牛奶 alone is no SKU: 250ml unread
      expect(got[4]).toMatchObject({ sku: 'N1', brand: '农夫山泉' }); // 饮用天然水 is N1's own word
    }
    for (const g of got) expect(g.confidence).toBeGreaterThanOrEqual(g.sku === 'unknown' && g.brand === 'unknown' ? 0 : 0.8);
  });

  it('names packs by appearance from one pack shot each, and text and look agreeing makes both', async () => {
    // Pack shots of Davidoff Classic and West Red; Davidoff Gold has none.
    const shots = new Map([
      ['D1', PACKS[0]!],
      ['W1', PACKS[1]!],
    ]);
    const catalogue: RecognitionCatalogue = {
      products: await Promise.all(
        CATALOGUE_WORDS.products.map(async (p) => ({
          ...p,
          references: shots.has(p.sku) ? [{ id: `${p.sku}-front`, image: await packShot(shots.get(p.sku)!) }] : [],
        })),
      ),
    };
    const recognizer = await PackRecognizer.create(catalogue);
    const looks = photo.boxes.map((box) => recognizer.appearance(embedCrop(photo.image, box)));
    expect(looks[0]!.sku).toBe('D1');
    expect(looks[1]!.sku).toBe('W1');
    const read = await reader.read(photo.image, photo.boxes.slice(0, 2));
    expect(recognizer.decide(looks[0]!, read[0]!)).toMatchObject({ sku: 'D1', recognized_by: 'both' });
    expect(recognizer.decide(looks[0]!, [])).toMatchObject({ sku: 'D1', recognized_by: 'appearance' });
  });
});

describe('packs whose text named nothing, read again up close', () => {
  /** Three purple bags with the brand printed small (8 px, a thirtieth of the bag): a logo on a large bag. */
  async function smallPrint(): Promise<{ image: RgbImage; boxes: Corners[] }> {
    const bags = [0, 1, 2]
      .map(
        (i) =>
          `<rect x="${30 + i * 190}" y="40" width="150" height="230" fill="#7b2d8e"/><circle cx="${105 + i * 190}" cy="180" r="40" fill="#ddd" opacity="0.5"/>` +
          `<text x="${105 + i * 190}" y="110" font-family="DejaVu Sans" font-weight="bold" font-size="8" fill="#fff" text-anchor="middle">whiskas</text>`,
      )
      .join('');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="320"><rect width="600" height="320" fill="#4a4a48"/>${bags}</svg>`;
    const jpeg = await sharp(Buffer.from(svg)).blur(0.6).jpeg({ quality: 85 }).toBuffer();
    const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { image: { data, width: info.width, height: info.height }, boxes: [0, 1, 2].map((i): Corners => [22 + i * 190, 32, 188 + i * 190, 278]) };
  }

  it('finds the brand the first read missed, reading one of look-alike facings for them all', async () => {
    const recognizer = await PackRecognizer.create({
      products: [{ sku: 'WK1', brand: 'Whiskas', name: 'Whiskas Carne', aliases: [], own: true, references: [] }],
    });
    const bags = await smallPrint();
    const once = await reader.read(bags.image, bags.boxes);
    expect(once.map((lines) => recognizer.decide(null, lines).brand)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(once.every((lines) => recognizer.textUnsure(lines))).toBe(true);
    const up = await reader.read(bags.image, bags.boxes, { close: true });
    expect(up.map((lines) => recognizer.decide(null, lines).brand)).toEqual(['Whiskas', 'Whiskas', 'Whiskas']);
    expect(recognizer.textUnsure(up[0]!)).toBe(false);
    // The three bags look alike: one is read up close, and the others take its brand from it.
    const looks = bags.boxes.map((box) => embedCrop(bags.image, box));
    const closer = recognizer.closerReads([0, 1, 2], once, looks, bags.boxes);
    expect(closer).toHaveLength(1);
    const lines = once.map((l, k) => (k === closer[0] ? up[k]! : l));
    expect(recognizer.decidePhoto(looks, [null, null, null], lines).map((r) => r.brand)).toEqual(['Whiskas', 'Whiskas', 'Whiskas']);
    // A pack whose text named its brand is not read again, nor are its look-alikes.
    expect(recognizer.closerReads([0, 1, 2], up, looks, bags.boxes)).toEqual([]);
  });
});

describe('a phone photo read up close from its own pixels', () => {
  // A 12 MP photo is analysed at half its size; six pouches with the brand printed 10 px tall in the photo (5 px in
  // the analysed image): up close they are read from the photo's pixels, where the letters are still there.
  it('reads the brand printed small on a pack photographed close up, under the larger lines of its name', async () => {
    // A carton filling the photo, as a merchandiser shoots one to teach it: three words printed larger than the brand.
    const words = ['SMOOTH', 'TASTE', 'QUALITY', 'SELECTED'];
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="1200"><rect width="900" height="1200" fill="#8a7a60"/>' +
      '<rect x="150" y="100" width="600" height="1050" fill="#eef2f5"/>' +
      '<text x="450" y="210" font-family="DejaVu Sans" font-weight="bold" font-size="44" fill="#b01c1c" text-anchor="middle">DAVIDOFF</text>' +
      words
        .map((w, i) => `<text x="450" y="${380 + i * 190}" font-family="DejaVu Sans" font-size="96" fill="#1d3f8f" text-anchor="middle">${w}</text>`)
        .join('') +
      '</svg>';
    const photo = await decodePhoto(await sharp(Buffer.from(svg)).blur(0.8).jpeg({ quality: 85 }).toBuffer());
    const recognizer = await PackRecognizer.create(CATALOGUE_WORDS);
    const [lines] = await reader.read(photo.rgb, [[140, 90, 760, 1160]]);
    expect(lines!.map((l) => l.text.toUpperCase())).toEqual(expect.arrayContaining(['DAVIDOFF', 'SMOOTH']));
    expect(recognizer.decide(null, lines!)).toMatchObject({ brand: 'Davidoff' });
  });

  it('names small packs the analysed image has lost the letters of', async () => {
    const recognizer = await PackRecognizer.create({
      products: [
        { sku: 'WK1', brand: 'Whiskas', name: 'Whiskas Carne', aliases: [], own: true, references: [] },
        { sku: 'PD1', brand: 'Pedigree', name: 'Pedigree Adulto', aliases: [], own: true, references: [] },
      ],
    });
    const pouches = [0, 1, 2, 3, 4, 5]
      .map((i) => {
        const x = 200 + i * 600;
        return (
          `<rect x="${x}" y="1200" width="240" height="360" fill="${['#7b2d8e', '#d8b400', '#1c5fa8'][i % 3]}"/>` +
          `<circle cx="${x + 120}" cy="1420" r="60" fill="#ddd" opacity="0.5"/>` +
          `<text x="${x + 120}" y="1290" font-family="DejaVu Sans" font-weight="bold" font-size="10" fill="#fff" text-anchor="middle">${i % 2 ? 'Pedigree' : 'whiskas'}</text>`
        );
      })
      .join('');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="3000"><rect width="4000" height="3000" fill="#4a4a48"/>${pouches}</svg>`;
    const photo = await decodePhoto(await sharp(Buffer.from(svg)).blur(0.6).jpeg({ quality: 88 }).toBuffer());
    expect([photo.rgb.width, photo.closeUp.width]).toEqual([2000, 4000]);
    const boxes = [0, 1, 2, 3, 4, 5].map((i): Corners => [(190 + i * 600) / 2, 595, (450 + i * 600) / 2, 785]);
    // Looks that resemble nothing else: each pouch is read for itself.
    const looks = boxes.map((_, k) => Float32Array.from({ length: 8 }, (_, j) => (j === k ? 1 : 0)));
    const brands = async (closeUp: RgbImage) => {
      const { lines } = await readPackText({ packText: reader, recognizer }, { image: photo.rgb, closeUp }, boxes, looks, [0, 1, 2, 3, 4, 5]);
      return recognizer
        .decidePhoto(
          looks,
          boxes.map(() => null),
          lines,
        )
        .map((r) => r.brand);
    };
    expect(await brands(photo.closeUp)).toEqual(['Whiskas', 'Pedigree', 'Whiskas', 'Pedigree', 'Whiskas', 'Pedigree']);
    // Read up close from the analysed image itself, most stay unknown.
    expect((await brands(photo.rgb)).filter((b) => b !== 'unknown').length).toBeLessThanOrEqual(2);
  });
});

/**
 * Packs as a merchandiser finds them on a real shelf: one standing on its head, one lying on either side, and a
 * Chinese pack whose name is printed in upright characters one under another; shot at an angle, a little blurred,
 * unevenly lit and as a phone's JPEG.
 */
async function turnedPacksPhoto(): Promise<{ image: RgbImage; boxes: Corners[]; brands: string[] }> {
  const packs: { pack: Pack; turn: number }[] = [
    { pack: PACKS[0]!, turn: 180 },
    { pack: PACKS[1]!, turn: 178 },
    { pack: PACKS[0]!, turn: 90 },
    { pack: PACKS[0]!, turn: -90 },
  ];
  const gap = 24;
  const cell = PACK_H + gap;
  const width = packs.length * cell + gap + (chineseFont ? 120 : 0);
  const height = PACK_H + 2 * gap + 40;
  const body = packs
    .map(({ pack, turn }, i) => {
      const cx = gap + i * cell + PACK_H / 2;
      const cy = gap + PACK_H / 2;
      return `<g transform="rotate(${turn} ${cx} ${cy})">${packSvg(pack, cx - PACK_W / 2, cy - PACK_H / 2, 0)}</g>`;
    })
    .join('');
  const boxes = packs.map(({ turn }, i): Corners => {
    const cx = gap + i * cell + PACK_H / 2;
    const cy = gap + PACK_H / 2;
    const [hw, hh] = Math.abs(turn) === 90 ? [PACK_H / 2, PACK_W / 2] : [PACK_W / 2, PACK_H / 2];
    return [cx - hw - 8, cy - hh - 8, cx + hw + 8, cy + hh + 8];
  });
  // 农夫山泉 printed down a tall, narrow pack, one character under another.
  const stackedX = packs.length * cell + gap;
  const stacked = chineseFont
    ? `<rect x="${stackedX}" y="${gap}" width="90" height="${PACK_H}" fill="#d8342c"/>` +
      [...'农夫山泉']
        .map(
          (c, k) =>
            `<text x="${stackedX + 45}" y="${gap + 52 + k * 50}" font-family="WenQuanYi Micro Hei" font-weight="bold" font-size="40" fill="#fff" text-anchor="middle">${c}</text>`,
        )
        .join('')
    : '';
  if (chineseFont) boxes.push([stackedX - 8, gap - 8, stackedX + 98, gap + PACK_H + 8]);
  const light =
    '<defs><linearGradient id="l"><stop offset="0" stop-color="#fff" stop-opacity="0.25"/><stop offset="1" stop-color="#000" stop-opacity="0.3"/></linearGradient></defs>';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${light}<rect width="${width}" height="${height}" fill="#4a4a48"/>` +
    `<g transform="skewX(-3)">${body}${stacked}</g><rect width="${width}" height="${height}" fill="url(#l)"/></svg>`;
  const jpeg = await sharp(Buffer.from(svg)).blur(1.1).modulate({ brightness: 0.92 }).jpeg({ quality: 72 }).toBuffer();
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const brands = [...packs.map(({ pack }) => pack.big), ...(chineseFont ? ['农夫山泉'] : [])];
  return { image: { data, width: info.width, height: info.height }, boxes, brands };
}

describe('pack text that is not upright', () => {
  it('reads the brand of a pack on its head, on either side, and printed in stacked characters', async () => {
    const turned = await turnedPacksPhoto();
    const read = await reader.read(turned.image, turned.boxes);
    const texts = read.map((lines) =>
      lines
        .map((l) => l.text)
        .join(' ')
        .toUpperCase(),
    );
    turned.brands.forEach((brand, k) => expect(texts[k], `pack ${k}`).toContain(brand.toUpperCase()));
    const recognizer = await PackRecognizer.create(CATALOGUE_WORDS);
    expect(recognizer.decide(null, read[0]!)).toMatchObject({ sku: 'D1', brand: 'Davidoff', recognized_by: 'text' });
  });

  it('still reads upright packs as before: the direction classifier never costs a good reading', async () => {
    const read = await reader.read(photo.image, photo.boxes);
    PACKS.forEach((p, k) => expect(read[k]!.map((l) => l.text.toUpperCase()).join(' ')).toContain(p.big.toUpperCase()));
  });
});

describe('fusing text and appearance', () => {
  const products = new Map(CATALOGUE_WORDS.products.map((p) => [p.sku, p]));
  const index = buildTextIndex(CATALOGUE_WORDS);
  const text = (...lines: string[]) =>
    matchPackText(
      lines.map((l) => ({ text: l, confidence: 0.95 })),
      index,
    );
  const look = (sku: string, similarity: number, margin: number, others: [string, number][] = []): AppearanceMatch => ({
    sku,
    similarity,
    margin,
    bySku: new Map([[sku, similarity], ...others]),
  });

  it('lets either signal decide alone when it is sure', () => {
    expect(fusePack(look('D2', 0.5, 0.05), text(), products)).toMatchObject({ sku: 'D2', recognized_by: 'appearance' });
    expect(fusePack(null, text('DAVIDOFF', 'GOLD'), products)).toMatchObject({ sku: 'D2', recognized_by: 'text', confidence: 1 });
    expect(fusePack(look('D1', 0.31, 0.001), text('DAVIDOFF GOLD'), products)).toMatchObject({ sku: 'D2', recognized_by: 'text' });
  });

  it('is more confident when both agree', () => {
    const alone = fusePack(look('D2', 0.4, 0.02), text(), products);
    const agreed = fusePack(look('D2', 0.4, 0.02), text('DAVIDOFF'), products);
    expect(agreed).toMatchObject({ sku: 'D2', recognized_by: 'both' });
    expect(agreed.confidence).toBeGreaterThan(alone.confidence);
  });

  it('keeps the brand the text names when the look is unsure, and picks the brand SKU the look prefers within it', () => {
    expect(
      fusePack(
        look('W1', 0.32, 0.002, [
          ['D1', 0.319],
          ['D2', 0.25],
        ]),
        text('DAVIDOFF'),
        products,
      ),
    ).toMatchObject({ sku: 'D1', brand: 'Davidoff', recognized_by: 'both' });
    expect(
      fusePack(
        look('W1', 0.32, 0.002, [
          ['D1', 0.2],
          ['D2', 0.2],
        ]),
        text('DAVIDOFF'),
        products,
      ),
    ).toMatchObject({ sku: 'unknown', brand: 'Davidoff', recognized_by: 'text' });
    expect(fusePack(null, text('伊利纯牛奶'), products)).toMatchObject({ sku: 'unknown', brand: '伊利', is_competitor: false });
    expect(fusePack(null, text('WEST'), products)).toMatchObject({ sku: 'unknown', brand: 'West', is_competitor: true }); // all of West is a competitor's
  });

  it("takes no SKU within the brand whose sibling's own words the pack shows", () => {
    // A Davidoff pack reading CLASSIC, a word of D1's long name only (read in part: no sure SKU), that looks a little
    // more like D2: not D2 (a sibling without a pack shot looks like its shot siblings).
    const long = { products: [{ ...CATALOGUE_WORDS.products[0]!, name: 'Davidoff Classic Original Blend' }, CATALOGUE_WORDS.products[1]!] };
    const read = (...lines: string[]) =>
      matchPackText(
        lines.map((l) => ({ text: l, confidence: 0.95 })),
        buildTextIndex(long),
      );
    const byLook = look('D2', 0.32, 0.002, [['D1', 0.2]]);
    const longProducts = new Map(long.products.map((p) => [p.sku, p]));
    expect(fusePack(byLook, read('DAVIDOFF'), longProducts)).toMatchObject({ sku: 'D2', brand: 'Davidoff' });
    expect(fusePack(byLook, read('DAVIDOFF', 'CLASSIC'), longProducts)).toMatchObject({ sku: 'unknown', brand: 'Davidoff', recognized_by: 'text' });
  });

  it('names a SKU whose own words are read only in part when its look, far ahead of the others, names it too', () => {
    // A dm muesli box: its brand half read ("Bio" of dmBio), its name run together and misread ("BasisMuisli").
    const muesli = {
      products: [
        { sku: 'M1', brand: 'dmBio', name: 'dmBio Basis Müsli ohne Rosinen', aliases: [], own: true, references: [] },
        { sku: 'M2', brand: 'dmBio', name: 'dmBio Bircher Müsli', aliases: [], own: true, references: [] },
      ],
    };
    const read = matchPackText(
      ['Bio', 'BasisMuisli'].map((l) => ({ text: l, confidence: 0.95 })),
      buildTextIndex(muesli),
    );
    const mueslis = new Map(muesli.products.map((p) => [p.sku, p]));
    expect(fusePack(look('M1', 0.4, 0.12, [['M2', 0.28]]), read, mueslis)).toMatchObject({ sku: 'M1', brand: 'dmBio', recognized_by: 'both' });
    // Neither alone: the look not clear of its sibling, the look elsewhere, or no look.
    expect(fusePack(look('M1', 0.4, 0.05, [['M2', 0.35]]), read, mueslis)).toMatchObject({ sku: 'unknown', brand: 'unknown' });
    expect(fusePack(look('M2', 0.4, 0.12, [['M1', 0.28]]), read, mueslis)).toMatchObject({ sku: 'unknown', brand: 'unknown' });
    expect(fusePack(null, read, mueslis)).toMatchObject({ sku: 'unknown', brand: 'unknown' });
  });

  it('says unknown when the two disagree or neither is sure', () => {
    expect(fusePack(look('W1', 0.5, 0.05), text('DAVIDOFF'), products)).toMatchObject({ sku: 'unknown', brand: 'unknown', recognized_by: 'none' });
    expect(fusePack(look('D1', 0.5, 0.05), text('DAVIDOFF GOLD'), products)).toMatchObject({ sku: 'unknown', brand: 'Davidoff' });
    expect(fusePack(look('D1', 0.32, 0.002), text('WESTERN'), products)).toMatchObject({ sku: 'unknown', brand: 'unknown', confidence: 0 });
    expect(fusePack(null, text(), products)).toMatchObject({ sku: 'unknown', brand: 'unknown', recognized_by: 'none' });
  });

  it("lets a word only another SKU's name carries, read even in part, gainsay a sure look", () => {
    // A sibling variant in the same design: the look says Davidoff Classic, the pack reads GOLD.
    expect(fusePack(look('D1', 0.5, 0.05), text('GOLD'), products)).toMatchObject({ sku: 'unknown', brand: 'Davidoff' });
    expect(fusePack(look('W1', 0.5, 0.05), text('GOLD'), products)).toMatchObject({ sku: 'unknown', brand: 'unknown' });
    // A word of its own SKU read as well leaves the look standing.
    expect(fusePack(look('D1', 0.5, 0.05), text('CLASSIC'), products)).toMatchObject({ sku: 'D1', recognized_by: 'appearance' });
  });

  it('lets a number the SKU does not print gainsay its look, sure or only within the brand the text names', () => {
    // A 500 ml carton of 伊利 the chain has not registered: it looks like the 250 ml one, and says 500.
    expect(fusePack(look('Y1', 0.5, 0.05), text('纯牛奶 500ml'), products)).toMatchObject({ sku: 'unknown', brand: '伊利' });
    expect(fusePack(look('W1', 0.32, 0.002, [['Y1', 0.31]]), text('伊利纯牛奶', '500ml'), products)).toMatchObject({ sku: 'unknown', brand: '伊利' });
    // Only the number read (no word of any name): still not Y1, and still the look's brand.
    expect(fusePack(look('Y1', 0.5, 0.05), text('500ml'), products)).toMatchObject({ sku: 'unknown', brand: '伊利' });
    // Its own number read, or none at all, leaves the look standing.
    expect(fusePack(look('Y1', 0.5, 0.05), text('纯牛奶 250ml'), products)).toMatchObject({ sku: 'Y1' });
    expect(fusePack(look('Y1', 0.5, 0.05), text('纯牛奶'), products)).toMatchObject({ sku: 'Y1' });
  });
});

describe('brands from look-alike facings', () => {
  const products = new Map(CATALOGUE_WORDS.products.map((p) => [p.sku, p]));
  const pack = (brand: string, recognized_by: Recognition['recognized_by'], confidence = 0.9): Recognition => ({
    sku: 'unknown',
    brand,
    is_competitor: false,
    confidence: brand === 'unknown' ? 0 : confidence,
    recognized_by,
    text: '',
  });
  // Looks one unit apart along a line: similarity 1 / (1 + distance).
  const at = (x: number) => Float32Array.from([x, 0]);

  it('gives a silent pack the brand of the text-named pack it looks like, and its SKU stays unknown', () => {
    const packs = [pack('Davidoff', 'text'), pack('unknown', 'none'), pack('West', 'text'), pack('unknown', 'none')];
    const looks = [at(0), at(0.5), at(10), at(5)];
    const [, near, , far] = brandsFromLookAlikes(packs, looks, [false, true, false, true], products);
    expect(near).toMatchObject({ sku: 'unknown', brand: 'Davidoff', recognized_by: 'look_alike', is_competitor: false, confidence: 0.6 });
    expect(far).toMatchObject({ brand: 'unknown', recognized_by: 'none' }); // like neither (similarity 0.17)
  });

  it('lends nothing between look-alikes of two brands, to a pack that is not silent, or from a pack named by a lender', () => {
    const tie = brandsFromLookAlikes(
      [pack('Davidoff', 'text'), pack('unknown', 'none'), pack('West', 'text')],
      [at(0), at(0.5), at(1)],
      [false, true, false],
      products,
    );
    expect(tie[1]!.brand).toBe('unknown');
    const disagreed = brandsFromLookAlikes([pack('Davidoff', 'text'), pack('unknown', 'none')], [at(0), at(0)], [false, false], products);
    expect(disagreed[1]!.brand).toBe('unknown');
    // Only text names lend: a look-alike of a look-alike stays as it was.
    const chain = brandsFromLookAlikes(
      [pack('Davidoff', 'text'), pack('unknown', 'none'), pack('unknown', 'none')],
      [at(0), at(1), at(2)],
      [false, true, true],
      products,
    );
    expect(chain.map((p) => p.brand)).toEqual(['Davidoff', 'Davidoff', 'unknown']);
  });
});
