import { describe, expect, it } from 'vitest';
import { ctcDecode, inkSpan, parsePrice, priceLine } from '../../../vision/prices.ts';

describe('price parsing', () => {
  it.each([
    ['¥12.90', { price: 12.9, promo: false }],
    ['￥ 3.50', { price: 3.5, promo: false }],
    ['12.9元', { price: 12.9, promo: false }],
    ['特价 9.90', { price: 9.9, promo: true }],
    ['特价¥9.90 原价12.90', { price: 9.9, promo: true }],
    ['2件19.8', { price: 9.9, promo: true }],
    ['3件 20', { price: 6.67, promo: true }],
    ['会员价 15', { price: 15, promo: true }],
  ])('%s', (text, expected) => expect(parsePrice(text)).toEqual(expected));

  it.each([
    // Decimal comma, currency before or after, thousands.
    ['0,85 €', 0.85],
    ['2,95€', 2.95],
    ['€ 1.299,00', 1299],
    ["1'299.00 EUR", 1299],
    ['1,299.00', 1299],
    // The selling price beside a price per litre or kilogram: the dm tag's `1,70 € je 1 l`, a `1 l = 1,70 €`.
    ['2,95 € 1 l = 8,94 €', 2.95],
    ['0,85 € 1,70 € je 1 l', 0.85],
    ['单价 25.6元/500g ¥12.80', 12.8],
    // Loose goods are sold by the 500 g: alone on the tag, that price is the price.
    ['12.80元/500g', 12.8],
    ['原价 12.90 促销价 9.90', 9.9],
  ])('%s → %s', (text, price) => expect(parsePrice(text)?.price).toBe(price));

  it('reads no price off a unit price, an article number, a barcode or a date alone', () => {
    for (const text of ['1,70 € je 1 l', '1 l = 1,70 €', '468141.0', '4006040012345', '14.10.15', 'nicht erhöht seit 14.10.15', '500ml'])
      expect(parsePrice(text), text).toBeNull();
  });

  it('reads no price off thousands with neither cents nor a currency sign (`2,19` misread as `2.186`)', () => {
    expect(parsePrice('2.186')).toBeNull();
    expect(parsePrice('¥1,299')?.price).toBe(1299);
  });

  it('reads no price off one digit alone: a piece of the print (a US tag’s `3⁴⁹` read as `4`), unless a currency says so', () => {
    expect(parsePrice('4')).toBeNull();
    expect(parsePrice('特价 8')).toBeNull();
    expect(parsePrice('¥8')?.price).toBe(8);
    expect(parsePrice('8元')?.price).toBe(8);
    expect(parsePrice('会员价 15')?.price).toBe(15);
  });

  // What PP-OCRv4 read on one-line tags of real Brazilian shelves where the ink shows a comma (`22,90`).
  it.each([
    ['2290', { before: 2, after: 2 }, 22.9],
    ['22,90', { before: 2, after: 2 }, 22.9],
    ['¥1290', { before: 3, after: 2 }, 12.9],
    ['220', { before: 2, after: 2 }, null],
    ['2', { before: 2, after: 2 }, null],
  ])('separator seen in the ink: %s (%o) → %s', (text, separator, price) => expect(parsePrice(text, { separator })?.price ?? null).toBe(price));

  it('states a member price apart from the selling price, and is no promotion for it', () => {
    expect(parsePrice('零售价 12.90 会员价 9.90')).toEqual({ price: 12.9, promo: false, member: 9.9 });
  });

  // What PP-OCRv4 read on the price lines of the real dm tags (test/fixtures/real-shelves): the cents printed raised.
  it.each([
    ['085', 1, 0.85],
    ['295', 1, 2.95],
    ['675', 1, 6.75],
    // A seal beside the 4 read as an 8: the tag prints one character at full height, so three digits are the price.
    ['8445', 1, 4.45],
    ['2 95 €', 1, 2.95],
    ['1295', 2, 12.95],
  ])('raised cents: %s (%i whole digits) → %s', (text, units, price) => expect(parsePrice(text, { raisedCents: true, units })?.price).toBe(price));

  it('reads no price off raised cents read in part (a tag cut by the frame: `2⁴`)', () => {
    expect(parsePrice('24', { raisedCents: true, units: 1 })).toBeNull();
    expect(parsePrice('3', { raisedCents: true, units: 1 })).toBeNull();
  });

  it('gives null when the tag has no number', () => {
    expect(parsePrice('新品上市')).toBeNull();
    expect(parsePrice('')).toBeNull();
  });
});

describe('CTC greedy decoding', () => {
  it('collapses repeats, drops blanks and keeps a character repeated across a blank', () => {
    const dictionary = ['1', '2', '.', '¥'];
    // Per step, the winning class: ¥ ¥ blank 1 2 2 . blank 9? (not in dict) -> use 1 blank 1
    const winners = [4, 4, 0, 1, 2, 2, 3, 0, 1, 0, 1];
    const probability = Float32Array.from(winners, (w) => (w === 0 ? 0.5 : 0.9));
    expect(ctcDecode(BigInt64Array.from(winners, BigInt), probability, dictionary)).toEqual({ text: '¥12.11', confidence: expect.closeTo(0.9, 5) });
  });
});

describe('text span of a price tag', () => {
  // A 120 × 24 white tag with a grey border and a dark text block from x = 40 to 79.
  const tag = () => {
    const width = 120;
    const height = 24;
    const data = Buffer.alloc(width * height * 3, 250);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const border = x === 0 || y === 0 || x === width - 1 || y === height - 1;
        const text = x >= 40 && x < 80 && y >= 6 && y < 18;
        if (border || text) data.fill(border ? 85 : 20, (y * width + x) * 3, (y * width + x) * 3 + 3);
      }
    return { data, width, height };
  };

  it('keeps the inked columns with a margin of a fifth of the tag height, not the border', () => {
    expect(inkSpan(tag(), 0, 0, 120, 24)).toEqual([35, 85]);
  });

  it('keeps the whole tag when nothing is printed on it', () => {
    const blank = { data: Buffer.alloc(120 * 24 * 3, 250), width: 120, height: 24 };
    expect(inkSpan(blank, 0, 0, 120, 24)).toEqual([0, 120]);
  });
});

describe('price line of a tag', () => {
  // A 100 × 100 dm-like tag: a name line on top, a filled round seal, a big `2` (x 40–55, y 30–70), raised cents
  // (x 58–65 and 67–74, y 30–48), a small unit-price line under them and barcode bars at the bottom.
  const tag = () => {
    const width = 100;
    const height = 100;
    const data = Buffer.alloc(width * height * 3, 240);
    const ink = (x0: number, y0: number, x1: number, y1: number, hollow = false) => {
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++)
          if (!hollow || x < x0 + 3 || x >= x1 - 3 || y < y0 + 3 || y >= y1 - 3) data.fill(20, (y * width + x) * 3, (y * width + x) * 3 + 3);
    };
    for (let x = 5; x < 60; x += 6) ink(x, 5, x + 4, 12);
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++)
        if ((x - 7.5) ** 2 + (y - 7.5) ** 2 < 64) data.fill(30, ((34 + y) * width + 10 + x) * 3, ((34 + y) * width + 10 + x) * 3 + 3);
    ink(40, 30, 55, 70, true);
    ink(58, 30, 65, 48, true);
    ink(67, 30, 74, 48, true);
    for (let x = 50; x < 90; x += 5) ink(x, 76, x + 3, 82);
    for (let x = 5; x < 60; x += 3) ink(x, 88, x + 1, 97);
    return { data, width, height };
  };

  it('is the row of the tallest print, the seal left out, with its raised cents', () => {
    expect(priceLine(tag(), 0, 0, 100, 100)).toEqual({ left: 32, top: 22, width: 50, height: 56, raisedCents: true, units: 1 });
  });

  it('finds a decimal comma between full-height digits, sitting on the baseline (`22,90`)', () => {
    const width = 90;
    const height = 40;
    const data = Buffer.alloc(width * height * 3, 240);
    const ink = (x0: number, y0: number, x1: number, y1: number) => {
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) if (x < x0 + 2 || x >= x1 - 2 || y < y0 + 2 || y >= y1 - 2) data.fill(20, (y * width + x) * 3, (y * width + x) * 3 + 3);
    };
    for (const x of [10, 22]) ink(x, 10, x + 9, 30);
    for (let y = 26; y < 33; y++) for (let x = 34; x < 37; x++) data.fill(20, (y * width + x) * 3, (y * width + x) * 3 + 3);
    for (const x of [40, 52]) ink(x, 10, x + 9, 30);
    expect(priceLine({ data, width, height }, 0, 0, width, height)).toMatchObject({ raisedCents: false, units: 4, separator: { before: 2, after: 2 } });
    // Without the comma, no separator.
    for (let y = 26; y < 33; y++) for (let x = 34; x < 37; x++) data.fill(240, (y * width + x) * 3, (y * width + x) * 3 + 3);
    expect(priceLine({ data, width, height }, 0, 0, width, height)?.separator).toBeUndefined();
  });

  it('is null on a blank tag', () => {
    expect(priceLine({ data: Buffer.alloc(60 * 40 * 3, 240), width: 60, height: 40 }, 0, 0, 60, 40)).toBeNull();
  });
});
