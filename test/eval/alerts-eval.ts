/**
 * `npm run eval:alerts`: a chain with known ground truth — a different seed and shape from the demo — loaded into
 * a fresh chDB, one daily close, then precision and recall per alert type against what was injected.
 *
 * Shape: 150 stores × 120 own SKUs, 60 days. Normal pairs are fast (≥ 3 a day) or slow movers (< 0.5 a day, which
 * must never alert); display problems and stock-outs are fast pairs that stop selling for the last 3–5 days;
 * competitor prices sit just under and just over the 5% line against the own effective price, with store and
 * region promotions moving that price; customers stop ordering 80–200 days ago.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateDay } from '../../analytics/alerts/evaluate.ts';
import { openAlerts } from '../../analytics/alerts/store.ts';
import { pick, seededRandom } from '../../analytics/demo/random.ts';
import { openWarehouse } from '../../analytics/open-warehouse.ts';
import { DEFAULT_THRESHOLDS } from '../../analytics/rules/thresholds.ts';
import type { Row } from '../../analytics/warehouse.ts';

const AS_OF = '2026-06-30';
const DAYS = 60;
const STORES = 150;
const SKUS = 120;
const TIMEZONE = 'Asia/Shanghai';

const random = seededRandom(424242);
const day = (offset: number) => new Date(Date.parse(`${AS_OF}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);

/** Knuth's Poisson sampler (means here are small). */
function poisson(mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

interface Truth {
  zero_sale: Set<string>;
  out_of_stock: Set<string>;
  price_gap: Set<string>;
  dormant_customer: Set<string>;
  no_data: Set<string>;
}

function generate() {
  const stores: Row[] = Array.from({ length: STORES }, (_, i) => ({
    store_id: `E${String(i + 1).padStart(3, '0')}`,
    name: `评估门店${i + 1}`,
    territory: `T${(i % 6) + 1}`,
    region: i % 2 === 0 ? '华东' : '华南',
    city: '杭州',
    lat: 30 + random(),
    lon: 120 + random(),
  }));
  const products: Row[] = [];
  for (let s = 0; s < SKUS; s++) {
    const price = Number((5 + random() * 45).toFixed(2));
    products.push({ sku: `Q${s}`, name: `商品${s}`, brand: `B${s % 7}`, category: `C${s % 4}`, regular_price: price, is_competitor: false, matches_sku: '' });
    products.push({ sku: `X${s}`, name: `竞品${s}`, brand: 'Rival', category: `C${s % 4}`, regular_price: price, is_competitor: true, matches_sku: `Q${s}` });
  }
  const truth: Truth = { zero_sale: new Set(), out_of_stock: new Set(), price_gap: new Set(), dormant_customer: new Set(), no_data: new Set() };
  const silentStore = 'E150';
  truth.no_data.add(`${silentStore}|`);

  const assortment: Row[] = [];
  const scans: Row[] = [];
  const inventory: Row[] = [];
  for (const store of stores) {
    const storeId = store.store_id as string;
    for (const product of products.filter((p) => !p.is_competitor)) {
      if (random() < 0.2) continue;
      const sku = product.sku as string;
      assortment.push({ store_id: storeId, sku });
      const slow = random() < 0.35;
      const rate = slow ? 0.05 + random() * 0.4 : 3 + random() * 6;
      const roll = random();
      const problem = !slow && storeId !== silentStore ? (roll < 0.004 ? 'display' : roll < 0.006 ? 'stockout' : null) : null;
      const stopDays = problem ? 3 + Math.floor(random() * 3) : 0;
      for (let o = -DAYS + 1; o <= 0; o++) {
        if (storeId === silentStore && o > -3) continue;
        if (problem && o > -stopDays) continue;
        const qty = poisson(rate);
        if (qty > 0) scans.push({ event_id: `ev-${storeId}-${sku}-${o}`, store_id: storeId, sku, ts: `${day(o)}T15:00:00+08:00`, qty, unit_price: product.regular_price });
      }
      if (problem === 'display') truth.zero_sale.add(`${storeId}|${sku}`);
      if (problem === 'stockout') truth.out_of_stock.add(`${storeId}|${sku}`);
      if (problem || random() < 0.1) {
        inventory.push({ event_id: `inv-${storeId}-${sku}`, store_id: storeId, sku, ts: `${day(0)}T20:00:00+08:00`, on_hand: problem === 'stockout' ? 0 : 5 + Math.floor(random() * 40) });
      }
    }
  }

  // Promotions: a store promotion (wins) and a region promotion on some SKUs.
  const promotions: Row[] = [];
  const promoPrice = new Map<string, number>();
  products
    .filter((p) => !p.is_competitor)
    .forEach((p, i) => {
      const regular = p.regular_price as number;
      if (i % 10 === 1) {
        const price = Number((regular * 0.9).toFixed(2));
        promotions.push({ promo_id: `R${i}`, sku: p.sku, region: '华东', store_id: '', start_date: day(-7), end_date: day(7), promo_price: price });
        for (const s of stores.filter((st) => st.region === '华东')) promoPrice.set(`${s.store_id}|${p.sku}`, price);
      }
      if (i % 10 === 2) {
        const price = Number((regular * 0.85).toFixed(2));
        promotions.push({ promo_id: `S${i}`, sku: p.sku, store_id: 'E002', region: '', start_date: day(-7), end_date: day(7), promo_price: price });
        promoPrice.set(`E002|${p.sku}`, price);
      }
    });

  // Competitor prices around the 5% line, against the price a shopper actually sees.
  const competitorPrices: Row[] = [];
  const ranged = new Set(assortment.map((a) => `${a.store_id}|${a.sku}`));
  let n = 0;
  for (const store of stores) {
    for (const p of products.filter((x) => x.is_competitor)) {
      const own = p.matches_sku as string;
      const key = `${store.store_id}|${own}`;
      if (!ranged.has(key) || random() > 0.15) continue;
      const effective = promoPrice.get(key) ?? (p.regular_price as number);
      const gap = pick(random, [0.02, 0.045, 0.049, 0.051, 0.055, 0.08, 0.12, -0.03]);
      const price = Math.round(effective * (1 - gap) * 100) / 100;
      // The truth is decided on the rounded price the generator actually publishes.
      if ((effective - price) / effective >= 0.05 - 1e-9) truth.price_gap.add(key);
      competitorPrices.push({ event_id: `cp-${n++}`, store_id: store.store_id, sku: p.sku, ts: `${day(0)}T11:00:00+08:00`, price, source: 'feed' });
    }
  }

  // Orders: weekly; some customers stop 80–200 days before the close (dormant when ≥ 90).
  const orders: Row[] = [];
  for (const store of stores) {
    const stoppedAgo = random() < 0.15 ? 80 + Math.floor(random() * 120) : 0;
    let lastOrder = -Infinity;
    for (let o = -365; o <= -stoppedAgo; o += 7) {
      lastOrder = o;
      orders.push({ event_id: `o-${store.store_id}-${o}`, order_id: `SO${store.store_id}${o}`, store_id: store.store_id, sku: 'Q1', ts: `${day(o)}T09:00:00+08:00`, qty: 24, unit_price: 4 });
    }
    if (-lastOrder >= 90) truth.dormant_customer.add(`${store.store_id}|`);
  }
  return { stores, products, assortment, scans, inventory, promotions, competitorPrices, orders, truth };
}

export async function evaluateAlerts(): Promise<Record<string, { precision: number; recall: number; expected: number; found: number }>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfpulse-eval-alerts-'));
  const warehouse = await openWarehouse({ dataDir: dir, timezone: TIMEZONE });
  try {
    const data = generate();
    const now = new Date().toISOString();
    for (const [table, rows] of [
      ['stores', data.stores],
      ['products', data.products],
      ['assortment', data.assortment],
      ['promotions', data.promotions],
    ] as const) {
      await warehouse.insert(table, rows.map((r) => ({ ...r, updated_at: now })));
    }
    await warehouse.insert('scans', data.scans);
    await warehouse.insert('inventory', data.inventory);
    await warehouse.insert('competitor_prices', data.competitorPrices);
    await warehouse.insert('orders', data.orders);
    await evaluateDay(warehouse, AS_OF, DEFAULT_THRESHOLDS, TIMEZONE);
    const alerts = await openAlerts(warehouse, ['zero_sale', 'out_of_stock', 'price_gap', 'dormant_customer', 'no_data']);
    const result: Record<string, { precision: number; recall: number; expected: number; found: number }> = {};
    for (const type of Object.keys(data.truth) as (keyof Truth)[]) {
      const found = new Set(alerts.filter((a) => a.type === type).map((a) => `${a.store_id}|${a.sku}`));
      const expected = data.truth[type];
      const hits = [...found].filter((k) => expected.has(k)).length;
      result[type] = {
        precision: found.size === 0 ? (expected.size === 0 ? 1 : 0) : Number((hits / found.size).toFixed(4)),
        recall: expected.size === 0 ? 1 : Number((hits / expected.size).toFixed(4)),
        expected: expected.size,
        found: found.size,
      };
    }
    return result;
  } finally {
    await warehouse.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('alerts-eval.ts')) {
  console.log(JSON.stringify(await evaluateAlerts(), null, 2));
}
