import { upsertMasterData } from '../analytics/master-data.ts';
import { closedDaysOf, openWindow } from '../analytics/rules/calendar.ts';
import type { RuleThresholds } from '../analytics/rules/thresholds.ts';
import type { Row, Warehouse } from '../analytics/warehouse.ts';
import { addDays, dayRange } from '../lib/days.ts';
import { seededRandom } from '../lib/seeded-random.ts';
import { generateDailyScans, type PairPlan } from './history.ts';

/**
 * The harder chain of `npm run eval:alerts`: a calendar the plain chain lacks, with a known answer. It is closed
 * three days in turn (K = 3) with some stores' POS rows of those days and a region's closure arriving only
 * after those closes, then the three days are closed again. Planted next to real zero-sales, stock-outs and blind
 * stores: a chain holiday in the baseline, stores closed for a refit over the window, a region closed on the last
 * day, promotions that ended just before the window (the sales after them fall back to the regular rate), new
 * listings (some with too little history to judge), and weekend-only sellers on a Monday–Wednesday window.
 */
export interface CalendarTruth {
  asOf: string;
  thresholds: RuleThresholds;
  /** The days closed in turn, then closed again after the late rows. */
  closeDays: string[];
  /** Keys `type|store|sku` that an on-time feed leaves open after the close of `asOf`. */
  expected: Set<string>;
  /** Writes what arrives late: the late stores' scans of the closed days and the region's closure. */
  deliverLate: () => Promise<void>;
}

const REGIONS = ['华北', '华南', '西南'];
/** Closed on the as-of day (a typhoon), registered only after the closes. */
const TYPHOON_REGION = '西南';
/** The region whose promotions end before the window. */
const PROMOTION_REGION = '华南';

export async function loadCalendarTruth(
  warehouse: Warehouse,
  options: { asOf: string; timezone: string; thresholds: RuleThresholds; seed?: number; stores?: number; skus?: number },
): Promise<CalendarTruth> {
  const seed = options.seed ?? 4242;
  const random = seededRandom(seed);
  const { asOf, timezone, thresholds } = options;
  const storeCount = options.stores ?? 120;
  const skuCount = options.skus ?? 60;
  const historyDays = 75;
  const firstDay = addDays(asOf, 1 - historyDays);
  const closeDays = dayRange(addDays(asOf, 1 - thresholds.recloseDays), asOf);
  const expected = new Set<string>();

  const stores = Array.from({ length: storeCount }, (_, i) => ({
    store_id: `H${String(i + 1).padStart(4, '0')}`,
    name: `日历门店${i + 1}`,
    territory: `片区${i % 6}`,
    region: REGIONS[i % REGIONS.length]!,
    city: `城市${i % 20}`,
    lat: 23 + (i % 20) * 0.3,
    lon: 105 + (i % 13) * 0.6,
    format: 'supermarket',
    manager: `店长H${i + 1}`,
  }));
  const products = Array.from({ length: skuCount }, (_, i) => ({
    sku: `K${String(i + 1).padStart(4, '0')}`,
    name: `日历商品${i + 1}`,
    brand: `品牌${i % 5}`,
    category: ['饮料', '零食', '日化'][i % 3]!,
    regular_price: Number((4 + random() * 30).toFixed(2)),
    is_competitor: false,
    matches_sku: '',
  }));
  await upsertMasterData(warehouse, 'stores', stores);
  await upsertMasterData(warehouse, 'products', products);

  // The calendar: a two-day chain holiday in the baseline, four stores refitting over the window, a typhoon day.
  const holiday = [addDays(asOf, -20), addDays(asOf, -19)].map((date) => ({ date, store_id: '', region: '', reason: '中秋' }));
  const refitting = new Set(stores.filter((_, i) => i % 30 === 5).map((s) => s.store_id));
  const refits = [...refitting].flatMap((store_id) => dayRange(addDays(asOf, -3), asOf).map((date) => ({ date, store_id, region: '', reason: '装修' })));
  const typhoon = [{ date: asOf, store_id: '', region: TYPHOON_REGION, reason: '台风' }];
  await upsertMasterData(warehouse, 'closures', [...holiday, ...refits]);
  const calendar = [...holiday, ...refits, ...typhoon];

  // Stores whose feed broke (not closed): blind for the whole window. Stores whose rows of the closed days come late.
  const blind = new Set(stores.filter((_, i) => i % 40 === 11).map((s) => s.store_id));
  for (const s of blind) expected.add(`no_data|${s}|`);
  const lateStores = new Set(stores.filter((s, i) => i % 12 === 1 && !blind.has(s.store_id)).map((s) => s.store_id));

  const promoted = new Set(products.filter((_, i) => i % 10 === 4).map((p) => p.sku));
  const promoFrom = addDays(asOf, -30);
  const promoTo = addDays(asOf, -3);
  await upsertMasterData(
    warehouse,
    'promotions',
    products
      .filter((p) => promoted.has(p.sku))
      .map((p) => ({
        promo_id: `CAL-${p.sku}`,
        sku: p.sku,
        region: PROMOTION_REGION,
        store_id: '',
        start_date: promoFrom,
        end_date: promoTo,
        promo_price: Number((p.regular_price * 0.7).toFixed(2)),
      })),
  );

  const pairs: PairPlan[] = [];
  const assortment: Row[] = [];
  const counts: Row[] = [];
  const stillSelling = addDays(asOf, 1);
  for (const store of stores) {
    const closed = closedDaysOf(calendar, store);
    const closedDays = [...closed.keys()];
    // The store's window as an on-time feed sees it: its last 3 open days.
    const window = openWindow(asOf, thresholds.zeroSaleWindowDays, closed);
    for (const product of products) {
      if (random() < 0.15) continue;
      assortment.push({ store_id: store.store_id, sku: product.sku });
      const slow = random() < 0.3;
      const pair: PairPlan = {
        store_id: store.store_id,
        sku: product.sku,
        rate: slow ? 0.02 + random() * 0.48 : 3 + random() * 7,
        price: product.regular_price,
        silent_from: stillSelling,
        closed: closedDays,
      };
      pairs.push(pair);
      if (blind.has(store.store_id)) {
        pair.silent_from = window[0]!;
        continue;
      }
      const key = `${store.store_id}|${product.sku}`;
      const roll = random();
      if (promoted.has(product.sku) && store.region === PROMOTION_REGION) {
        pair.promo_from = promoFrom;
        pair.promo_to = promoTo;
        pair.promo_lift = 3;
        if (roll < 0.4) {
          // After the promotion it sells at a slow regular rate: three quiet days are normal, not an alert.
          pair.rate = 0.4 + random() * 0.3;
          pair.silent_from = window[0]!;
        } else if (!slow && roll < 0.55) {
          // A real display problem right after the promotion.
          pair.silent_from = window[0]!;
          expected.add(`zero_sale|${key}`);
        }
      } else if (roll < 0.03) {
        // A weekend-only seller: nothing Monday to Friday is its normal week.
        pair.weekend_only = true;
        pair.rate = 4 + random() * 6;
      } else if (roll < 0.045) {
        // A new listing with 8–12 days of sales before the window, then silence: judged on its own exposure.
        pair.rate = 3 + random() * 3;
        pair.first_day = addDays(window[0]!, -(8 + Math.floor(random() * 5)));
        pair.silent_from = window[0]!;
        expected.add(`zero_sale|${key}`);
      } else if (roll < 0.055) {
        // Listed 4 days before the window: too little history to alert on.
        pair.rate = 3 + random() * 3;
        pair.first_day = addDays(window[0]!, -4);
        pair.silent_from = window[0]!;
      } else if (!slow && roll < 0.075) {
        // A display problem over the store's open window (before a refit or a typhoon, the days before them).
        pair.silent_from = window[0]!;
        expected.add(`zero_sale|${key}`);
      } else if (!slow && roll < 0.085) {
        pair.silent_from = window[0]!;
        expected.add(`out_of_stock|${key}`);
        counts.push({ event_id: `cal-inv-${key}`, store_id: store.store_id, sku: product.sku, ts: `${asOf}T20:00:00+08:00`, on_hand: 0 });
      }
    }
  }
  await upsertMasterData(warehouse, 'assortment', assortment);
  await warehouse.insert('inventory', counts);

  const lateFrom = closeDays[0]!;
  const onTime = pairs.filter((p) => !lateStores.has(p.store_id));
  const late = pairs.filter((p) => lateStores.has(p.store_id));
  await generateDailyScans(warehouse, onTime, { firstDay, days: historyDays, timezone, seed });
  await generateDailyScans(warehouse, late, { firstDay, days: historyDays - closeDays.length, timezone, seed });
  return {
    asOf,
    thresholds,
    closeDays,
    expected,
    deliverLate: async () => {
      await generateDailyScans(warehouse, late, { firstDay: lateFrom, days: closeDays.length, timezone, seed });
      await upsertMasterData(warehouse, 'closures', typhoon);
    },
  };
}
