import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, RouteOptions } from 'fastify';
import { findActiveSession, findToken, revokeSession, saveSession, saveToken } from '../analytics/access.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import { ApiError, forbidden, unauthorized } from './errors.ts';
import { USER_ROLES, type UserRole } from '../contracts/enums.ts';

/** Who is calling: the role decides which routes, the scopes which stores and territories (empty = all). */
export interface Principal {
  name: string;
  role: UserRole;
  storeIds: string[];
  territories: string[];
  /** How the caller proved it: a bearer token, or the session cookie of a password sign-in. */
  via: 'token' | 'session';
}

/** Whether a principal's scopes reach a store (both its stores and its territories, each empty = all). */
export function reaches(principal: Principal, store: { store_id: string; territory: string }): boolean {
  return (
    (principal.storeIds.length === 0 || principal.storeIds.includes(store.store_id)) &&
    (principal.territories.length === 0 || principal.territories.includes(store.territory))
  );
}

/** The cookie of a password sign-in: an opaque random value; the server keeps only its SHA-256. */
export const SESSION_COOKIE = 'shelfpulse_session';
/**
 * CSRF defence for cookie sessions: a state-changing request must carry this header. A cross-site form cannot
 * set a header, and a cross-site script needs a CORS preflight, which this server never grants; SameSite=Strict
 * on the cookie is the second layer. Bearer-token requests need no header (a browser never adds the token itself).
 */
export const CSRF_HEADER = 'x-shelfpulse-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route. Every route names its roles or says `public: true`; one with neither is refused. */
    roles?: readonly UserRole[];
    /** Open without credentials: health checks, sign-in, the API docs and the web app (which signs in itself). */
    public?: boolean;
    /** Also take the token from `?access_token=` (EventSource cannot send headers). */
    queryToken?: boolean;
  }
}

/** An onRoute hook: a route declaring neither `roles` nor `public: true` fails its registration, so it shows at start. */
export function requireAccessDeclaration(route: RouteOptions): void {
  const { roles, public: open } = route.config ?? {};
  if (open && roles) throw new Error(`${route.method} ${route.url} is public and names roles; choose one`);
  if (!open && !roles?.length)
    throw new Error(`${route.method} ${route.url} declares no access: set config.roles to the roles allowed, or config.public: true`);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return `sp_${randomBytes(24).toString('base64url')}`;
}

const isRole = (role: string): role is UserRole => (USER_ROLES as readonly string[]).includes(role);

/** Resolved credentials for a short while, so that a page's burst of requests costs one warehouse lookup. */
class CredentialCache {
  private readonly entries = new Map<string, { principal: Principal | undefined; until: number }>();

  constructor(private readonly maxEntries = 10_000) {}

  get(hash: string): { principal: Principal | undefined } | undefined {
    const entry = this.entries.get(hash);
    if (entry && entry.until > Date.now()) return entry;
    this.entries.delete(hash);
    return undefined;
  }

  set(hash: string, principal: Principal | undefined, until: number): void {
    // Unknown credentials are cached too; the bound keeps a flood of made-up ones from growing memory.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(hash, { principal, until });
  }

  delete(hash: string): void {
    this.entries.delete(hash);
  }

  deleteWhere(test: (principal: Principal) => boolean): void {
    for (const [hash, entry] of this.entries) if (entry.principal && test(entry.principal)) this.entries.delete(hash);
  }
}

const TOKEN_CACHE_MS = 30_000;
// Short for sessions: a user disabled on another process stops working within seconds.
const SESSION_CACHE_MS = 5_000;

export interface SessionPolicy {
  /** How long a password sign-in lasts. */
  ttlMs: number;
}

/**
 * Who is calling: bearer tokens (the bootstrap admin token from the environment, else the hashed tokens in the
 * warehouse) and the session cookies of password sign-ins (sessions in the warehouse, joined with their user).
 */
export class Authority {
  private readonly adminHash: Buffer | undefined;
  private readonly tokens = new CredentialCache();
  private readonly sessions = new CredentialCache();

  constructor(
    private readonly warehouse: Warehouse,
    adminToken: string | undefined,
    readonly sessionPolicy: SessionPolicy = { ttlMs: 12 * 3_600_000 },
  ) {
    this.adminHash = adminToken ? Buffer.from(hashToken(adminToken), 'hex') : undefined;
  }

  async resolve(token: string): Promise<Principal | undefined> {
    const hash = hashToken(token);
    // Comparing fixed-length hashes in constant time: no timing hint about the admin token.
    if (this.adminHash && timingSafeEqual(this.adminHash, Buffer.from(hash, 'hex'))) {
      return { name: 'bootstrap-admin', role: 'admin', storeIds: [], territories: [], via: 'token' };
    }
    const cached = this.tokens.get(hash);
    if (cached) return cached.principal;
    const stored = await findToken(this.warehouse, hash);
    const principal: Principal | undefined =
      stored && !stored.revoked && isRole(stored.role)
        ? { name: stored.name, role: stored.role, storeIds: stored.store_ids, territories: stored.territories, via: 'token' }
        : undefined;
    this.tokens.set(hash, principal, Date.now() + TOKEN_CACHE_MS);
    return principal;
  }

  /** The user behind a session cookie; undefined when it expired, was signed out, or its user was disabled. */
  async resolveSession(cookie: string): Promise<Principal | undefined> {
    const hash = hashToken(cookie);
    const cached = this.sessions.get(hash);
    if (cached) return cached.principal;
    const session = await findActiveSession(this.warehouse, hash);
    const principal: Principal | undefined =
      session && isRole(session.role)
        ? { name: session.username, role: session.role, storeIds: session.store_ids, territories: session.territories, via: 'session' }
        : undefined;
    this.sessions.set(hash, principal, Math.min(Date.now() + SESSION_CACHE_MS, session?.expires_ms ?? Infinity));
    return principal;
  }

  /** Starts a session for a user whose password was just verified; the cookie value is returned once. */
  async openSession(username: string): Promise<{ cookie: string; expiresAt: Date }> {
    const cookie = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.sessionPolicy.ttlMs);
    await saveSession(this.warehouse, { session_hash: hashToken(cookie), username, expires_at: expiresAt.toISOString(), revoked: false });
    return { cookie, expiresAt };
  }

  async closeSession(cookie: string): Promise<void> {
    const hash = hashToken(cookie);
    await revokeSession(this.warehouse, hash);
    this.sessions.delete(hash);
  }

  /** Drops what this process remembers of a user's sessions after the user changed (role, scopes, disabled). */
  forgetUser(username: string): void {
    this.sessions.deleteWhere((principal) => principal.name === username);
  }

  async issue(grant: Omit<Principal, 'via'>): Promise<string> {
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

  /** Checks the bearer token (else the session cookie) and the route's roles; sets request.principal. */
  async authorize(request: FastifyRequest): Promise<void> {
    const { roles, public: open } = request.routeOptions.config;
    // An unknown path gets its JSON 404 whoever asks.
    if (open || request.is404) return;
    // Default-deny: a route that forgot to name its roles is closed, not open.
    if (!roles) throw forbidden(`${request.method} ${request.routeOptions.url} names no roles; the server must declare config.roles or config.public`);
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const queryToken = request.routeOptions.config.queryToken ? (request.query as { access_token?: string }).access_token : undefined;
    const token = match?.[1] ?? queryToken;
    const cookie = request.cookies?.[SESSION_COOKIE];
    let principal: Principal | undefined;
    if (token) {
      principal = await this.resolve(token);
      if (!principal) throw unauthorized('the token is unknown or revoked');
    } else if (cookie) {
      principal = await this.resolveSession(cookie);
      if (!principal) throw unauthorized('the session has expired or was signed out; sign in again');
      if (!SAFE_METHODS.has(request.method) && !request.headers[CSRF_HEADER]) {
        throw new ApiError(403, 'csrf_required', `a request signed in by cookie that changes something must carry the header ${CSRF_HEADER}: 1`);
      }
    } else {
      throw unauthorized('send Authorization: Bearer <token>, or sign in with POST /v1/session');
    }
    if (!roles.includes(principal.role)) {
      throw forbidden(`role ${principal.role} may not ${request.method} ${request.routeOptions.url}; allowed: ${roles.join(', ')}`);
    }
    request.principal = principal;
  }
}
