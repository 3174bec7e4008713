import { upsertMasterData } from '../analytics/master-data.ts';
import type { RuleThresholds } from '../analytics/rules/thresholds.ts';
import type { Row, Warehouse } from '../analytics/warehouse.ts';
import { generateDailyScans, type PairPlan } from './history.ts';
import { pick, seededRandom } from '../lib/seeded-random.ts';
import { addDays } from '../lib/days.ts';

/**
 * A chain with known answers for `npm run eval:alerts`, shaped unlike the demo (300 stores × 200 SKUs, 60 days of
 * sales, 300 days of orders, another seed). Every trap a rule can fall into is planted next to the real problems:
 * slow movers whose silence is normal, stock counted empty on pairs that still sell, a short silence in a category
 * with a longer window, promotions that move the own price across the 5% line, gaps just above and below 5%, and
 * customers just inside and outside 90 days.
 */
export interface GroundTruth {
  asOf: string;
  thresholds: RuleThresholds;
  /** Keys `type|store|sku` ('' sku for store-level types) that must be open after the close of `asOf`. */
  expected: Set<string>;
}

const CATEGORIES = ['生鲜', '酒水', '冷冻', '烘焙', '母婴', '宠物'];
/** The category with a longer zero-sale window (configured per category). */
const LONG_WINDOW_CATEGORY = '母婴';

const cents = (price: number) => Math.round(price * 100);

export async function loadGroundTruth(
  warehouse: Warehouse,
  options: { asOf: string; timezone: string; thresholds: RuleThresholds; seed?: number; stores?: number; skus?: number },
): Promise<GroundTruth> {
  const random = seededRandom(options.seed ?? 90210);
  const storeCount = options.stores ?? 300;
  const skuCount = options.skus ?? 200;
  const asOf = options.asOf;
  const thresholds: RuleThresholds = { ...options.thresholds, zeroSaleWindowDaysByCategory: { [LONG_WINDOW_CATEGORY]: 5 } };
  const windowOf = (category: string) => thresholds.zeroSaleWindowDaysByCategory[category] ?? thresholds.zeroSaleWindowDays;
  const expected = new Set<string>();

  const regions = ['华北', '华南', '西南'];
  const stores = Array.from({ length: storeCount }, (_, i) => ({
    store_id: `G${String(i + 1).padStart(4, '0')}`,
    name: `测试门店${i + 1}`,
    territory: `区域${i % 12}`,
    region: regions[i % regions.length]!,
    city: `城市${i % 30}`,
    lat: 22 + (i % 30) * 0.4,
    lon: 104 + (i % 17) * 0.5,
    format: 'supermarket',
    manager: `店长G${i + 1}`,
  }));
  const products = Array.from({ length: skuCount }, (_, i) => ({
    sku: `Q${String(i + 1).padStart(4, '0')}`,
    name: `商品${i + 1}`,
    brand: `品牌${i % 9}`,
    category: CATEGORIES[i % CATEGORIES.length]!,
    regular_price: Number((5 + random() * 60).toFixed(2)),
    is_competitor: false,
    matches_sku: '',
  }));
  // One competitor product for every fourth own SKU.
  const competitors = products
    .filter((_, i) => i % 4 === 0)
    .map((p) => ({
      sku: `R${p.sku.slice(1)}`,
      name: `竞品${p.sku}`,
      brand: '对手',
      category: p.category,
      regular_price: p.regular_price,
      is_competitor: true,
      matches_sku: p.sku,
    }));
  await upsertMasterData(warehouse, 'stores', stores);
  await upsertMasterData(warehouse, 'products', [...products, ...competitors]);

  const silentStores = new Set(stores.filter((_, i) => i % 50 === 17).map((s) => s.store_id));
  for (const s of silentStores) expected.add(`no_data|${s}|`);

  const pairs: PairPlan[] = [];
  const assortment: Row[] = [];
  const counts: { store_id: string; sku: string; on_hand: number; at: string }[] = [];
  const stillSelling = addDays(asOf, 1);
  for (const store of stores) {
    for (const product of products) {
      if (random() < 0.15) continue; // not ranged here
      assortment.push({ store_id: store.store_id, sku: product.sku });
      const slow = random() < 0.3;
      // Slow movers: at most 0.5 a day, so even the longest window expects ≤ 2.5 units and silence stays probable.
      const rate = slow ? 0.02 + random() * 0.48 : 2 + random() * 10;
      const pair: PairPlan = { store_id: store.store_id, sku: product.sku, rate, price: product.regular_price, silent_from: stillSelling };
      pairs.push(pair);
      const window = windowOf(product.category);
      const closeCount = `${asOf}T20:00:00+08:00`;
      if (silentStores.has(store.store_id)) {
        pair.silent_from = addDays(asOf, 1 - thresholds.zeroSaleWindowDays);
        continue;
      }
      const roll = random();
      if (!slow && roll < 0.015) {
        // A display problem: stock on hand (counted or never counted), no sales for the whole window.
        pair.silent_from = addDays(asOf, 1 - window);
        expected.add(`zero_sale|${store.store_id}|${product.sku}`);
        if (random() < 0.5)
          counts.push({ ...pair, on_hand: 0, at: `${addDays(asOf, -10)}T09:00:00+08:00` }, { ...pair, on_hand: 4 + Math.floor(random() * 20), at: closeCount });
      } else if (!slow && roll < 0.025) {
        // A stock-out: counted empty at the close.
        pair.silent_from = addDays(asOf, 1 - window);
        expected.add(`out_of_stock|${store.store_id}|${product.sku}`);
        counts.push({ ...pair, on_hand: 0, at: closeCount });
      } else if (!slow && roll < 0.03 && window > thresholds.zeroSaleWindowDays) {
        // A short silence in a long-window category: not yet an alert.
        pair.silent_from = addDays(asOf, 1 - thresholds.zeroSaleWindowDays);
      } else if (!slow && roll < 0.04) {
        // Counted empty, yet it sells (a miscount or a delivery the same day): sales decide, no alert.
        counts.push({ ...pair, on_hand: 0, at: closeCount });
      } else if (slow && roll < 0.05) {
        counts.push({ ...pair, on_hand: Math.floor(random() * 3), at: closeCount });
      }
    }
  }
  await upsertMasterData(warehouse, 'assortment', assortment);
  await generateDailyScans(warehouse, pairs, { firstDay: addDays(asOf, -59), days: 60, timezone: options.timezone, seed: options.seed ?? 90210 });
  await warehouse.insert(
    'inventory',
    counts.map((c, i) => ({ event_id: `gt-inv-${i}`, store_id: c.store_id, sku: c.sku, ts: c.at, on_hand: c.on_hand })),
  );

  // Promotions: a region promotion and, in some stores, a deeper store promotion on the same SKU.
  const promotions: Row[] = [];
  const effective = new Map<string, number>(); // store|sku → own price in cents on asOf
  const promoted = products.filter((_, i) => i % 8 === 0);
  for (const p of promoted) {
    const region = regions[cents(p.regular_price) % regions.length]!;
    const regionPrice = Number((p.regular_price * 0.9).toFixed(2));
    promotions.push({
      promo_id: `GT-R-${p.sku}`,
      sku: p.sku,
      region,
      store_id: '',
      start_date: addDays(asOf, -7),
      end_date: addDays(asOf, 7),
      promo_price: regionPrice,
    });
    // An ended region promotion must not count.
    promotions.push({
      promo_id: `GT-OLD-${p.sku}`,
      sku: p.sku,
      region,
      store_id: '',
      start_date: addDays(asOf, -30),
      end_date: addDays(asOf, -1),
      promo_price: Number((p.regular_price * 0.5).toFixed(2)),
    });
    for (const s of stores) {
      if (s.region === region) effective.set(`${s.store_id}|${p.sku}`, cents(regionPrice));
    }
    for (const s of stores.filter((_, i) => i % 7 === cents(p.regular_price) % 7)) {
      const storePrice = Number((p.regular_price * 0.82).toFixed(2));
      promotions.push({
        promo_id: `GT-S-${p.sku}-${s.store_id}`,
        sku: p.sku,
        region: '',
        store_id: s.store_id,
        start_date: addDays(asOf, -3),
        end_date: asOf,
        promo_price: storePrice,
      });
      effective.set(`${s.store_id}|${p.sku}`, cents(storePrice));
    }
  }
  await upsertMasterData(warehouse, 'promotions', promotions);

  // Competitor observations: gaps around the line against the own effective price, checked in integer cents.
  const ranged = new Set(assortment.map((a) => `${a.store_id}|${a.sku}`));
  const gapChoices = [-0.03, 0, 0.02, 0.04, 0.045, 0.049, 0.05, 0.051, 0.055, 0.07, 0.1, 0.2];
  const observations: Row[] = [];
  for (const store of stores) {
    for (const c of competitors) {
      if (!ranged.has(`${store.store_id}|${c.matches_sku}`) || random() < 0.5) continue;
      const own = products.find((p) => p.sku === c.matches_sku)!;
      const ownCents = effective.get(`${store.store_id}|${own.sku}`) ?? cents(own.regular_price);
      // An older observation first (a drop that has since been matched must not count), then the latest.
      const older = Math.round(ownCents * 0.7);
      const latest = Math.round(ownCents * (1 - pick(random, gapChoices)));
      observations.push(
        {
          event_id: `gt-cp-${store.store_id}-${c.sku}-1`,
          store_id: store.store_id,
          sku: c.sku,
          ts: `${addDays(asOf, -2)}T11:00:00+08:00`,
          price: older / 100,
          source: 'manual',
        },
        {
          event_id: `gt-cp-${store.store_id}-${c.sku}-2`,
          store_id: store.store_id,
          sku: c.sku,
          ts: `${asOf}T15:00:00+08:00`,
          price: latest / 100,
          source: 'photo',
        },
      );
      if (100 * (ownCents - latest) >= Math.round(thresholds.minPriceGap * 100) * ownCents) expected.add(`price_gap|${store.store_id}|${own.sku}`);
    }
  }
  await warehouse.insert('competitor_prices', observations);

  // Orders: every two weeks over 300 days; some customers stop, just inside or outside the dormancy line.
  const orders: Row[] = [];
  stores.forEach((store, i) => {
    if (i % 40 === 3) return; // never ordered: not a dormant customer
    const stoppedDaysAgo = i % 10 === 1 ? thresholds.dormantAfterDays + (i % 3) * 40 : i % 10 === 2 ? thresholds.dormantAfterDays - 1 - (i % 5) : 0;
    if (i % 10 === 1) expected.add(`dormant_customer|${store.store_id}|`);
    for (let ago = stoppedDaysAgo; ago < 300; ago += 14) {
      const day = addDays(asOf, -ago);
      const p = products[(i * 3 + ago) % products.length]!;
      orders.push({
        event_id: `gt-o-${store.store_id}-${day}`,
        order_id: `GO-${store.store_id}-${day}`,
        store_id: store.store_id,
        sku: p.sku,
        ts: `${day}T10:00:00+08:00`,
        qty: 20,
        unit_price: Number((p.regular_price * 0.75).toFixed(2)),
      });
    }
  });
  await warehouse.insert('orders', orders);
  return { asOf, thresholds, expected };
}
