/**
 * The demo chain's packs as the renderer draws them, with SKU ids that line up with the demo chain (P<category><nnn>
 * own products, C<category><nnn> competitor products) and its brand rule (the category's brands in turn). Recognition
 * knows them only as data: the demo registers their rendered fronts as reference images and their printed labels as
 * aliases, as a chain does with its own pack shots. Pack text is printed in pinyin: the renderer's fonts have no CJK
 * glyphs.
 */
export type PackShape = 'box' | 'bottle' | 'can' | 'pouch';

export interface CatalogSku {
  sku: string;
  brand: string;
  /** Latin label printed on the pack. */
  label: string;
  is_competitor: boolean;
  shape: PackShape;
  /** Pack size relative to the shelf row height (height) and to the height (width). */
  heightRatio: number;
  aspect: number;
  /** Main and accent colours, hex. */
  colour: string;
  accent: string;
  regular_price: number;
}

const CATEGORIES = [
  {
    c: 1,
    brands: [
      ['清泉', 'QINGQUAN'],
      ['果园', 'GUOYUAN'],
      ['茶语', 'CHAYU'],
    ],
    shapes: ['bottle', 'can', 'bottle'],
    price: [2.5, 8],
  },
  {
    c: 2,
    brands: [
      ['牧原', 'MUYUAN'],
      ['晨光乳业', 'CHENGUANG'],
    ],
    shapes: ['box', 'bottle'],
    price: [3, 18],
  },
  {
    c: 3,
    brands: [
      ['脆乐', 'CUILE'],
      ['坚果坊', 'JIANGUO'],
      ['好滋味', 'HAOZIWEI'],
    ],
    shapes: ['pouch', 'pouch', 'box'],
    price: [4, 25],
  },
  {
    c: 4,
    brands: [
      ['面面', 'MIANMIAN'],
      ['速香', 'SUXIANG'],
    ],
    shapes: ['box', 'pouch'],
    price: [3, 15],
  },
] as const;
const COMPETITORS = [
  ['恒泰', 'HENGTAI'],
  ['金禾', 'JINHE'],
] as const;
const SKUS_PER_CATEGORY = 6;

const ASPECT: Record<PackShape, number> = { box: 0.75, bottle: 0.36, can: 0.55, pouch: 0.72 };

function hsl(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return `#${[f(0), f(8), f(4)].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

function buildCatalog(): CatalogSku[] {
  const skus: CatalogSku[] = [];
  let n = 0;
  for (const cat of CATEGORIES) {
    for (let i = 0; i < SKUS_PER_CATEGORY; i++) {
      const b = i % cat.brands.length;
      const [brand, label] = cat.brands[b]!;
      const shape = cat.shapes[b] as PackShape;
      // Hues step by 13/32 of the circle: 32 packs get 32 hues 11° apart, neighbours far apart; lightness alternates for a second cue.
      const hue = (n * 146.25) % 360;
      const [low, high] = cat.price;
      // Shelf prices end in .50 or .90, as real ones mostly do.
      const price = Math.floor(low + ((n * 0.618) % 1) * (high - low)) + (n % 2 === 0 ? 0.9 : 0.5);
      skus.push({
        sku: `P${cat.c}${String(i + 1).padStart(3, '0')}`,
        brand,
        label: `${label} ${i + 1}`,
        is_competitor: false,
        shape,
        heightRatio: 0.62 + ((n * 0.37) % 1) * 0.28,
        aspect: ASPECT[shape],
        colour: hsl(hue, 0.7, n % 2 === 0 ? 0.45 : 0.6),
        accent: hsl((n * 33.75 + 180) % 360, 0.75, n % 3 === 0 ? 0.85 : 0.3),
        regular_price: Number(price.toFixed(2)),
      });
      n++;
      if (i % 5 === 0) {
        const [cbrand, clabel] = COMPETITORS[i % 2]!;
        const chue = (n * 146.25) % 360;
        skus.push({
          sku: `C${cat.c}${String(i + 1).padStart(3, '0')}`,
          brand: cbrand,
          label: `${clabel} ${cat.c}${i + 1}`,
          is_competitor: true,
          shape,
          heightRatio: 0.6 + ((n * 0.53) % 1) * 0.3,
          aspect: ASPECT[shape] * 1.08,
          colour: hsl(chue, 0.55, 0.5),
          accent: hsl((n * 33.75 + 180) % 360, 0.75, n % 3 === 0 ? 0.85 : 0.3),
          regular_price: Math.floor(price * 0.93) + 0.8,
        });
        n++;
      }
    }
  }
  return skus;
}

export const CATALOG: readonly CatalogSku[] = buildCatalog();

/** The words a demo pack prints: its Latin label. */
export const demoAliases = (sku: CatalogSku): string[] => [sku.label];
