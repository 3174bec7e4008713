import type { Row } from '../analytics/warehouse.ts';
import { pick, seededRandom } from '../lib/seeded-random.ts';
import { CATALOG, demoAliases } from './demo-packs.ts';

const PACKS = new Map(CATALOG.map((p) => [p.sku, p]));
/** The words printed on a product's pack, where the renderer draws it. */
const packWords = (sku: string) => {
  const pack = PACKS.get(sku);
  return pack ? demoAliases(pack) : [];
};

/** East China cities with real coordinates, grouped into the chain's sales territories. */
export const CITIES = [
  { city: '上海', lat: 31.2304, lon: 121.4737, territory: '上海大区', region: '华东', weight: 18 },
  { city: '苏州', lat: 31.299, lon: 120.5853, territory: '苏南', region: '华东', weight: 9 },
  { city: '无锡', lat: 31.4912, lon: 120.3119, territory: '苏南', region: '华东', weight: 6 },
  { city: '常州', lat: 31.8107, lon: 119.974, territory: '苏南', region: '华东', weight: 5 },
  { city: '南京', lat: 32.0603, lon: 118.7969, territory: '苏中苏北', region: '华东', weight: 9 },
  { city: '扬州', lat: 32.3942, lon: 119.4129, territory: '苏中苏北', region: '华东', weight: 3 },
  { city: '南通', lat: 31.9802, lon: 120.8943, territory: '苏中苏北', region: '华东', weight: 4 },
  { city: '徐州', lat: 34.2044, lon: 117.2858, territory: '苏中苏北', region: '华东', weight: 3 },
  { city: '杭州', lat: 30.2741, lon: 120.1551, territory: '浙北', region: '华东', weight: 10 },
  { city: '嘉兴', lat: 30.7467, lon: 120.7555, territory: '浙北', region: '华东', weight: 3 },
  { city: '绍兴', lat: 30.03, lon: 120.58, territory: '浙北', region: '华东', weight: 3 },
  { city: '宁波', lat: 29.8683, lon: 121.544, territory: '浙东南', region: '华东', weight: 6 },
  { city: '温州', lat: 28.0, lon: 120.6722, territory: '浙东南', region: '华东', weight: 4 },
  { city: '合肥', lat: 31.8206, lon: 117.2272, territory: '安徽', region: '华东', weight: 6 },
  { city: '福州', lat: 26.0745, lon: 119.2965, territory: '福建', region: '华东', weight: 4 },
  { city: '厦门', lat: 24.4798, lon: 118.0894, territory: '福建', region: '华东', weight: 4 },
  { city: '济南', lat: 36.6512, lon: 117.1201, territory: '山东', region: '华东', weight: 4 },
  { city: '青岛', lat: 36.0671, lon: 120.3826, territory: '山东', region: '华东', weight: 5 },
] as const;

const FORMATS = ['hypermarket', 'supermarket', 'supermarket', 'convenience', 'convenience', 'convenience'] as const;
const STREETS = ['人民路', '中山路', '解放路', '建设路', '南京路', '湖滨路', '新华路', '长江路', '和平路', '文化路'];

export const CATEGORIES = [
  { category: '饮料', brands: ['清泉', '果园', '茶语'], price: [2.5, 8] },
  { category: '乳品', brands: ['牧原', '晨光乳业'], price: [3, 18] },
  { category: '零食', brands: ['脆乐', '坚果坊', '好滋味'], price: [4, 25] },
  { category: '方便食品', brands: ['面面', '速香'], price: [3, 15] },
  { category: '个人护理', brands: ['洁丽', '水漾'], price: [9, 59] },
  { category: '家庭清洁', brands: ['净家', '亮洁'], price: [6, 39] },
] as const;
const COMPETITOR_BRANDS = ['恒泰', '金禾'];

export interface DemoChain {
  stores: Row[];
  products: Row[];
  assortment: Row[];
}

/** The demo chain's master data, deterministic for a seed: stores spread over the cities, SKUs per category. */
export function demoChain(seed = 20261122, storeCount = 120, skusPerCategory = 50): DemoChain {
  const random = seededRandom(seed);
  const totalWeight = CITIES.reduce((n, c) => n + c.weight, 0);
  const stores: Row[] = [];
  for (const city of CITIES) {
    const count = Math.max(1, Math.round((city.weight / totalWeight) * storeCount));
    for (let i = 0; i < count && stores.length < storeCount; i++) {
      const format = pick(random, FORMATS);
      stores.push({
        store_id: `S${String(stores.length + 1).padStart(4, '0')}`,
        name: `${city.city}${pick(random, STREETS)}${format === 'hypermarket' ? '大卖场' : format === 'supermarket' ? '超市' : '便利店'}${i + 1}号店`,
        territory: city.territory,
        region: city.region,
        city: city.city,
        // Within ~8 km of the city centre.
        lat: Number((city.lat + (random() - 0.5) * 0.14).toFixed(5)),
        lon: Number((city.lon + (random() - 0.5) * 0.16).toFixed(5)),
        format,
        manager: `店长${stores.length + 1}`,
      });
    }
  }
  const products: Row[] = [];
  CATEGORIES.forEach((cat, c) => {
    for (let i = 0; i < skusPerCategory; i++) {
      const [low, high] = cat.price;
      const price = Number((low + random() * (high - low)).toFixed(1)) + 0.9 - 0.9 * Number(random() < 0.5);
      const sku = `P${c + 1}${String(i + 1).padStart(3, '0')}`;
      products.push({
        sku,
        name: `${pick(random, cat.brands)} ${cat.category} ${i + 1}`,
        brand: cat.brands[i % cat.brands.length],
        category: cat.category,
        regular_price: Number(price.toFixed(2)),
        is_competitor: false,
        matches_sku: '',
        aliases: packWords(sku),
      });
      if (i % 5 === 0) {
        products.push({
          sku: `C${c + 1}${String(i + 1).padStart(3, '0')}`,
          name: `${pick(random, COMPETITOR_BRANDS)} ${cat.category} ${i + 1}`,
          brand: COMPETITOR_BRANDS[i % 2],
          category: cat.category,
          regular_price: Number((price * (0.9 + random() * 0.15)).toFixed(2)),
          is_competitor: true,
          matches_sku: sku,
          aliases: packWords(`C${c + 1}${String(i + 1).padStart(3, '0')}`),
        });
      }
    }
  });
  const own = products.filter((p) => !p.is_competitor);
  const assortment: Row[] = stores.flatMap((store) => {
    const share = store.format === 'hypermarket' ? 1 : store.format === 'supermarket' ? 0.8 : 0.45;
    return own.filter(() => random() < share).map((p) => ({ store_id: store.store_id, sku: p.sku }));
  });
  return { stores, products, assortment };
}
