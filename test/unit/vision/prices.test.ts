import { describe, expect, it } from 'vitest';
import { ctcDecode, inkSpan, parsePrice } from '../../../vision/prices.ts';

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
    const classes = 5;
    const probs = new Float32Array(winners.length * classes);
    winners.forEach((w, t) => (probs[t * classes + w] = 0.9));
    expect(ctcDecode(probs, winners.length, classes, dictionary)).toEqual({ text: '¥12.11', confidence: expect.closeTo(0.9, 5) });
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
