import { describe, expect, it } from 'vitest';
import { mayNamePacks } from '../../../api/teaching-rights.ts';
import { USER_ROLES } from '../../../contracts/enums.ts';

describe('who may name unknown packs', () => {
  it('admins and category managers always, merchandisers only where the admin allows it, nobody else', () => {
    const allowed = (merchandisersTeach: boolean) => USER_ROLES.filter((role) => mayNamePacks(role, merchandisersTeach));
    expect(allowed(false)).toEqual(['admin', 'category_manager']);
    expect(allowed(true).sort()).toEqual(['admin', 'category_manager', 'merchandiser']);
  });
});
