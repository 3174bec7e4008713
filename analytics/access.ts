import type { Warehouse } from './warehouse.ts';

export interface StoredToken {
  token_hash: string;
  name: string;
  role: string;
  store_ids: string[];
  territories: string[];
  revoked: boolean;
}

const TOKEN_BY_HASH = `
  SELECT token_hash, name, role, store_ids, territories, revoked
  FROM api_tokens FINAL WHERE token_hash = {hash:String} LIMIT 1`;

export async function findToken(warehouse: Warehouse, hash: string): Promise<StoredToken | undefined> {
  const [row] = await warehouse.query<StoredToken>(TOKEN_BY_HASH, { hash });
  return row;
}

export async function saveToken(warehouse: Warehouse, token: StoredToken): Promise<void> {
  await warehouse.insert('api_tokens', [{ ...token, updated_at: new Date().toISOString() }]);
}
