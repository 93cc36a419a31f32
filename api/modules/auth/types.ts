// Who is calling: the authenticated user as every route and policy sees it.
import type { RoleGrants } from '../iam/permissions';
export type UserRole = 'admin' | 'agent' | 'customer';
/** `scim` tokens reach the SCIM service only, and nothing else reaches it. */
export type TokenScope = 'read' | 'write' | 'admin' | 'scim';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  locale: string;
  organisationId: string | null;
  /** How the caller proved who they are; CSRF applies only to cookie sessions. */
  via: 'session' | 'token';
  /** Empty for API tokens, which need no CSRF protection. */
  csrfToken: string;
  tokenScope?: TokenScope;
  /** Sessions only: whether the account has two-step sign-in on, and whether it is local (has a password). */
  twoStepOn?: boolean;
  local?: boolean;
  tokenId?: string;
  /** A custom role's key and grants; absent for the built-in roles, whose grants are fixed (iam/permissions.ts). */
  customRole?: string | null;
  grants?: RoleGrants;
}

/** An account with its custom role's grants as the per-request checks (session, API token) read it in one SQL statement. */
export interface RequestAccountRow {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  locale: string;
  organisation_id: string | null;
  custom_role: string | null;
  grants: RoleGrants | null;
}
