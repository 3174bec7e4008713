import type { AlertTexts } from '../../contracts/alerts.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const money = (x: number) => `¥${x.toFixed(2)}`;

/** `regularDays`: the baseline was not the plain 28 days before (closed or promotion days set aside, a new listing). */
export function zeroSaleTexts(a: {
  storeName: string;
  productName: string;
  sku: string;
  days: number;
  expected: number;
  pZero: number;
  regularDays?: number | undefined;
}): AlertTexts {
  const basisZh = a.regularDays === undefined ? '前28天' : `最近${a.regularDays}个正常价营业日`;
  const basisEn = a.regularDays === undefined ? 'the previous 28 days' : `its last ${a.regularDays} regular-price open days`;
  return {
    message_zh: `${a.storeName}：${a.productName}（${a.sku}）已连续${a.days}天零销售，按${basisZh}的销量应售出约${a.expected.toFixed(1)}件（零销量概率${pct(a.pZero)}）。`,
    message_en: `${a.storeName}: ${a.productName} (${a.sku}) has sold nothing for ${a.days} days; ${basisEn} predict about ${a.expected.toFixed(1)} units (chance of zero ${pct(a.pZero)}).`,
    suggestion_zh: '请店长到货架检查该商品的陈列位置（是否缺位、被遮挡、放错位置或价签错误），并调整恢复正常陈列；同时核对收银是否能正常扫码。',
    suggestion_en:
      'Store manager: check the display position of this SKU on the shelf (missing facing, blocked, misplaced, wrong price tag) and adjust it back to its planned place; also check that it scans at the till.',
  };
}

export function outOfStockTexts(a: { storeName: string; productName: string; sku: string; days: number; expected: number }): AlertTexts {
  return {
    message_zh: `${a.storeName}：${a.productName}（${a.sku}）已连续${a.days}天零销售且库存为0，预计损失约${a.expected.toFixed(1)}件销量。`,
    message_en: `${a.storeName}: ${a.productName} (${a.sku}) has sold nothing for ${a.days} days and on-hand stock is 0; about ${a.expected.toFixed(1)} units of sales are being lost.`,
    suggestion_zh: '请立即补货：检查门店订货与配送，补货到位后恢复陈列。',
    suggestion_en: 'Replenish now: check the store order and the delivery, then refill the shelf.',
  };
}

export function noDataTexts(a: { storeName: string; days: number }): AlertTexts {
  return {
    message_zh: `${a.storeName}：最近${a.days}天没有任何收银扫码数据。`,
    message_en: `${a.storeName}: no POS scans at all in the last ${a.days} days.`,
    suggestion_zh: '请检查门店收银机与POS数据上传（网络、接口、门店是否停业）。',
    suggestion_en: 'Check the store tills and the POS data feed (network, interface, or whether the store is closed).',
  };
}

export function priceGapTexts(a: {
  storeName: string;
  productName: string;
  competitorName: string;
  ownPrice: number;
  competitorPrice: number;
  gap: number;
  territory: string;
}): AlertTexts {
  return {
    message_zh: `${a.storeName}：竞品${a.competitorName}售价${money(a.competitorPrice)}，比我方${a.productName}的${money(a.ownPrice)}低${pct(a.gap)}。`,
    message_en: `${a.storeName}: competitor ${a.competitorName} sells at ${money(a.competitorPrice)}, ${pct(a.gap)} under our ${a.productName} at ${money(a.ownPrice)}.`,
    suggestion_zh: `请${a.territory}区域销售代表与门店重新报价，或提供促销搭赠装以保持价格竞争力。`,
    suggestion_en: `Reps of territory ${a.territory}: re-quote the store, or offer an incentive pack.`,
  };
}

export function dormantTexts(a: { storeName: string; days: number; margin: number; rank: number; territory: string }): AlertTexts {
  return {
    message_zh: `${a.storeName}已${a.days}天未下单（历史毛利${money(a.margin)}，沉睡客户第${a.rank}名）。`,
    message_en: `${a.storeName} has not ordered for ${a.days} days (historical margin ${money(a.margin)}, #${a.rank} among dormant customers).`,
    suggestion_zh: `请${a.territory}区域销售代表拜访或致电该客户，了解原因并安排补单。`,
    suggestion_en: `Reps of territory ${a.territory}: visit or call this customer, find out why, and win back the order.`,
  };
}

export function shelfGapTexts(a: { storeName: string; day: string; gaps: number; photos: number }): AlertTexts {
  return {
    message_zh: `${a.storeName}：${a.day}拍摄的${a.photos}张货架照片中发现${a.gaps}处空位。`,
    message_en: `${a.storeName}: ${a.gaps} empty facing(s) on the ${a.photos} shelf photo(s) taken on ${a.day}.`,
    suggestion_zh: '请店长安排补货上架，填满空位；若仓库无货，请同时提交补货订单。',
    suggestion_en: 'Store manager: refill the empty facings from the back room; if there is no stock, place a replenishment order as well.',
  };
}

export function lowShareTexts(a: { storeName: string; day: string; share: number; target: number }): AlertTexts {
  return {
    message_zh: `${a.storeName}：${a.day}的货架照片中自有品牌排面占比仅${pct(a.share)}，低于目标${pct(a.target)}。`,
    message_en: `${a.storeName}: own brands hold ${pct(a.share)} of the facings on the shelf photos of ${a.day}, below the ${pct(a.target)} target.`,
    suggestion_zh: '请按陈列协议恢复自有品牌排面（检查是否被竞品占位），必要时与门店协商增加排面。',
    suggestion_en:
      'Restore the own brands’ facings to the display agreement (check for competitor products in our space) and negotiate more facings if needed.',
  };
}

export function planogramTexts(a: { storeName: string; productName: string; sku: string; status: 'missing' | 'misplaced'; day: string }): AlertTexts {
  const zh = a.status === 'missing' ? '按陈列图应在货架上，但照片中没有' : '不在陈列图规定的位置';
  const en = a.status === 'missing' ? 'is planned on the bay but missing from the photo' : 'is not where the planogram puts it';
  return {
    message_zh: `${a.storeName}：${a.productName}（${a.sku}）${zh}（${a.day}拍摄）。`,
    message_en: `${a.storeName}: ${a.productName} (${a.sku}) ${en} (photographed ${a.day}).`,
    suggestion_zh: '请店长按陈列图调整该商品的位置与排面，调整后重新拍照确认。',
    suggestion_en: 'Store manager: put this SKU back in its planned place and facings, then take a new photo to confirm.',
  };
}
