// Who is calling: the authenticated user as every route and policy sees it.
export type UserRole = 'admin' | 'agent' | 'customer';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  locale: string;
  organisationId: string | null;
  /** How the caller proved who they are; CSRF applies only to cookie sessions. */
  via: 'session';
  csrfToken: string;
}
