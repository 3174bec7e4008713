import { Type, type Static } from '@sinclair/typebox';
import { USER_ROLES } from './enums.ts';
import { oneOf } from './one-of.ts';

/** A password sign-in. */
export const CredentialsSchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false, title: 'Credentials' },
);

/** Who the caller is: the answer of GET and POST /v1/session, and the web app's signed-in user. */
export const SessionSchema = Type.Object(
  {
    name: Type.String({ description: 'The user name (or the token holder)' }),
    role: oneOf(USER_ROLES),
    store_ids: Type.Array(Type.String(), { description: 'Stores in scope; empty = all' }),
    territories: Type.Array(Type.String(), { description: 'Territories in scope; empty = all' }),
    via: Type.Union([Type.Literal('session'), Type.Literal('token')]),
    csrf_header: Type.String({ description: 'Header that cookie-authenticated POST/PATCH/DELETE requests must carry (value 1)' }),
    may_teach: Type.Boolean({
      description:
        'May name unknown packs (POST /v1/unknown-packs/assign): admins and category managers, merchandisers where SHELFPULSE_MERCHANDISERS_TEACH=true',
    }),
  },
  { title: 'Session' },
);
export type Session = Static<typeof SessionSchema>;
