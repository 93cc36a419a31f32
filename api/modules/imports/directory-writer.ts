// Organisations, people and assets from an import, each batch inside the run's transaction. People already on the desk
// are matched by e-mail; an administrator or an account whose role differs is never changed by a file, and a person
// erased from the desk is not made again.
import { randomUUID } from 'node:crypto';
import { LockMode, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Asset, Organisation, Session, User } from '../../../platform/db/entities/index';
import { erasedAmong } from './erased';
import { knownKeys, rememberKeys, type RememberedKey } from './keys';
import type { AssetRecord, ImportTally, OrganisationRecord, UserRecord } from './records';

type OrganisationRow = InferEntity<typeof Organisation>;
type UserRow = InferEntity<typeof User>;
type AssetFields = Pick<InferEntity<typeof Asset>, 'id' | 'name' | 'kind' | 'category' | 'location' | 'criticality'>;

/** Where a record came from, for notes: a file's line, or the source's own name for it. */
export const whereFrom = (row: number | string): string => (typeof row === 'number' ? `line ${row}` : row);

/** Organisations by name (made when missing); their ids. */
export async function ensureOrganisations(tx: EntityManager, names: string[]): Promise<{ ids: Map<string, string>; created: Set<string> }> {
  if (!names.length) return { ids: new Map(), created: new Set() };
  const inserted = await tx
    .createQueryBuilder(Organisation)
    .insert(names.map((name) => ({ id: randomUUID(), name })))
    .onConflict('name')
    .ignore()
    .returning('name')
    .execute<{ name: string }[]>('all');
  const rows = await tx.find(Organisation, { name: { $in: names } }, { fields: ['id', 'name'], disableIdentityMap: true });
  return { ids: new Map(rows.map((r) => [r.name, r.id])), created: new Set(inserted.map((r) => r.name)) };
}

export async function writeOrganisations(tx: EntityManager, source: string, records: OrganisationRecord[], tally: ImportTally): Promise<void> {
  if (!records.length) return;
  const known = await knownKeys(tx, source, 'organisation', records.map((r) => r.key));
  const current = new Map(
    (await tx.find(Organisation, { id: { $in: [...known.values()].map((k) => k.localId) } }, { fields: ['id', 'name'], disableIdentityMap: true })).map((o) => [o.id, o.name]),
  );
  const { ids, created } = await ensureOrganisations(tx, records.filter((r) => !known.has(r.key)).map((r) => r.name));
  const keys: RememberedKey[] = [];
  for (const r of records) {
    const mine = known.get(r.key);
    if (mine && current.has(mine.localId)) {
      if (current.get(mine.localId) === r.name) tally.unchanged += 1;
      else {
        // Renamed at the source: renamed here too, unless another organisation already has the name.
        // SQL: the name is checked free and taken in one statement.
        const [renamed] = await tx.execute<Pick<OrganisationRow, 'id'>[]>(`update organisations set name = ? where id = ? and not exists (select 1 from organisations where name = ?) returning id`, [
          r.name,
          mine.localId,
          r.name,
        ]);
        if (renamed) tally.updated += 1;
        else tally.skip(`${whereFrom(r.row)}: ${r.name} is already another organisation's name; ${current.get(mine.localId)} kept its name`);
      }
      continue;
    }
    const id = ids.get(r.name)!;
    if (created.has(r.name)) {
      tally.created += 1;
      created.delete(r.name);
    } else tally.unchanged += 1;
    keys.push({ externalId: r.key, localId: id });
  }
  await rememberKeys(tx, source, 'organisation', keys);
}

export async function writeUsers(tx: EntityManager, source: string, records: UserRecord[], tally: ImportTally): Promise<void> {
  if (!records.length) return;
  const orgs = await ensureOrganisations(tx, [...new Set(records.map((r) => r.organisation).filter((o): o is string => !!o))]);
  // Locked in one order whoever locks them, so two runs (or a run and a sync) wait for each other rather than deadlock.
  const existing = await tx.find(
    User,
    { email: { $in: records.map((r) => r.email) } },
    { fields: ['id', 'email', 'name', 'role', 'organisationId', 'locale', 'phone', 'disabled'], orderBy: { email: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE, disableIdentityMap: true },
  );
  const erased = await erasedAmong(tx, records.map((r) => r.email));
  const byEmail = new Map(existing.map((u) => [u.email, u]));
  const creates: (Pick<UserRow, 'id' | 'email' | 'role' | 'name' | 'organisationId' | 'locale' | 'phone' | 'disabled'> & { key: string })[] = [];
  const updates: Pick<UserRow, 'id' | 'name' | 'organisationId' | 'locale' | 'phone' | 'disabled'>[] = [];
  const keys: RememberedKey[] = [];
  for (const r of records) {
    if (erased.has(r.email)) {
      tally.skip(`${whereFrom(r.row)}: ${r.email} was erased from this desk: not made again`);
      continue;
    }
    const u = byEmail.get(r.email);
    const organisationId = r.organisation ? orgs.ids.get(r.organisation)! : r.organisation === null ? null : (u?.organisationId ?? null);
    const next = {
      name: r.name,
      organisationId: r.role === 'customer' ? organisationId : null,
      locale: r.locale ?? u?.locale ?? 'en',
      phone: r.phone === undefined ? (u?.phone ?? null) : r.phone,
      disabled: r.disabled ?? u?.disabled ?? false,
    };
    if (!u) {
      creates.push({ id: randomUUID(), key: r.key, email: r.email, role: r.role, ...next });
      continue;
    }
    keys.push({ externalId: r.key, localId: u.id });
    if (u.role === 'admin') tally.skip(`${whereFrom(r.row)}: ${r.email} is an administrator here: left as it is`);
    else if (u.role !== r.role) tally.skip(`${whereFrom(r.row)}: ${r.email} is ${u.role === 'agent' ? 'an agent' : 'a customer'} here and ${r.role === 'agent' ? 'an agent' : 'a customer'} in the file: left as it is`);
    else if (u.name !== next.name || (u.organisationId ?? null) !== next.organisationId || u.locale !== next.locale || (u.phone ?? null) !== next.phone || u.disabled !== next.disabled) {
      updates.push({ id: u.id, ...next });
      tally.updated += 1;
    } else tally.unchanged += 1;
  }
  if (creates.length) {
    // Accounts come without a password: people sign in with single sign-on or set one through "forgot password".
    const made = await tx
      .createQueryBuilder(User)
      .insert(creates.map(({ key: _key, ...user }) => ({ ...user, passwordHash: null })))
      .onConflict('email')
      .ignore()
      .returning(['id', 'email'])
      .execute<Pick<UserRow, 'id' | 'email'>[]>('all');
    const ids = new Map(made.map((u) => [u.email, u.id]));
    for (const c of creates) {
      const id = ids.get(c.email);
      // Made meanwhile by another writer (mail intake, a sync): theirs now, and this source's next run updates it.
      if (!id) tally.skip(`${c.email} was made meanwhile by someone else: left as it is`);
      else {
        keys.push({ externalId: c.key, localId: id });
        tally.created += 1;
      }
    }
  }
  if (updates.length) {
    // SQL: the batch's accounts, each with its own values, in one statement (the ORM updates one row per statement).
    await tx.execute(
      `update users u set name = x.name, organisation_id = x.organisation_id, locale = x.locale, phone = x.phone, disabled = x.disabled, updated_at = now()
       from jsonb_to_recordset(?::jsonb) as x(id uuid, name text, organisation_id uuid, locale text, phone text, disabled boolean) where u.id = x.id`,
      [JSON.stringify(updates.map((u) => ({ id: u.id, name: u.name, organisation_id: u.organisationId, locale: u.locale, phone: u.phone, disabled: u.disabled })))],
    );
    const disabled = updates.filter((u) => u.disabled).map((u) => u.id);
    // A disabled account signs out everywhere at once, as when an admin disables it.
    if (disabled.length) await tx.nativeDelete(Session, { userId: { $in: disabled } });
  }
  await rememberKeys(tx, source, 'user', keys);
}

export async function writeAssets(tx: EntityManager, source: string, records: AssetRecord[], tally: ImportTally): Promise<void> {
  if (!records.length) return;
  const known = await knownKeys(tx, source, 'asset', records.map((r) => r.key));
  const rows = await tx.find(
    Asset,
    { id: { $in: [...known.values()].map((k) => k.localId) } },
    { fields: ['id', 'name', 'kind', 'category', 'location', 'criticality'], disableIdentityMap: true },
  );
  const byId = new Map(rows.map((a) => [a.id, a]));
  const creates: AssetFields[] = [];
  const updates: AssetFields[] = [];
  const keys: RememberedKey[] = [];
  for (const r of records) {
    const { name, kind, category, location, criticality } = r;
    const mine = known.get(r.key);
    const current = mine ? byId.get(mine.localId) : undefined;
    if (!current) {
      const id = randomUUID();
      creates.push({ id, name, kind, category, location, criticality });
      keys.push({ externalId: r.key, localId: id });
      tally.created += 1;
    } else if (current.name !== name || current.kind !== kind || current.category !== category || current.location !== location || current.criticality !== criticality) {
      updates.push({ id: current.id, name, kind, category, location, criticality });
      tally.updated += 1;
    } else tally.unchanged += 1;
  }
  if (creates.length) {
    await tx.insertMany(Asset, creates);
  }
  if (updates.length) {
    // SQL: the batch's assets, each with its own values, in one statement (the ORM updates one row per statement).
    await tx.execute(
      `update assets a set name = x.name, kind = x.kind, category = x.category, location = x.location, criticality = x.criticality, updated_at = now()
       from jsonb_to_recordset(?::jsonb) as x(id uuid, name text, kind text, category text, location text, criticality text) where a.id = x.id`,
      [JSON.stringify(updates)],
    );
  }
  await rememberKeys(tx, source, 'asset', keys);
}
