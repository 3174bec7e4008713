import { Type } from '@sinclair/typebox';
import { CredentialsSchema, SessionSchema } from '../../contracts/session.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findUser } from '../../analytics/access.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { CSRF_HEADER, SESSION_COOKIE, type Authority } from '../auth.ts';
import { ApiError, unauthorized } from '../errors.ts';
import { unknownUserHash, verifyPassword } from '../passwords.ts';
import { USER_ROLES, type UserRole } from '../../contracts/enums.ts';
import type { Api } from '../instance.ts';
import { mayNamePacks } from '../teaching-rights.ts';

export interface SessionRoutesDeps {
  warehouse: Warehouse;
  auth: Authority;
  /** Mark the cookie Secure (the server is reached over https, directly or behind a proxy). */
  secureCookie: boolean;
  /** Sign-in attempts a minute per user name and address; then 429 + Retry-After. */
  loginAttemptsPerMinute: number;
  /** Merchandisers may name packs (SHELFPULSE_MERCHANDISERS_TEACH): the session answer says so, for the web app's controls. */
  merchandisersTeach: boolean;
}

const wrongCredentials = () => unauthorized('the user name or password is wrong');

/** One address may try this many times the per-user attempts a minute, over all user names together. */
const ADDRESS_FACTOR = 20;

/** Password sign-in: a server-side session behind an HttpOnly, SameSite=Strict cookie. */
export async function sessionRoutes(app: Api, deps: SessionRoutesDeps): Promise<void> {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.secureCookie } as const;
  // Password spraying (one address, many user names) runs into a wider limit per address.
  const perAddress = app.createRateLimit({
    max: deps.loginAttemptsPerMinute * ADDRESS_FACTOR,
    timeWindow: '1 minute',
    keyGenerator: (request: FastifyRequest) => `login|${request.ip}`,
  });
  const view = (request: FastifyRequest) => {
    const p = request.principal!;
    return {
      name: p.name,
      role: p.role,
      store_ids: p.storeIds,
      territories: p.territories,
      via: p.via,
      csrf_header: CSRF_HEADER,
      may_teach: mayNamePacks(p.role, deps.merchandisersTeach),
    };
  };

  app.post(
    '/v1/session',
    {
      schema: {
        summary: 'Sign in with user name and password',
        description:
          `Sets the session cookie ${SESSION_COOKIE} (HttpOnly, SameSite=Strict, Path=/, Secure behind https). ` +
          `Requests signed in by the cookie that change something must carry the header ${CSRF_HEADER}: 1. ` +
          `At most ${deps.loginAttemptsPerMinute} attempts a minute per user name and address, ${deps.loginAttemptsPerMinute * ADDRESS_FACTOR} per address ` +
          '(then 429 + Retry-After).',
        tags: ['access'],
        body: CredentialsSchema,
        response: { 200: SessionSchema },
      },
      config: {
        public: true,
        // After body parsing, so that the limit is per user name and address: guessing one user's password runs into it.
        rateLimit: {
          max: deps.loginAttemptsPerMinute,
          timeWindow: '1 minute',
          hook: 'preHandler',
          keyGenerator: (request: FastifyRequest) => `login|${(request.body as { username?: string } | undefined)?.username ?? ''}|${request.ip}`,
        },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const limit = await perAddress(request);
      if (!limit.isAllowed && limit.isExceeded) {
        throw new ApiError(429, 'rate_limited', `too many sign-in attempts from this address; retry in ${limit.ttlInSeconds} s`, {
          'retry-after': String(limit.ttlInSeconds),
        });
      }
      const user = await findUser(deps.warehouse, username);
      // An unknown name costs a full verification too: the answer time says nothing about which names exist.
      const ok = await verifyPassword(password, user?.password_hash ?? (await unknownUserHash()));
      if (!user || !ok) throw wrongCredentials();
      if (user.disabled) throw new ApiError(403, 'user_disabled', `user ${username} is disabled; ask an administrator`);
      const { cookie, expiresAt } = await deps.auth.openSession(user.username);
      reply.setCookie(SESSION_COOKIE, cookie, { ...cookieOptions, expires: expiresAt });
      request.log.info({ username }, 'signed in');
      return {
        name: user.username,
        role: user.role as UserRole,
        store_ids: user.store_ids,
        territories: user.territories,
        via: 'session' as const,
        csrf_header: CSRF_HEADER,
        may_teach: mayNamePacks(user.role as UserRole, deps.merchandisersTeach),
      };
    },
  );

  app.get(
    '/v1/session',
    {
      schema: {
        summary: 'The caller (a signed-in user or a token holder): role, scopes and how',
        tags: ['access'],
        security: [{ session: [] }, { bearer: [] }],
        response: { 200: SessionSchema },
      },
      config: { roles: USER_ROLES },
    },
    async (request) => view(request),
  );

  app.delete(
    '/v1/session',
    {
      schema: {
        summary: 'Sign out: the session is revoked on the server and the cookie cleared',
        description: `Needs the header ${CSRF_HEADER}: 1 like every cookie-authenticated change. With a bearer token there is no session to end.`,
        tags: ['access'],
        security: [{ session: [] }],
        response: { 204: Type.Null() },
      },
      config: { roles: USER_ROLES },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const cookie = request.cookies[SESSION_COOKIE];
      if (request.principal!.via === 'session' && cookie) {
        await deps.auth.closeSession(cookie);
        request.log.info({ username: request.principal!.name }, 'signed out');
      }
      return reply.clearCookie(SESSION_COOKIE, cookieOptions).code(204).send();
    },
  );
}
