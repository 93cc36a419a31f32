// A desk must keep one admin who can sign in: no path (console, SCIM, erasure) may disable, demote or erase the last one.
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict } from '../../http/problem';
import { SERVICE_ACCOUNT_SQL } from '../../../platform/access/service-accounts';

/** Throws 409 `last-admin` when `userId` is the only active admin left (call inside the transaction that changes it). */
export async function refuseLosingLastAdmin(tx: EntityManager, userId: string, what: string): Promise<void> {
  // Locking the admins' rows makes two concurrent demotions of the last two admins take turns. SQL: the service-account
  // rule is SQL here, and the lock covers every admin row at once.
  const admins = await tx.execute<Array<{ id: string }>>(
    `select u.id from users u where u.role = 'admin' and not u.disabled and not (${SERVICE_ACCOUNT_SQL}) order by u.id for update`,
  );
  if (admins.length === 1 && admins[0]!.id === userId) {
    throw conflict(`this is the last active admin of the desk: ${what} would leave nobody to administer it; make another admin first`, 'last-admin');
  }
}
