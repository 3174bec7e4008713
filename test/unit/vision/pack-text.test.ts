import { describe, expect, it } from 'vitest';
import type { CatalogueProduct } from '../../../vision/catalogue.ts';
import {
  buildTextIndex,
  foldConfusables,
  foldText,
  hanScore,
  latinScore,
  leader,
  matchPackText,
  numbersIn,
  phraseWords,
  type TextIndex,
} from '../../../vision/pack-text.ts';

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
/** Lines a pack reads, each read with confidence, matched against a catalogue's index. */
const readerOf =
  (ix: TextIndex) =>
  (...texts: string[]) =>
    matchPackText(
      texts.map((text) => ({ text, confidence: 0.9 })),
      ix,
    );
const read = readerOf(index);
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
    // A logo's stylised initial lost (the P of Pedigree on a bag): read from the second letter; not from the third.
    expect(latinScore('pedigree', 'edigre')).toBeGreaterThan(0.8);
    expect(latinScore('pedigree', 'edigre', false)).toBeLessThan(0.8); // whole, it is two edits from the word
    expect(latinScore('pedigree', 'digree')).toBeLessThan(0.8);
    expect(brandOf('DAVIDOF')).toBe('Davidoff');
    expect(brandOf('west')).toBe('West');
    expect(brandOf('WE5T')).toBe('West'); // a digit read for a letter, in a word without digits
  });

  it('reads short words OCR ran together where lower case turns upper, and joins a word it split so', () => {
    // "Basis Müsli" printed on two lines of a dm muesli box, read as one: a five-letter word does not hide in a run.
    expect(latinScore('basis', 'BasisMuisli')).toBe(1);
    expect(latinScore('basis', 'BASISMUISLI')).toBe(0);
    expect(latinScore('thins', 'THiNS')).toBe(1);
    expect(skuOf('Davidoff', 'DavidoffGold')).toBe('D2');
  });

  it('reads Chinese brands inside longer lines, partial reads of long ones and their pinyin', () => {
    expect(hanScore('伊利', '伊利纯牛奶')).toBe(1);
    expect(brandOf('伊利纯牛奶')).toBe('伊利');
    expect(brandOf('农夫山')).toBe('农夫山泉');
    expect(brandOf('nongfu')).toBe('农夫山泉');
    expect(brandOf('NONGFUSHANQUAN')).toBe('农夫山泉');
  });

  it("takes a run of a Chinese name that other brands' names hold too for none of them", () => {
    // 纯牛奶 (pure milk) is every dairy's: read on a 光明 carton, three characters of 伊利纯牛奶 are no 伊利.
    const dairies = buildTextIndex({
      products: [product('Y1', '伊利', '伊利纯牛奶 250mL'), product('M1', '蒙牛', '蒙牛纯牛奶 250mL'), product('G1', '光明', '光明 优加 纯牛奶 200mL')],
    });
    const brands = (...texts: string[]) => readerOf(dairies)(...texts).brands;
    expect([...brands('纯牛奶')]).toEqual([]);
    expect(leader(brands('光明', '纯牛奶'))?.name).toBe('光明');
    // A run only one brand's names hold is still its hint: 伊利纯 of 伊利纯牛奶.
    expect(brands('伊利纯').get('伊利')).toBeGreaterThan(0);
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

  it('tells the SKUs whose printed numbers the pack contradicts, leading zeros aside', () => {
    expect(numbersIn('JIANGU02 0,5 L')).toEqual(new Set(['2', '0', '5']));
    // 500 ml is Y2's; Y1 prints 250; the others print no number.
    expect(read('伊利纯牛奶', '500ml').clashes).toEqual(new Set(['Y1']));
    expect(read('伊利纯牛奶 250ml').clashes).toEqual(new Set(['Y2']));
    expect(read('伊利纯牛奶').clashes.size).toBe(0); // no number read: nothing contradicted
    // A number run into a word is a claim ("100% whole grain" read as one word), not a size; a letter or two after it
    // (a unit, a misread 0) leaves it a number.
    expect(read('伊利纯牛奶', '100WHOLEGRAI').clashes.size).toBe(0);
    expect(read('伊利纯牛奶', '500ML').clashes).toEqual(new Set(['Y1']));
    expect(read('伊利纯牛奶', '8O').clashes).toEqual(new Set(['Y1', 'Y2']));
  });

  it('drops lines the reader was unsure of', () => {
    expect(leader(matchPackText([{ text: 'DAVIDOFF', confidence: 0.3 }], index).brands)).toBeNull();
  });
});

describe('brand and name only: words of a brand, OCR confusions and real reads', () => {
  const dm = buildTextIndex({
    products: [product('DMBIO', 'dmBio', 'dmBio'), product('TARTEX', 'Tartex', 'Tartex'), product('LEBEPUR', 'Lebepur', 'Lebepur')],
  });
  const readDm = readerOf(dm);
  const brand = (...texts: string[]) => {
    const l = leader(readDm(...texts).brands);
    // What fusePack needs to name a brand from the text alone (THRESHOLDS.textSure, textLead).
    return l && l.score >= 0.8 && l.lead >= 0.15 ? l.name : null;
  };

  it('splits a brand into its words at spaces, punctuation, a turn to upper case and between scripts', () => {
    expect(phraseWords('dmBio')).toEqual(['dm', 'bio']);
    expect(phraseWords('Coca-Cola')).toEqual(['coca', 'cola']);
    expect(phraseWords('伊利yili 250ml')).toEqual(['伊利', 'yili', '250ml']);
    expect(phraseWords('DMBIO')).toEqual(['dmbio']);
  });

  it('reads the brand however it is spaced, cased or punctuated', () => {
    for (const text of ['dm Bio', 'dmBio', 'DMBIO', 'dm-bio', 'DM BIO']) expect(brand(text), text).toBe('dmBio');
  });

  it('folds the characters OCR confuses, on both sides, in words without digits', () => {
    expect(foldConfusables('b1o')).toBe('bio');
    expect(foldConfusables('blo')).toBe('bio');
    expect(latinScore('tartex', 'TARTEX')).toBe(1);
    expect(latinScore('bio', 'B1O')).toBe(1);
    expect(latinScore('bio', 'BlO')).toBe(1);
    expect(latinScore('bio', '8IO')).toBe(1);
    expect(latinScore('west', 'WE5T')).toBe(1);
    // Letter pairs read for one letter: rn for m (a Champ logo on a real pet-food bag, read Charnp), vv for w.
    expect(latinScore('champ', 'Charnp')).toBe(1);
    expect(latinScore('whiskas', 'VVHISKAS')).toBe(1);
    expect(latinScore('corn', 'com')).toBe(1);
    expect(latinScore('500ml', '5OOml')).toBe(0); // digits never bend
    expect(foldText('Müsli')).toBe('musli');
  });

  // Lines PP-OCRv4 read on the labelled packs of the two real dm photos (eval-photos fixtures), as they came.
  it.each([
    [['BeerenMix', 'Tartex'], 'Tartex'],
    [['and-Misi', 'Tartex'], 'Tartex'],
    [['Land-isi', 'Gartfpiche', 'artex'], 'Tartex'], // a lost first letter
    // Tartex packs carry the EU organic "Bio" seal too: the whole brand read outweighs a word of another.
    [['Land-maste', 'Tartex', 'Schoholrio', 'Bio'], 'Tartex'],
  ])('%j names %s', (lines, expected) => {
    expect(brand(...lines)).toBe(expected);
  });

  it.each([
    // dmBio packs whose small "dm" was not read: "Bio" alone is a part of the brand, and the organic seal of others.
    [['Sauerkraut', 'Bio', 'Saft']],
    [['Bio', 'Sauerkraut', 'OKO-TEST']],
    [['ese', 'B1O']],
    [['KOKOSMANDEL', 'Bio', 'Granola']],
    [['HHOO']], // the Lebepur pack, misread
    [['Dinkel', 'Crunchy']], // a dmBio pack whose badge was not read: no brand word, no brand
    [['mDio', 'BasisMuisli']], // two edits from dmbio: too far for a five-letter word
    [['Bi', 'KINDER']],
    [['Waffeln', 'gesalzen', 'Reis']],
  ])('%j stays unknown', (lines) => {
    expect(brand(...lines)).toBeNull();
  });

  it('scores a word of a brand by the share of it read, a part never above a hint, and the whole brand read in words as the whole', () => {
    const coke = buildTextIndex({ products: [product('C1', 'Coca-Cola', 'Coca-Cola Zero')] });
    const score = (...texts: string[]) => leader(readerOf(coke)(...texts).brands)?.score ?? 0;
    expect(score('COLA')).toBeCloseTo(0.75, 2); // half the brand: not enough to decide alone
    expect(score('COCA', 'COLA')).toBe(1);
    expect(score('Coca-Cola')).toBe(1);
    // Most of a brand is still only a part of it: a hint (0.75), short of the 0.8 that decides alone.
    expect(readDm('Bio').brands.get('dmBio')).toBeCloseTo(0.75, 2);
  });

  it('leaves a word two brands share to neither', () => {
    const shared = buildTextIndex({ products: [product('A', 'dmBio', 'dmBio'), product('B', 'Alnatura Bio', 'Alnatura Bio')] });
    expect(leader(matchPackText([{ text: 'Bio', confidence: 0.9 }], shared).brands)).toBeNull();
    expect(leader(matchPackText([{ text: 'ALNATURA', confidence: 0.9 }], shared).brands)?.name).toBe('Alnatura Bio');
  });

  it('reads a Chinese brand through its pinyin without an alias', () => {
    const milk = buildTextIndex({ products: [product('M1', '蒙牛', '蒙牛 纯牛奶'), product('G1', '光明', '光明 鲜牛奶')] });
    const of = (text: string) => leader(matchPackText([{ text, confidence: 0.9 }], milk).brands)?.name;
    expect(of('MENGNIU')).toBe('蒙牛');
    expect(of('Guang Ming')).toBe('光明');
    expect(of('蒙牛纯牛奶')).toBe('蒙牛');
  });
});

describe('the words a pack prints large', () => {
  // Brands of the US cracker and snack bays (eval-photos fixtures and the held-out shelves).
  const snacks = buildTextIndex({
    products: [
      product('TATES', "Tate's Bake Shop", "Tate's Bake Shop"),
      product('CIAB', 'Chicken in a Biskit', 'Chicken in a Biskit'),
      product('MOON', 'Moon Cheese', 'Moon Cheese'),
      product('RITZ', 'Ritz', 'Ritz'),
    ],
  });
  const named = (...lines: { text: string; height?: number }[]) => {
    const l = leader(
      matchPackText(
        lines.map((line) => ({ confidence: 0.95, ...line })),
        snacks,
      ).brands,
    );
    return l && l.score >= 0.8 ? l.name : null;
  };

  it("names a brand by its first word printed as the pack's headline", () => {
    expect(named({ text: "TATE'S", height: 25 })).toBe("Tate's Bake Shop");
    expect(named({ text: "TATE'S", height: 25 }, { text: 'chocolate chip', height: 12 })).toBe("Tate's Bake Shop");
    // The apostrophe read or not: it joins the word it stands in.
    expect(named({ text: 'TATES', height: 25 })).toBe("Tate's Bake Shop");
    expect(phraseWords("Tate's Bake Shop")).toEqual(['tates', 'bake', 'shop']);
  });

  it('does not name it by a first word printed small, nor by a following word however large', () => {
    expect(named({ text: 'Tates', height: 9 }, { text: 'CHOCOLATE CHIP', height: 25 })).toBeNull();
    // CHEESE as the flavour on another brand's bag.
    expect(named({ text: 'CHEESE', height: 26 }, { text: 'NACHO', height: 23 })).toBeNull();
    expect(named({ text: 'MOON', height: 20 }, { text: 'CHEESE', height: 20 })).toBe('Moon Cheese');
    // Without heights (a caller that does not know them) a word is a part as before.
    expect(named({ text: "TATE'S" })).toBeNull();
  });

  it('reads a brand whole without its small function words', () => {
    expect(named({ text: 'Biskit' }, { text: 'hicken' })).toBe('Chicken in a Biskit');
    expect(named({ text: 'Biskit' })).toBeNull();
  });
});

describe('a partial read of one word of a longer name', () => {
  // Synthetic bays: "XIANG" read on a 速香 (SUXIANG) pack is one edit from the start of JIANGUO, a word of 坚果坊's
  // name: a word read in part must not reach the score of a word read whole.
  const demo = buildTextIndex({ products: [product('P3002', '坚果坊', 'JIANGUO 2'), product('P4004', '速香', 'SUXIANG 4')] });
  it('stays below what a sure text needs', () => {
    const l = leader(matchPackText([{ text: 'XIANG', confidence: 0.95 }], demo).brands);
    expect(l === null || l.score < 0.8).toBe(true);
  });
});
