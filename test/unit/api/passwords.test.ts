import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../api/passwords.ts';

describe('password hashes', () => {
  it('are salted scrypt hashes that verify the password and nothing else', async () => {
    const [a, b] = await Promise.all([hashPassword('货架 pulse 2026'), hashPassword('货架 pulse 2026')]);
    expect(a).toMatch(/^scrypt\$65536\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('货架 pulse 2026', a)).toBe(true);
    expect(await verifyPassword('货架 pulse 2027', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    // Four scrypt runs at the production cost (64 MiB each): a second on a quiet machine, far more on a busy one.
  }, 60_000);

  it('verify hashes stored with another cost, so the cost can be raised later', async () => {
    const key = scryptSync('pw', Buffer.from('saltsaltsaltsalt'), 32, { N: 1024, r: 8, p: 1 }).toString('base64url');
    const cheaper = `scrypt$1024$8$1$${Buffer.from('saltsaltsaltsalt').toString('base64url')}$${key}`;
    expect(await verifyPassword('pw', cheaper)).toBe(true);
  });

  it.each(['', 'plain text', 'scrypt$x$8$1$abc$def', 'scrypt$3$8$1$abc$def', 'scrypt$1073741824$8$1$abc$def', 'scrypt$1024$8$1$$', 'bcrypt$10$abc'])(
    'never match a malformed stored hash: %j',
    async (stored) => {
      expect(await verifyPassword('plain text', stored)).toBe(false);
    },
  );
});
