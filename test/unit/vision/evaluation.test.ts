import { describe, expect, it } from 'vitest';
import type { Corners } from '../../../vision/detector.ts';
import {
  averagePrecision,
  duplicates,
  formatModelCard,
  fragments,
  gapFalseAlarms,
  gapsFound,
  matchBoxes,
  modelCard,
  priceFigures,
  shareByWidth,
  shareErrorPoints,
  type PhotoOutcome,
} from '../../../vision/evaluation.ts';
import { checkLabelledShape, LabelFormatError, parseCocoLabels, parseSku110kCsv, parseYoloClassNames, parseYoloLabels } from '../../../vision/labels.ts';

// Two packs side by side, 100 × 200 each.
const packA: Corners = [0, 0, 100, 200];
const packB: Corners = [120, 0, 220, 200];

describe('model card scoring', () => {
  it('matches one found box to one pack, the higher score first, and calls the rest a duplicate', () => {
    const found = [
      { box: [2, 2, 100, 200] as Corners, score: 0.7 },
      { box: [0, 0, 98, 196] as Corners, score: 0.9 },
    ];
    const m = matchBoxes([packA, packB], found);
    expect(m.truthOf).toEqual([-1, 0]);
    expect(m.matchedTruth).toEqual([true, false]);
    expect(duplicates([packA, packB], found, m)).toEqual([0]);
  });

  it('counts a box on the pack top as a fragment, not a duplicate, and the pack left alone as missed', () => {
    const found = [
      { box: [0, 0, 100, 200] as Corners, score: 0.9 },
      { box: [125, 0, 215, 60] as Corners, score: 0.8 }, // the top of pack B only
      { box: [300, 0, 400, 200] as Corners, score: 0.6 }, // nothing there
    ];
    const m = matchBoxes([packA, packB], found);
    expect(fragments([packA, packB], found, m)).toEqual([1]);
    expect(duplicates([packA, packB], found, m)).toEqual([]);
    expect(m.matchedTruth).toEqual([true, false]);
  });

  it('gives the all-point interpolated AP of a known ranking', () => {
    // Ranked: hit, miss, hit over 2 packs → points (r .5, p 1), (r .5, p .5), (r 1, p 2/3): AP = .5·1 + .5·2/3.
    const ap = averagePrecision([
      {
        truth: [packA, packB],
        found: [
          { box: packA, score: 0.9 },
          { box: [500, 0, 600, 200], score: 0.8 },
          { box: packB, score: 0.7 },
        ],
      },
    ]);
    expect(ap).toBeCloseTo(0.5 + 0.5 * (2 / 3), 6);
    expect(averagePrecision([{ truth: [packA], found: [] }])).toBe(0);
  });

  it('calls a gap over a standing pack a false alarm and finds a labelled empty stretch', () => {
    expect(
      gapFalseAlarms(
        [packA, packB],
        [
          [90, 0, 130, 200],
          [230, 0, 330, 200],
        ],
      ),
    ).toBe(0);
    expect(gapFalseAlarms([packA, packB], [[40, 0, 160, 200]])).toBe(1);
    expect(gapsFound([[230, 0, 330, 200]], [[240, 10, 340, 190]])).toBe(1);
    expect(gapsFound([[230, 0, 330, 200]], [[0, 300, 100, 400]])).toBe(0);
  });

  it('measures share of shelf by width with unknown as its own slice', () => {
    const truth = shareByWidth([
      { box: packA, brand: 'Coca-Cola' },
      { box: packB, brand: 'West' },
    ]);
    const found = shareByWidth([
      { box: packA, brand: 'coca cola' },
      { box: packB, brand: 'unknown' },
    ]);
    expect(truth.get('cocacola')).toBeCloseTo(0.5);
    expect(found.get('unknown')).toBeCloseTo(0.5);
    expect(shareErrorPoints(truth, found)).toBeCloseTo(50);
  });

  it('puts it together per class, with brand accuracy over matched packs with a brand label', () => {
    const photo: PhotoOutcome = {
      fileName: 'bay.jpg',
      truth: [
        { label: 'product', bbox: [0, 0, 100, 200], brand: 'West', sku: 'unknown' },
        { label: 'product', bbox: [120, 0, 100, 200] },
        { label: 'price_tag', bbox: [0, 210, 40, 20] },
        { label: 'gap', bbox: [240, 0, 100, 200] },
      ],
      packs: [
        { box: packA, score: 0.9, brand: 'west', sku: 'unknown' },
        { box: [10, 0, 90, 80], score: 0.5, brand: 'unknown', sku: 'unknown' },
      ],
      priceTags: [{ box: [0, 210, 40, 230], score: 1, price: 2.95 }],
      gaps: [[250, 0, 340, 200]],
      latencyMs: 300,
    };
    const card = modelCard([photo, { ...photo, fileName: 'bay2.jpg', latencyMs: 500 }]);
    expect(card.photos).toBe(2);
    expect(card.labelled_packs).toBe(4);
    expect(card.classes.product).toMatchObject({ labelled: 4, predicted: 4, matched: 2, recall: 0.5, precision: 0.5 });
    expect(card.classes.price_tag).toMatchObject({ recall: 1, precision: 1, ap50: 1 });
    expect(card.fragments).toBe(2);
    expect(card.gap_recall).toBe(1);
    expect(card.gap_false_alarms).toBe(0);
    expect(card.brand_accuracy).toBe(1);
    expect(card.brand_labelled_matched).toBe(2);
    expect(card.latency_p50_ms).toBe(300);
    expect(card.brand_named_precision).toBe(1);
    expect(card.brand_on_labelled_boxes).toBeNull(); // not measured
    expect(card.prices).toBeNull(); // no price labelled
  });

  it('scores named brands, and recognition on the labelled boxes apart from detection', () => {
    const truth: PhotoOutcome['truth'] = [
      { label: 'product', bbox: [0, 0, 100, 200], brand: 'dmBio', sku: 'unknown' },
      { label: 'product', bbox: [100, 0, 100, 200], brand: 'dmBio', sku: 'unknown' },
      { label: 'product', bbox: [200, 0, 100, 200], brand: 'Tartex', sku: 'unknown' },
      { label: 'product', bbox: [300, 0, 100, 200] },
    ];
    const card = modelCard([
      {
        fileName: 'bay.jpg',
        truth,
        // A wrong brand on the first pack, the third left unknown.
        packs: [
          { box: [0, 0, 100, 200], score: 0.9, brand: 'Tartex', sku: 'unknown' },
          { box: [100, 0, 200, 200], score: 0.9, brand: 'dmBio', sku: 'unknown' },
          { box: [200, 0, 300, 200], score: 0.9, brand: 'unknown', sku: 'unknown' },
        ],
        priceTags: [],
        gaps: [],
        latencyMs: 100,
        recognisedOnLabelledBoxes: ['dmBio', 'dmBio', 'unknown', 'dmBio'].map((brand) => ({ brand, sku: 'unknown' })),
      },
    ]);
    expect(card.brand_accuracy).toBeCloseTo(1 / 3, 3);
    expect(card.brand_named).toBe(2);
    expect(card.brand_named_precision).toBe(0.5);
    // The unlabelled fourth pack counts in neither accuracy nor precision, but does in the share of shelf.
    expect(card.brand_on_labelled_boxes).toEqual({ labelled: 3, accuracy: 0.667, named: 2, named_precision: 1, share_error_points: 25 });
    expect(card.brand_legible).toBeNull(); // no pack marked
  });

  it('gives brand accuracy on the packs whose brand the labels mark legible', () => {
    const { truth, card } = bayOfPacks([
      { attributes: { brand: 'Ritz', brand_legible: true }, found: { brand: 'Ritz', sku: 'unknown' }, onBox: { brand: 'Ritz', sku: 'unknown' } },
      { attributes: { brand: 'Ritz', brand_legible: false }, found: { brand: 'unknown', sku: 'unknown' }, onBox: { brand: 'unknown', sku: 'unknown' } },
      { attributes: { brand: 'Triscuit', brand_legible: true }, found: { brand: 'unknown', sku: 'unknown' }, onBox: { brand: 'Triscuit', sku: 'unknown' } },
    ]);
    expect(truth.map((b) => b.brandLegible)).toEqual([true, false, true]);
    expect(card.brand_legible).toEqual({ matched: 2, accuracy: 0.5, labelled_boxes: 2, accuracy_on_labelled_boxes: 1 });
    expect(formatModelCard(card, { detector: 'd', minScore: 0.6 })).toContain(
      'brand accuracy where the brand is legible          50.0 % of 2 matched packs, 100.0 % of 2 labelled boxes',
    );
  });
});

describe('SKU figures', () => {
  it('scores the SKUs of matched packs and of labelled boxes, a reference facing aside, and how far a named SKU is right', () => {
    const ritz = (sku: string) => ({ brand: 'Ritz', sku });
    const { truth, card } = bayOfPacks([
      { attributes: { brand: 'Ritz', sku: 'RITZ-ORIGINAL', reference: true }, found: ritz('RITZ-ORIGINAL'), onBox: ritz('RITZ-ORIGINAL') },
      { attributes: { brand: 'Ritz', sku: 'RITZ-ORIGINAL' }, found: ritz('RITZ-ORIGINAL'), onBox: ritz('RITZ-ORIGINAL') },
      { attributes: { brand: 'Ritz', sku: 'RITZ-CHEESE' }, found: ritz('RITZ-ORIGINAL'), onBox: ritz('unknown') },
      { attributes: { brand: 'Ritz' }, found: ritz('RITZ-ORIGINAL'), onBox: ritz('RITZ-CHEESE') },
    ]);
    expect(truth.map((b) => [b.sku, b.reference])).toEqual([
      ['RITZ-ORIGINAL', true],
      ['RITZ-ORIGINAL', undefined],
      ['RITZ-CHEESE', undefined],
      [undefined, undefined],
    ]);
    // The reference facing and the pack without a SKU label are not scored.
    expect(card.sku).toEqual({
      matched: { labelled: 2, accuracy: 0.5, named: 2, named_precision: 0.5, with_pack_shot: null },
      labelled_boxes: { labelled: 2, accuracy: 0.5, named: 1, named_precision: 1, with_pack_shot: null },
    });
    expect(formatModelCard(card, { detector: 'd', minScore: 0.6 })).toContain(
      'SKU accuracy on the labelled boxes                50.0 % of 2, named right 100.0 % of 1 (reference',
    );
  });

  it('scores apart the packs whose SKU has a pack shot in the catalogue', () => {
    const ritz = (sku: string) => ({ brand: 'Ritz', sku });
    const { card } = bayOfPacks(
      [
        { attributes: { brand: 'Ritz', sku: 'RITZ-ORIGINAL' }, found: ritz('RITZ-ORIGINAL'), onBox: ritz('RITZ-ORIGINAL') },
        { attributes: { brand: 'Ritz', sku: 'RITZ-ORIGINAL' }, found: ritz('unknown'), onBox: ritz('RITZ-ORIGINAL') },
        { attributes: { brand: 'Ritz', sku: 'RITZ-CHEESE' }, found: ritz('unknown'), onBox: ritz('unknown') },
      ],
      new Set(['RITZ-ORIGINAL']),
    );
    expect(card.sku?.matched.with_pack_shot).toEqual({ labelled: 2, accuracy: 0.5 });
    expect(card.sku?.labelled_boxes?.with_pack_shot).toEqual({ labelled: 2, accuracy: 1 });
    expect(formatModelCard(card, { detector: 'd', minScore: 0.6 })).toContain(
      'SKU accuracy on the labelled boxes                66.7 % of 3, named right 100.0 % of 2, SKUs with a pack shot 100.0 % of 2',
    );
  });
});

/**
 * A bay of packs 100 px wide side by side, labelled in COCO with the given attributes, each found where it stands
 * with the `found` recognition and recognised on its labelled box as `onBox`: its labels as read and its card.
 */
function bayOfPacks(
  packs: { attributes: Record<string, unknown>; found: { brand: string; sku: string }; onBox: { brand: string; sku: string } }[],
  shotSkus: ReadonlySet<string> = new Set(),
) {
  const [photo] = parseCocoLabels(
    JSON.stringify({
      images: [{ id: 1, file_name: 'bay.jpg', width: 100 * packs.length, height: 200 }],
      categories: [{ id: 1, name: 'product' }],
      annotations: packs.map((p, k) => ({ image_id: 1, category_id: 1, bbox: [100 * k, 0, 100, 200], attributes: p.attributes })),
    }),
  );
  const card = modelCard(
    [
      {
        fileName: 'bay.jpg',
        truth: photo!.boxes,
        packs: packs.map((p, k) => ({ box: [100 * k, 0, 100 * (k + 1), 200], score: 0.9, ...p.found })),
        priceTags: [],
        gaps: [],
        latencyMs: 100,
        recognisedOnLabelledBoxes: packs.map((p) => p.onBox),
      },
    ],
    shotSkus,
  );
  return { truth: photo!.boxes, card };
}

describe('label files', () => {
  it('reads COCO with a brand attribute and leaves unscored classes aside', () => {
    const photos = parseCocoLabels(
      JSON.stringify({
        images: [{ id: 7, file_name: 'a.jpg', width: 400, height: 300 }],
        annotations: [
          { image_id: 7, category_id: 1, bbox: [10, 20, 30, 40], attributes: { brand: 'West', sku: 'unknown' } },
          { image_id: 7, category_id: 2, bbox: [10, 70, 20, 10] },
          { image_id: 7, category_id: 3, bbox: [0, 0, 400, 10] },
        ],
        categories: [
          { id: 1, name: 'Product' },
          { id: 2, name: 'Price' },
          { id: 3, name: 'shelf' },
        ],
      }),
    );
    expect(photos).toEqual([
      {
        fileName: 'a.jpg',
        width: 400,
        height: 300,
        boxes: [
          { label: 'product', bbox: [10, 20, 30, 40], brand: 'West', sku: 'unknown' },
          { label: 'price_tag', bbox: [10, 70, 20, 10] },
        ],
        ignored: { shelf: 1 },
      },
    ]);
    expect(() => parseCocoLabels('{"images": []}')).toThrow(LabelFormatError);
  });

  it('reads YOLO txt in normalised centre form, class names from classes.txt or data.yaml', () => {
    expect(parseYoloClassNames('object\nprice\n', 'txt')).toEqual(['object', 'price']);
    expect(parseYoloClassNames('nc: 2\nnames: [object, gap]\n', 'yaml')).toEqual(['object', 'gap']);
    expect(parseYoloClassNames('names:\n  0: product\n  1: price_tag\n', 'yaml')).toEqual(['product', 'price_tag']);
    const photo = parseYoloLabels('0 0.5 0.5 0.25 0.5\n1 0.1 0.9 0.1 0.1 0.87\n', ['object', 'price'], { fileName: 'b.jpg', width: 400, height: 200 });
    expect(photo.boxes).toHaveLength(2);
    expect(photo.boxes[0]).toEqual({ label: 'product', bbox: [150, 50, 100, 100] });
    expect(photo.boxes[1]!.label).toBe('price_tag');
    expect(photo.boxes[1]!.bbox.map((v) => Math.round(v))).toEqual([20, 170, 40, 20]);
    expect(() => parseYoloLabels('5 0.5 0.5 0.1 0.1', ['object'], { fileName: 'b.jpg', width: 1, height: 1 })).toThrow(/class 5/);
    expect(() => parseYoloLabels('0 50 50 10 10', ['object'], { fileName: 'b.jpg', width: 1, height: 1 })).toThrow(/normalised/);
  });

  it('reads the SKU-110K CSV, a row a box in corners, with or without a header', () => {
    // As annotations_train.csv has them: no header, every pack an `object`.
    const csv = 'train_0.jpg,208,537,422,814,object,3024,3024\ntrain_0.jpg,1268,1923,1365,2209,object,3024,3024\ntrain_1.jpg,5,10,105,60,object,2336,4160\n';
    const photos = parseSku110kCsv(csv);
    expect(photos.map((p) => [p.fileName, p.width, p.height, p.boxes.length])).toEqual([
      ['train_0.jpg', 3024, 3024, 2],
      ['train_1.jpg', 2336, 4160, 1],
    ]);
    expect(photos[0]!.boxes[0]).toEqual({ label: 'product', bbox: [208, 537, 214, 277] });
    const withHeader = parseSku110kCsv(`image_name,x1,y1,x2,y2,class,image_width,image_height\n${csv}a.jpg,1,1,9,9,shelf,10,10\n`);
    expect(withHeader).toHaveLength(3);
    expect(withHeader[2]!.ignored).toEqual({ shelf: 1 });
    expect(() => parseSku110kCsv('a.jpg,1,1,9,9,object,10\n')).toThrow(/row 1: a row is image_name,x1,y1,x2,y2,class,image_width,image_height/);
    expect(() => parseSku110kCsv('a.jpg,9,1,1,9,object,10,10\n')).toThrow(/x2 and y2 must be right of and below/);
    expect(() => parseSku110kCsv('a.jpg,1,1,9,9,object,10,10\na.jpg,1,1,9,9,object,20,10\n')).toThrow(/given as 10×10 on an earlier row/);
  });

  it('takes a photo at another size than its labels, not one turned or cropped', () => {
    const photo = { fileName: 'p.jpg', width: 4032, height: 3024 };
    expect(() => checkLabelledShape(photo, 2016, 1512)).not.toThrow();
    expect(() => checkLabelledShape(photo, 2015, 1511)).not.toThrow();
    expect(() => checkLabelledShape(photo, 1512, 2016)).toThrow(/p.jpg is 1512×2016 upright, but its labels are drawn on 4032×3024/);
    expect(() => checkLabelledShape(photo, 2016, 1300)).toThrow(LabelFormatError);
  });
});

describe('tag prices', () => {
  // Four dm tags, 70 × 60 each; the prices printed on them.
  const tag = (x: number, price?: number) => ({
    label: 'price_tag' as const,
    bbox: [x, 300, 70, 60] as [number, number, number, number],
    ...(price ? { price } : {}),
  });
  const truth = [tag(0, 0.85), tag(100, 2.95), tag(200, 3.75), tag(300, 12.9), tag(400)];
  const read = (x: number, price: number) => ({ box: [x, 300, x + 70, 360] as Corners, score: 1, price });

  it('counts the tags read to the cent and those read wrong; unread and unlabelled tags are neither', () => {
    // 0.85 right, 2.95 read 2.59 (wrong), 3.75 not read, 12.90 right as 12.9; the unpriced tag and a tag off any label are ignored.
    const found = [read(2, 0.85), read(100, 2.59), read(305, 12.9), read(400, 1), read(600, 5)];
    expect(priceFigures(truth, found)).toEqual({ labelled: 4, read: 3, right: 2, wrong: 1 });
  });

  it('a price is right only to the cent', () => {
    expect(priceFigures([tag(0, 2.95)], [read(0, 2.94)])).toMatchObject({ right: 0, wrong: 1 });
    expect(priceFigures([tag(0, 2.95)], [read(0, 2.950001)])).toMatchObject({ right: 1, wrong: 0 });
  });

  it('puts the prices on the card, as answered and as read on the labelled boxes, and prints them', () => {
    const photo: PhotoOutcome = {
      fileName: 'dm.jpg',
      truth,
      packs: [],
      priceTags: [read(0, 0.85)],
      gaps: [],
      latencyMs: 100,
      pricesOnLabelledBoxes: [0.85, 2.95, null, 12.8, 1],
    };
    const card = modelCard([photo]);
    expect(card.prices).toEqual({ labelled: 4, read: 1, right: 1, wrong: 0 });
    expect(card.prices_on_labelled_boxes).toEqual({ labelled: 4, read: 3, right: 2, wrong: 1 });
    expect(formatModelCard(card, { detector: 'd', minScore: 0.6 })).toMatch(
      /tag prices read on the labelled tag boxes\s+4 labelled, 3 read: 2 right to the cent, 1 wrong/,
    );
  });
});
