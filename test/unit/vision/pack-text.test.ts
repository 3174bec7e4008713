import { describe, expect, it } from 'vitest';
import type { CatalogueProduct } from '../../../vision/catalogue.ts';
import { buildTextIndex, foldText, hanScore, latinScore, leader, matchPackText } from '../../../vision/pack-text.ts';

const product = (sku: string, brand: string, name: string, aliases: string[] = []): CatalogueProduct => ({
  sku,
  brand,
  name,
  aliases,
  own: true,
  references: [],
});
const index = buildTextIndex({
  products: [
    product('D1', 'Davidoff', 'Davidoff Classic'),
    product('D2', 'Davidoff', 'Davidoff Gold'),
    product('W1', 'West', 'West Red'),
    product('Y1', '伊利', '伊利 纯牛奶 250ml', ['yili']),
    product('Y2', '伊利', '伊利 纯牛奶 500ml'),
    product('N1', '农夫山泉', '农夫山泉 饮用天然水', ['Nongfu Spring']),
  ],
});
const read = (...texts: string[]) =>
  matchPackText(
    texts.map((text) => ({ text, confidence: 0.9 })),
    index,
  );
const brandOf = (...texts: string[]) => leader(read(...texts).brands)?.name ?? null;
const skuOf = (...texts: string[]) => leader(read(...texts).skus)?.name ?? null;

describe('pack text against brands, names and aliases', () => {
  it('folds case, full-width letters and punctuation', () => {
    expect(foldText('ＤＡＶＩＤＯＦＦ · Classic!')).toBe('davidoff classic');
  });

  it('reads Latin brands through case, a lost letter, split or run-together words', () => {
    expect(latinScore('davidoff', 'DAVIDOFF')).toBe(1);
    expect(latinScore('davidoff', 'DAVIDOF')).toBeGreaterThan(0.8);
    expect(latinScore('davidoff', 'DAVIDOFFCLASSIC')).toBeGreaterThan(0.8);
    expect(latinScore('nongfuspring', 'NONGFU SPRING')).toBe(1);
    expect(brandOf('DAVIDOF')).toBe('Davidoff');
    expect(brandOf('west')).toBe('West');
    expect(brandOf('WE5T')).toBe('West'); // a digit read for a letter, in a word without digits
  });

  it('reads Chinese brands inside longer lines, partial reads of long ones and their pinyin', () => {
    expect(hanScore('伊利', '伊利纯牛奶')).toBe(1);
    expect(brandOf('伊利纯牛奶')).toBe('伊利');
    expect(brandOf('农夫山')).toBe('农夫山泉');
    expect(brandOf('nongfu')).toBe('农夫山泉');
    expect(brandOf('NONGFUSHANQUAN')).toBe('农夫山泉');
  });

  it('names a SKU only from words its own name carries, digits exactly', () => {
    expect(skuOf('Davidoff', 'CLASSIC')).toBe('D1');
    expect(skuOf('伊利', '250ml')).toBeNull(); // too few letters to be a word; 伊利 and 纯牛奶 are shared
    expect(skuOf('DAVIDOFF')).toBeNull(); // the brand alone
    expect(skuOf('伊利纯牛奶')).toBeNull(); // both milks carry it
  });

  it('does not match false friends', () => {
    expect(brandOf('WESTERN')).toBeNull();
    expect(brandOf('VEST')).toBeNull();
    expect(brandOf('WEST', 'DAVID')).toBe('West'); // 5 letters of an 8-letter word: not a read of Davidoff
    expect(brandOf('山泉水')).toBeNull(); // a generic word of many waters, not 农夫山泉
    expect(brandOf('伊力特')).toBeNull(); // one character in common
    expect(brandOf('牛奶')).toBeNull();
    expect(brandOf('yi li')).toBe('伊利'); // the alias, read split
    expect(brandOf('DOVE')).toBeNull();
  });

  it('drops lines the reader was unsure of', () => {
    expect(leader(matchPackText([{ text: 'DAVIDOFF', confidence: 0.3 }], index).brands)).toBeNull();
  });
});
