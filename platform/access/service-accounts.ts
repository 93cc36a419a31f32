// Webhook endpoints act through admin accounts that cannot sign in (service accounts): they are no person's account, so
// they count as no admin, are never mailed, never provisioned or synced from a directory.
export const SERVICE_ACCOUNT_SQL = `u.email like '%@hooks.guichet.invalid'`;
