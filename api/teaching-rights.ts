import type { UserRole } from '../contracts/enums.ts';

/** The roles the pack-naming route is open to; a merchandiser among them only where the admin allows it. */
export const NAMING_ROLES: readonly UserRole[] = ['admin', 'category_manager', 'merchandiser'];

/** Who may name unknown packs: the one rule the naming route enforces and the session answer tells the web app. */
export const mayNamePacks = (role: UserRole, merchandisersTeach: boolean): boolean =>
  role === 'admin' || role === 'category_manager' || (role === 'merchandiser' && merchandisersTeach);
