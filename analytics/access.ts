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

export interface StoredUser {
  username: string;
  name: string;
  role: string;
  store_ids: string[];
  territories: string[];
  password_hash: string;
  disabled: boolean;
  /** ISO-8601 (UTC). */
  created_at: string;
  updated_at: string;
}

const USER_COLUMNS = `username, name, role, store_ids, territories, password_hash, disabled,
  formatDateTime(created_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS created_at,
  formatDateTime(updated_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS updated_at`;

const USER_BY_NAME = `SELECT ${USER_COLUMNS} FROM users FINAL WHERE username = {username:String} LIMIT 1`;
const ALL_USERS = `SELECT ${USER_COLUMNS} FROM users FINAL ORDER BY username LIMIT {limit:UInt32}`;

export async function findUser(warehouse: Warehouse, username: string): Promise<StoredUser | undefined> {
  const [row] = await warehouse.query<StoredUser>(USER_BY_NAME, { username });
  return row;
}

export async function listUsers(warehouse: Warehouse, limit: number): Promise<StoredUser[]> {
  return warehouse.query<StoredUser>(ALL_USERS, { limit });
}

/** Writes a new version of the user (ReplacingMergeTree on updated_at): the latest write wins. */
export async function saveUser(warehouse: Warehouse, user: Omit<StoredUser, 'updated_at'>): Promise<void> {
  await warehouse.insert('users', [{ ...user, updated_at: new Date().toISOString() }]);
}

/** A live session joined with its user: expired, revoked and disabled ones are not found. */
export interface ActiveSession {
  username: string;
  role: string;
  store_ids: string[];
  territories: string[];
  expires_ms: number;
}

const ACTIVE_SESSION = `
  SELECT s.username AS username, u.role AS role, u.store_ids AS store_ids, u.territories AS territories,
         toUnixTimestamp64Milli(s.expires_at) AS expires_ms
  FROM (SELECT username, expires_at FROM user_sessions FINAL
        WHERE session_hash = {hash:String} AND NOT revoked AND expires_at > now64(3)) AS s
  INNER JOIN (SELECT username, role, store_ids, territories FROM users FINAL
              WHERE username IN (SELECT username FROM user_sessions WHERE session_hash = {hash:String}) AND NOT disabled) AS u
  ON u.username = s.username
  LIMIT 1`;

export async function findActiveSession(warehouse: Warehouse, hash: string): Promise<ActiveSession | undefined> {
  const [row] = await warehouse.query<ActiveSession>(ACTIVE_SESSION, { hash });
  return row ? { ...row, expires_ms: Number(row.expires_ms) } : undefined;
}

export interface StoredSession {
  session_hash: string;
  username: string;
  /** ISO-8601. */
  expires_at: string;
  revoked: boolean;
}

export async function saveSession(warehouse: Warehouse, session: StoredSession): Promise<void> {
  await warehouse.insert('user_sessions', [{ ...session, updated_at: new Date().toISOString() }]);
}

const REVOKE_SESSION = `
  INSERT INTO user_sessions (session_hash, username, expires_at, revoked, created_at, updated_at)
  SELECT session_hash, username, expires_at, true, created_at, now64(3)
  FROM user_sessions FINAL WHERE session_hash = {hash:String} AND NOT revoked`;

const REVOKE_USER_SESSIONS = `
  INSERT INTO user_sessions (session_hash, username, expires_at, revoked, created_at, updated_at)
  SELECT session_hash, username, expires_at, true, created_at, now64(3)
  FROM user_sessions FINAL WHERE username = {username:String} AND NOT revoked AND expires_at > now64(3)`;

export async function revokeSession(warehouse: Warehouse, hash: string): Promise<void> {
  await warehouse.command(REVOKE_SESSION, { hash });
}

/** Signs a user out everywhere (password changed, user disabled). */
export async function revokeUserSessions(warehouse: Warehouse, username: string): Promise<void> {
  await warehouse.command(REVOKE_USER_SESSIONS, { username });
}
