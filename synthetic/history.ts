import type { Row, Warehouse } from '../analytics/warehouse.ts';
import type { DemoChain } from './chain.ts';
import { pick, seededRandom } from '../lib/seeded-random.ts';
import { addDays } from '../lib/days.ts';

/** What was injected into the demo history, so a person (and the tests) know which alerts to expect. */
export interface DemoStory {
  asOf: string;
  displayProblems: { store_id: string; sku: string }[];
  stockOuts: { store_id: string; sku: string }[];
  silentStore: string;
  dormantStores: string[];
  priceDrops: { store_id: string; sku: string; competitor_sku: string }[];
}

/** One row per ranged store × SKU: its base daily rate and what happens to it in the last days. */
const CREATE_RATES = `
  CREATE TABLE IF NOT EXISTS demo_rates (
    store_id String, sku String, rate Float64, price Float64, silent_from Date,
    first_day Date DEFAULT '1970-01-01', weekend_only Bool DEFAULT false, closed Array(Date) DEFAULT [],
    promo_from Date DEFAULT '1970-01-01', promo_to Date DEFAULT '1970-01-01', promo_lift Float64 DEFAULT 1
  ) ENGINE = Memory`;

/**
 * Daily POS lines for every ranged store × SKU over the history: random counts around the pair's rate with a
 * weekend lift, a yearly season and a Singles' Day (11.11) spike; a pair sells from its `first_day`, stops from
 * its `silent_from`, sells nothing on its store's closed days, and sells `promo_lift` times more on its promotion.
 * The draw inverts the Poisson CDF at a hash of (pair, day, seed), so the same seed gives the same history.
 * One line a day keeps 400+ days compact.
 */
const GENERATE_SCANS = `
  INSERT INTO scans (event_id, store_id, sku, ts, qty, unit_price)
  SELECT concat('demo-', store_id, '-', sku, '-', toString(d)) AS event_id, store_id, sku,
    toDateTime64(toDateTime(d, {timezone:String}) + 43200, 3, 'UTC') AS ts, toFloat64(units) AS qty, price AS unit_price
  FROM (
    SELECT r.store_id AS store_id, r.sku AS sku, r.price AS price, d,
      r.rate * if(toDayOfWeek(d) >= 6, 1.3, if(r.weekend_only, 0.0, 1.0)) * (1 + 0.25 * sin(2 * pi() * toDayOfYear(d) / 365))
        * if(toMonth(d) = 11 AND toDayOfMonth(d) = 11, 2.0, 1.0) * if(d BETWEEN r.promo_from AND r.promo_to, r.promo_lift, 1.0) AS lambda,
      cityHash64(r.store_id, r.sku, d, {seed:UInt32}) / 18446744073709551616.0 AS u,
      greatest(0, arrayFirstIndex(c -> c >= u,
        arrayCumSum(arrayMap(k -> exp(k * log(lambda) - lambda - lgamma(k + 1)), range(toUInt32(lambda + 6 * sqrt(lambda) + 8))))) - 1) AS units
    FROM demo_rates AS r
    CROSS JOIN (SELECT toDate({first_day:String}) + number AS d FROM numbers({days:UInt32})) AS days
    WHERE d < r.silent_from AND d >= r.first_day AND NOT has(r.closed, d)
  )
  WHERE units > 0`;

/** Weekly sell-in orders from the chain's distributor; a dormant store's orders stop at its last order day. */
const CREATE_ORDER_PLAN = `
  CREATE TABLE IF NOT EXISTS demo_order_plan (store_id String, sku String, unit_price Float64, qty Float64, last_day Date)
  ENGINE = Memory`;

const GENERATE_ORDERS = `
  INSERT INTO orders (event_id, order_id, store_id, sku, ts, qty, unit_price)
  SELECT concat('demo-o-', p.store_id, '-', p.sku, '-', toString(d)), concat('SO-', p.store_id, '-', toString(d)), p.store_id, p.sku,
    toDateTime64(toDateTime(d, {timezone:String}) + 36000, 3, 'UTC'), p.qty, p.unit_price
  FROM demo_order_plan AS p
  CROSS JOIN (SELECT toDate({first_day:String}) + number * 7 AS d FROM numbers(intDiv({days:UInt32}, 7))) AS weeks
  WHERE d <= p.last_day`;

/** A ranged store × SKU as the sales generator draws it: base daily rate, shelf price, last day before it goes silent. */
export interface PairPlan {
  store_id: string;
  sku: string;
  rate: number;
  price: number;
  /** First day without sales (a day after the history: sells throughout). */
  silent_from: string;
  /** First day it sells (a new listing); default: the history's start. */
  first_day?: string;
  /** Sells only on Saturdays and Sundays. */
  weekend_only?: boolean;
  /** Its store's closed days: no sales. */
  closed?: string[];
  /** A promotion that multiplies its rate by `promo_lift` from `promo_from` to `promo_to`. */
  promo_from?: string;
  promo_to?: string;
  promo_lift?: number;
}

/** Writes one daily POS line per pair and day with a sale over `days` days from `firstDay` (deterministic for a seed). */
export async function generateDailyScans(
  warehouse: Warehouse,
  pairs: readonly PairPlan[],
  window: { firstDay: string; days: number; timezone: string; seed: number },
): Promise<void> {
  await warehouse.command(CREATE_RATES);
  try {
    await warehouse.insert('demo_rates', pairs as unknown as Row[]);
    await warehouse.command(GENERATE_SCANS, { timezone: window.timezone, first_day: window.firstDay, days: window.days, seed: window.seed });
  } finally {
    await warehouse.command('DROP TABLE IF EXISTS demo_rates');
  }
}

/**
 * Each store's sales target for the month of `asOf` and the month before: what its pairs' rates predict for the
 * month's days (weekend lift and season as the scans draw them), times a growth the chain asked of it (−5 % to
 * +12 %), so the store ranking has leaders and laggards. Its own random stream leaves the history's draws alone.
 */
function demoTargets(chain: DemoChain, rates: readonly PairPlan[], asOf: string, seed: number): Row[] {
  const random = seededRandom(seed + 1);
  const thisMonth = asOf.slice(0, 7);
  const lastMonth = addDays(`${thisMonth}-01`, -1).slice(0, 7);
  const dailyValue = new Map<string, number>();
  for (const r of rates) if (!r.weekend_only) dailyValue.set(r.store_id, (dailyValue.get(r.store_id) ?? 0) + r.rate * r.price);
  return chain.stores.flatMap((store) => {
    const growth = 0.95 + random() * 0.17;
    return [lastMonth, thisMonth].map((month) => {
      let expected = 0;
      for (let day = `${month}-01`; day.startsWith(month); day = addDays(day, 1)) {
        const date = new Date(`${day}T00:00:00Z`);
        const weekday = date.getUTCDay();
        const dayOfYear = (date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000 + 1;
        expected += (weekday === 0 || weekday === 6 ? 1.3 : 1) * (1 + 0.25 * Math.sin((2 * Math.PI * dayOfYear) / 365));
      }
      const target = expected * (dailyValue.get(store.store_id as string) ?? 0) * growth;
      return { store_id: store.store_id, month, sales_target: Math.round(target / 100) * 100, updated_at: new Date().toISOString() };
    });
  });
}

/**
 * Writes the demo chain's history up to `asOf` (the last closed day): sales with weekly and seasonal patterns,
 * weekly orders, stock counts, competitor prices and promotions, with problems injected for the alerts to find.
 */
export async function generateHistory(warehouse: Warehouse, chain: DemoChain, asOf: string, timezone: string, days = 420, seed = 7): Promise<DemoStory> {
  const random = seededRandom(seed);
  const firstDay = addDays(asOf, 1 - days);
  const price = new Map(chain.products.map((p) => [p.sku as string, p.regular_price as number]));
  const storeFormat = new Map(chain.stores.map((s) => [s.store_id as string, s.format as string]));
  const formatLift: Record<string, number> = { hypermarket: 2.2, supermarket: 1.4, convenience: 0.9 };

  const rates: PairPlan[] = chain.assortment.map((a) => {
    const slow = random() < 0.3;
    const base = slow ? 0.05 + random() * 0.25 : 2.5 + random() * 5;
    return {
      store_id: a.store_id as string,
      sku: a.sku as string,
      rate: base * (formatLift[storeFormat.get(a.store_id as string) ?? ''] ?? 1),
      price: price.get(a.sku as string) ?? 1,
      silent_from: addDays(asOf, 1),
    };
  });
  // Problems to find: fast sellers that stop (display) or run dry (stock-out) over the last 4 days.
  const fast = rates.filter((r) => r.rate >= 3);
  const injected = new Set<string>();
  const choose = (count: number) => {
    const chosen: typeof rates = [];
    while (chosen.length < count && injected.size < fast.length) {
      const r = pick(random, fast);
      const key = `${r.store_id}|${r.sku}`;
      if (injected.has(key)) continue;
      injected.add(key);
      r.silent_from = addDays(asOf, -3);
      chosen.push(r);
    }
    return chosen;
  };
  const displayProblems = choose(20);
  const stockOuts = choose(8);
  const silentStore = chain.stores[chain.stores.length - 1]!.store_id as string;
  for (const r of rates) if (r.store_id === silentStore) r.silent_from = addDays(asOf, -2);

  await generateDailyScans(warehouse, rates, { firstDay, days, timezone, seed });
  await warehouse.command(CREATE_ORDER_PLAN);
  try {
    const ownSkus = chain.products.filter((p) => !p.is_competitor);
    const dormantStores = chain.stores.filter((_, i) => i % 15 === 7).map((s) => s.store_id as string);
    const plan: Row[] = chain.stores.flatMap((s, i) => {
      const dormant = dormantStores.includes(s.store_id as string);
      const lastDay = dormant ? addDays(asOf, -(95 + (i % 60))) : asOf;
      return Array.from({ length: 6 }, (_, k) => {
        const product = ownSkus[(i * 7 + k * 13) % ownSkus.length]!;
        const regular = product.regular_price as number;
        return {
          store_id: s.store_id,
          sku: product.sku,
          unit_price: Number((regular * (0.7 + random() * 0.15)).toFixed(2)),
          qty: 12 + Math.floor(random() * 36),
          last_day: lastDay,
        };
      });
    });
    await warehouse.insert('demo_order_plan', plan);
    await warehouse.command(GENERATE_ORDERS, { timezone, first_day: firstDay, days });

    const countedAt = `${asOf}T21:00:00+08:00`;
    const stockCounts = [
      ...stockOuts.map((r) => ({ ...r, on_hand: 0 })),
      ...displayProblems.map((r) => ({ ...r, on_hand: 6 + Math.floor(random() * 30) })),
      ...rates.filter(() => random() < 0.2).map((r) => ({ ...r, on_hand: Math.floor(random() * 60) })),
    ];
    const seenCounts = new Set<string>();
    await warehouse.insert(
      'inventory',
      stockCounts
        .filter((c) => !seenCounts.has(`${c.store_id}|${c.sku}`) && seenCounts.add(`${c.store_id}|${c.sku}`))
        .map((c) => ({ event_id: `demo-inv-${c.store_id}-${c.sku}-${asOf}`, store_id: c.store_id, sku: c.sku, ts: countedAt, on_hand: c.on_hand })),
    );

    // Competitors: most observations within a few percent of our price, some 6–15% under it.
    const competitors = chain.products.filter((p) => p.is_competitor);
    const ranged = new Set(chain.assortment.map((a) => `${a.store_id}|${a.sku}`));
    const priceDrops: DemoStory['priceDrops'] = [];
    const observations: Row[] = [];
    for (const store of chain.stores) {
      for (const c of competitors) {
        if (!ranged.has(`${store.store_id}|${c.matches_sku}`) || random() > 0.25) continue;
        const own = price.get(c.matches_sku as string)!;
        const drop = random() < 0.025;
        const observed = drop ? own * (0.85 + random() * 0.09) : own * (0.97 + random() * 0.08);
        if (drop) priceDrops.push({ store_id: store.store_id as string, sku: c.matches_sku as string, competitor_sku: c.sku as string });
        observations.push({
          event_id: `demo-cp-${store.store_id}-${c.sku}-${asOf}`,
          store_id: store.store_id,
          sku: c.sku,
          ts: `${asOf}T10:${String(Math.floor(random() * 60)).padStart(2, '0')}:00+08:00`,
          price: Number(observed.toFixed(2)),
          source: pick(random, ['photo', 'manual', 'feed'] as const),
        });
      }
    }
    await warehouse.insert('competitor_prices', observations);

    // Region promotions running now on a few SKUs: the own effective price the gap rule compares with.
    await warehouse.insert(
      'promotions',
      ownSkus
        .filter((_, i) => i % 25 === 3)
        .map((p, i) => ({
          promo_id: `DEMO-PROMO-${i + 1}`,
          sku: p.sku,
          start_date: addDays(asOf, -10),
          end_date: addDays(asOf, 10),
          promo_price: Number(((p.regular_price as number) * 0.9).toFixed(2)),
          region: '华东',
          store_id: '',
          updated_at: new Date().toISOString(),
        })),
    );
    await warehouse.insert('sales_targets', demoTargets(chain, rates, asOf, seed));
    return {
      asOf,
      displayProblems: displayProblems.map(({ store_id, sku }) => ({ store_id, sku })),
      stockOuts: stockOuts.map(({ store_id, sku }) => ({ store_id, sku })),
      silentStore,
      dormantStores,
      priceDrops,
    };
  } finally {
    await warehouse.command('DROP TABLE IF EXISTS demo_order_plan');
  }
}
