import { Type, type Static } from '@sinclair/typebox';
import { findUser, listUsers, revokeUserSessions, saveUser, type StoredUser } from '../../analytics/access.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import type { Authority } from '../auth.ts';
import { ApiError, notFound } from '../errors.ts';
import { hashPassword } from '../passwords.ts';
import { USER_ROLES } from '../../contracts/enums.ts';
import type { Api } from '../instance.ts';
import { oneOf } from '../../contracts/one-of.ts';

export interface UserRoutesDeps {
  warehouse: Warehouse;
  auth: Authority;
}

const Role = oneOf(USER_ROLES);
const Username = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$', description: 'Letters, digits and . _ @ -; at most 64' });
const Password = Type.String({ minLength: 10, maxLength: 1024, description: 'At least 10 characters; stored only as a scrypt hash' });
const StoreIds = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 10_000, description: 'Stores in scope; empty = all' });
const Territories = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000, description: 'Territories in scope; empty = all' });

export const NewUser = Type.Object(
  {
    username: Username,
    name: Type.Optional(Type.String({ maxLength: 200, description: 'Display name; default the user name' })),
    password: Password,
    role: Role,
    store_ids: Type.Optional(StoreIds),
    territories: Type.Optional(Territories),
  },
  { additionalProperties: false, title: 'NewUser' },
);

export const UserChange = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    password: Type.Optional(Password),
    role: Type.Optional(Role),
    store_ids: Type.Optional(StoreIds),
    territories: Type.Optional(Territories),
    disabled: Type.Optional(Type.Boolean({ description: 'A disabled user cannot sign in, and is signed out everywhere' })),
  },
  { additionalProperties: false, minProperties: 1, title: 'UserChange' },
);

export const UserView = Type.Object(
  {
    username: Type.String(),
    name: Type.String(),
    role: Role,
    store_ids: Type.Array(Type.String()),
    territories: Type.Array(Type.String()),
    disabled: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'User' },
);

const UserParams = Type.Object({ username: Type.String({ maxLength: 64 }) });

/** The stored row without its password hash. */
function present(user: StoredUser): Static<typeof UserView> {
  const { password_hash: _hash, ...rest } = user;
  return { ...rest, role: user.role as Static<typeof Role> };
}

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

/** Users who sign in with a password; only admins create and change them. */
export async function userRoutes(app: Api, deps: UserRoutesDeps): Promise<void> {
  app.get(
    '/v1/users',
    {
      schema: { summary: 'Users, by user name', tags: ['access'], security, response: { 200: Type.Object({ users: Type.Array(UserView) }) } },
      config: { roles: ['admin'] },
    },
    async () => ({ users: (await listUsers(deps.warehouse, 100_000)).map(present) }),
  );

  app.get(
    '/v1/users/:username',
    {
      schema: { summary: 'One user', tags: ['access'], security, params: UserParams, response: { 200: UserView } },
      config: { roles: ['admin'] },
    },
    async (request) => {
      const user = await findUser(deps.warehouse, request.params.username);
      if (!user) throw notFound(`no user ${request.params.username}`);
      return present(user);
    },
  );

  app.post(
    '/v1/users',
    {
      schema: { summary: 'Create a user with a role and scopes', tags: ['access'], security, body: NewUser, response: { 201: UserView } },
      config: { roles: ['admin'] },
    },
    async (request, reply) => {
      const { username, name, password, role, store_ids = [], territories = [] } = request.body;
      if (await findUser(deps.warehouse, username)) throw new ApiError(409, 'conflict', `user ${username} exists; change it with PATCH /v1/users/${username}`);
      const now = new Date().toISOString();
      const user = {
        username,
        name: name ?? username,
        role,
        store_ids,
        territories,
        password_hash: await hashPassword(password),
        disabled: false,
        created_at: now,
      };
      await saveUser(deps.warehouse, user);
      request.log.info({ username, role, by: request.principal!.name }, 'user created');
      return reply.code(201).send(present({ ...user, updated_at: now }));
    },
  );

  app.patch(
    '/v1/users/:username',
    {
      schema: {
        summary: 'Change a user: name, password, role, scopes, or disable it',
        description: 'A new password or disabling signs the user out everywhere; a new role or scope applies to open sessions within seconds.',
        tags: ['access'],
        security,
        params: UserParams,
        body: UserChange,
        response: { 200: UserView },
      },
      config: { roles: ['admin'] },
    },
    async (request) => {
      const current = await findUser(deps.warehouse, request.params.username);
      if (!current) throw notFound(`no user ${request.params.username}`);
      const { password, ...change } = request.body;
      const { updated_at: _previous, ...kept } = current;
      const user = { ...kept, ...change, ...(password ? { password_hash: await hashPassword(password) } : {}) };
      await saveUser(deps.warehouse, user);
      if (password || change.disabled) await revokeUserSessions(deps.warehouse, user.username);
      deps.auth.forgetUser(user.username);
      request.log.info({ username: user.username, changed: Object.keys(request.body), by: request.principal!.name }, 'user changed');
      return present((await findUser(deps.warehouse, user.username)) ?? { ...user, updated_at: new Date().toISOString() });
    },
  );
}
