import type { Logger } from 'pino';
import { countRows, upsertMasterData } from '../master-data.ts';
import type { Warehouse } from '../warehouse.ts';
import { demoChain } from './chain.ts';

/** Loads the demo chain on first start (an empty warehouse); a warehouse with stores is left alone. */
export async function loadDemoIfEmpty(warehouse: Warehouse, logger: Logger): Promise<boolean> {
  if ((await countRows(warehouse, 'stores')) > 0) return false;
  const started = Date.now();
  const chain = demoChain();
  await upsertMasterData(warehouse, 'stores', chain.stores);
  await upsertMasterData(warehouse, 'products', chain.products);
  await upsertMasterData(warehouse, 'assortment', chain.assortment);
  logger.info({ stores: chain.stores.length, products: chain.products.length, ms: Date.now() - started }, 'demo chain loaded');
  return true;
}
