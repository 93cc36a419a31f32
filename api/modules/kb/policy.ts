// Who sees and edits which article: customers read published public articles only; agents and admins read everything and edit (and publish); those with admin.settings manage categories.
import { forbidden } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import { requirePermission } from '../iam/permissions';

export const isStaff = (user: AuthUser) => user.role === 'admin' || user.role === 'agent';

/** Agents and admins both write and publish articles (kb.edit): the people answering tickets are the ones who know the answers. */
export function requireEditor(user: AuthUser): void {
  if (!isStaff(user)) throw forbidden('only agents and admins edit the knowledge base');
  requirePermission(user, 'kb.edit');
}

/** Categories shape the whole knowledge base: a desk setting. */
export function requireCategoryAdmin(user: AuthUser): void {
  requirePermission(user, 'admin.settings');
}

/** The rows of kb_articles (alias `a`) the caller may read, as a SQL condition without parameters. */
export function readableSql(user: AuthUser): string {
  return isStaff(user) ? 'true' : `(a.status = 'published' and a.visibility = 'public')`;
}

/** Suggestions only ever propose published answers; customers, only public ones. */
export function suggestibleSql(user: AuthUser): string {
  return isStaff(user) ? `a.status = 'published'` : `(a.status = 'published' and a.visibility = 'public')`;
}
