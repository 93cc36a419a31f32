// Webhook endpoints act through admin accounts that cannot sign in (service accounts): they are no person's account, so
// they count as no admin, are never mailed, never provisioned or synced from a directory.
const SERVICE_ACCOUNT_ADDRESSES = '%@hooks.guichet.invalid';

/** A condition on the users table aliased `u`, for SQL statements. */
export const SERVICE_ACCOUNT_SQL = `u.email like '${SERVICE_ACCOUNT_ADDRESSES}'`;

/** The same rule as a filter on the User entity: every account but the service accounts. */
export const PEOPLE_ONLY = { $not: { email: { $like: SERVICE_ACCOUNT_ADDRESSES } } } as const;
