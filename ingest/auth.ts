import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { findToken, saveToken } from '../analytics/access.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import { forbidden, unauthorized } from './errors.ts';

export const USER_ROLES = ['admin', 'sales_director', 'category_manager', 'store_manager', 'merchandiser'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Who is calling: the role decides which routes, the scopes which stores and territories (empty = all). */
export interface Principal {
  name: string;
  role: UserRole;
  storeIds: string[];
  territories: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route; a route without it is public. */
    roles?: readonly UserRole[];
    /** Also take the token from `?access_token=` (EventSource cannot send headers). */
    queryToken?: boolean;
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return `sp_${randomBytes(24).toString('base64url')}`;
}

const CACHE_MS = 30_000;

/** Resolves bearer tokens: the bootstrap admin token from the environment, else the hashed tokens in the warehouse. */
export class TokenAuthority {
  private readonly adminHash: Buffer | undefined;
  private readonly cache = new Map<string, { principal: Principal | undefined; until: number }>();

  constructor(
    private readonly warehouse: Warehouse,
    adminToken: string | undefined,
  ) {
    this.adminHash = adminToken ? Buffer.from(hashToken(adminToken), 'hex') : undefined;
  }

  async resolve(token: string): Promise<Principal | undefined> {
    const hash = hashToken(token);
    // Comparing fixed-length hashes in constant time: no timing hint about the admin token.
    if (this.adminHash && timingSafeEqual(this.adminHash, Buffer.from(hash, 'hex'))) {
      return { name: 'bootstrap-admin', role: 'admin', storeIds: [], territories: [] };
    }
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const stored = await findToken(this.warehouse, hash);
    const principal =
      stored && !stored.revoked && (USER_ROLES as readonly string[]).includes(stored.role)
        ? { name: stored.name, role: stored.role as UserRole, storeIds: stored.store_ids, territories: stored.territories }
        : undefined;
    this.cache.set(hash, { principal, until: Date.now() + CACHE_MS });
    return principal;
  }

  async issue(grant: Principal): Promise<string> {
    const token = newToken();
    await saveToken(this.warehouse, {
      token_hash: hashToken(token),
      name: grant.name,
      role: grant.role,
      store_ids: grant.storeIds,
      territories: grant.territories,
      revoked: false,
    });
    return token;
  }

  /** Checks the bearer token and the route's roles; sets request.principal. */
  async authorize(request: FastifyRequest): Promise<void> {
    const roles = request.routeOptions.config.roles;
    if (!roles) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const queryToken = request.routeOptions.config.queryToken ? (request.query as { access_token?: string }).access_token : undefined;
    const token = match?.[1] ?? queryToken;
    if (!token) throw unauthorized('send Authorization: Bearer <token>');
    const principal = await this.resolve(token);
    if (!principal) throw unauthorized('the token is unknown or revoked');
    if (!roles.includes(principal.role)) {
      throw forbidden(`role ${principal.role} may not ${request.method} ${request.routeOptions.url}; allowed: ${roles.join(', ')}`);
    }
    request.principal = principal;
  }
}
