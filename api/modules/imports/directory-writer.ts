// Organisations, people and assets from an import, each batch inside the run's transaction. People already on the desk
// are matched by e-mail; an administrator or an account whose role differs is never changed by a file, and a person
// erased from the desk is not made again.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { erasedAmong } from './erased';
import { knownKeys, rememberKeys } from './keys';
import type { AssetRecord, ImportTally, OrganisationRecord, UserRecord } from './records';

/** Where a record came from, for notes: a file's line, or the source's own name for it. */
export const whereFrom = (row: number | string): string => (typeof row === 'number' ? `line ${row}` : row);

/** Organisations by name (made when missing); their ids. */
export async function ensureOrganisations(tx: EntityManager, names: string[]): Promise<{ ids: Map<string, string>; created: Set<string> }> {
  if (!names.length) return { ids: new Map(), created: new Set() };
  const inserted = await tx.execute<{ name: string }[]>(
    `insert into organisations (id, name) select (x->>'id')::uuid, x->>'name' from jsonb_array_elements(?::jsonb) x on conflict (name) do nothing returning name`,
    [JSON.stringify(names.map((name) => ({ id: randomUUID(), name })))],
  );
  const rows = await tx.execute<{ id: string; name: string }[]>(`select id, name from organisations where name in (select jsonb_array_elements_text(?::jsonb))`, [JSON.stringify(names)]);
  return { ids: new Map(rows.map((r) => [r.name, r.id])), created: new Set(inserted.map((r) => r.name)) };
}

export async function writeOrganisations(tx: EntityManager, source: string, records: OrganisationRecord[], tally: ImportTally): Promise<void> {
  if (!records.length) return;
  const known = await knownKeys(tx, source, 'organisation', records.map((r) => r.key));
  const current = new Map(
    (await tx.execute<{ id: string; name: string }[]>(`select id, name from organisations where id in (select value::uuid from jsonb_array_elements_text(?::jsonb))`, [JSON.stringify([...known.values()].map((k) => k.local_id))])).map((o) => [o.id, o.name]),
  );
  const { ids, created } = await ensureOrganisations(tx, records.filter((r) => !known.has(r.key)).map((r) => r.name));
  const keys: { external_id: string; local_id: string }[] = [];
  for (const r of records) {
    const mine = known.get(r.key);
    if (mine && current.has(mine.local_id)) {
      if (current.get(mine.local_id) === r.name) tally.unchanged += 1;
      else {
        // Renamed at the source: renamed here too, unless another organisation already has the name.
        const [renamed] = await tx.execute<{ id: string }[]>(`update organisations set name = ? where id = ? and not exists (select 1 from organisations where name = ?) returning id`, [r.name, mine.local_id, r.name]);
        if (renamed) tally.updated += 1;
        else tally.skip(`${whereFrom(r.row)}: ${r.name} is already another organisation's name; ${current.get(mine.local_id)} kept its name`);
      }
      continue;
    }
    const id = ids.get(r.name)!;
    if (created.has(r.name)) {
      tally.created += 1;
      created.delete(r.name);
    } else tally.unchanged += 1;
    keys.push({ external_id: r.key, local_id: id });
  }
  await rememberKeys(tx, source, 'organisation', keys);
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: string;
  organisation_id: string | null;
  locale: string;
  phone: string | null;
  disabled: boolean;
}

export async function writeUsers(tx: EntityManager, source: string, records: UserRecord[], tally: ImportTally): Promise<void> {
  if (!records.length) return;
  const orgs = await ensureOrganisations(tx, [...new Set(records.map((r) => r.organisation).filter((o): o is string => !!o))]);
  // Locked in one order whoever locks them, so two runs (or a run and a sync) wait for each other rather than deadlock.
  const existing = await tx.execute<UserRow[]>(
    `select id, email, name, role, organisation_id, locale, phone, disabled from users
     where email in (select jsonb_array_elements_text(?::jsonb)) order by email for update`,
    [JSON.stringify(records.map((r) => r.email))],
  );
  const erased = await erasedAmong(tx, records.map((r) => r.email));
  const byEmail = new Map(existing.map((u) => [u.email, u]));
  const creates: Array<{ id: string; key: string; email: string } & Record<string, unknown>> = [];
  const updates: object[] = [];
  const keys: { external_id: string; local_id: string }[] = [];
  for (const r of records) {
    if (erased.has(r.email)) {
      tally.skip(`${whereFrom(r.row)}: ${r.email} was erased from this desk: not made again`);
      continue;
    }
    const u = byEmail.get(r.email);
    const organisation_id = r.organisation ? orgs.ids.get(r.organisation)! : r.organisation === null ? null : (u?.organisation_id ?? null);
    const next = {
      name: r.name,
      organisation_id: r.role === 'customer' ? organisation_id : null,
      locale: r.locale ?? u?.locale ?? 'en',
      phone: r.phone === undefined ? (u?.phone ?? null) : r.phone,
      disabled: r.disabled ?? u?.disabled ?? false,
    };
    if (!u) {
      creates.push({ id: randomUUID(), key: r.key, email: r.email, role: r.role, ...next });
      continue;
    }
    keys.push({ external_id: r.key, local_id: u.id });
    if (u.role === 'admin') tally.skip(`${whereFrom(r.row)}: ${r.email} is an administrator here: left as it is`);
    else if (u.role !== r.role) tally.skip(`${whereFrom(r.row)}: ${r.email} is ${u.role === 'agent' ? 'an agent' : 'a customer'} here and ${r.role === 'agent' ? 'an agent' : 'a customer'} in the file: left as it is`);
    else if (u.name !== next.name || u.organisation_id !== next.organisation_id || u.locale !== next.locale || u.phone !== next.phone || u.disabled !== next.disabled) {
      updates.push({ id: u.id, ...next });
      tally.updated += 1;
    } else tally.unchanged += 1;
  }
  if (creates.length) {
    // Accounts come without a password: people sign in with single sign-on or set one through "forgot password".
    const made = await tx.execute<{ id: string; email: string }[]>(
      `insert into users (id, email, name, role, organisation_id, locale, phone, disabled, password_hash)
       select x.id, x.email, x.name, x.role, x.organisation_id, x.locale, x.phone, x.disabled, null
       from jsonb_to_recordset(?::jsonb) as x(id uuid, email text, name text, role text, organisation_id uuid, locale text, phone text, disabled boolean)
       on conflict (email) do nothing returning id, email`,
      [JSON.stringify(creates)],
    );
    const ids = new Map(made.map((u) => [u.email, u.id]));
    for (const c of creates) {
      const id = ids.get(c.email);
      // Made meanwhile by another writer (mail intake, a sync): theirs now, and this source's next run updates it.
      if (!id) tally.skip(`${c.email} was made meanwhile by someone else: left as it is`);
      else {
        keys.push({ external_id: c.key, local_id: id });
        tally.created += 1;
      }
    }
  }
  if (updates.length) {
    await tx.execute(
      `update users u set name = x.name, organisation_id = x.organisation_id, locale = x.locale, phone = x.phone, disabled = x.disabled, updated_at = now()
       from jsonb_to_recordset(?::jsonb) as x(id uuid, name text, organisation_id uuid, locale text, phone text, disabled boolean) where u.id = x.id`,
      [JSON.stringify(updates)],
    );
    // A disabled account signs out everywhere at once, as when an admin disables it.
    await tx.execute(`delete from sessions where user_id in (select (x->>'id')::uuid from jsonb_array_elements(?::jsonb) x where (x->>'disabled')::boolean)`, [JSON.stringify(updates)]);
  }
  await rememberKeys(tx, source, 'user', keys);
}

interface AssetRow {
  id: string;
  name: string;
  kind: string;
  category: string;
  location: string;
  criticality: string;
}

export async function writeAssets(tx: EntityManager, source: string, records: AssetRecord[], tally: ImportTally): Promise<void> {
  if (!records.length) return;
  const known = await knownKeys(tx, source, 'asset', records.map((r) => r.key));
  const rows = await tx.execute<AssetRow[]>(`select id, name, kind, category, location, criticality from assets where id in (select value::uuid from jsonb_array_elements_text(?::jsonb))`, [
    JSON.stringify([...known.values()].map((k) => k.local_id)),
  ]);
  const byId = new Map(rows.map((a) => [a.id, a]));
  const creates: (Omit<AssetRecord, 'row' | 'key'> & { id: string })[] = [];
  const updates: (Omit<AssetRecord, 'row' | 'key'> & { id: string })[] = [];
  const keys: { external_id: string; local_id: string }[] = [];
  for (const r of records) {
    const { name, kind, category, location, criticality } = r;
    const mine = known.get(r.key);
    const current = mine ? byId.get(mine.local_id) : undefined;
    if (!current) {
      const id = randomUUID();
      creates.push({ id, name, kind, category, location, criticality });
      keys.push({ external_id: r.key, local_id: id });
      tally.created += 1;
    } else if (current.name !== name || current.kind !== kind || current.category !== category || current.location !== location || current.criticality !== criticality) {
      updates.push({ id: current.id, name, kind, category, location, criticality });
      tally.updated += 1;
    } else tally.unchanged += 1;
  }
  if (creates.length) {
    await tx.execute(
      `insert into assets (id, name, kind, category, location, criticality)
       select x.id, x.name, x.kind, x.category, x.location, x.criticality from jsonb_to_recordset(?::jsonb) as x(id uuid, name text, kind text, category text, location text, criticality text)`,
      [JSON.stringify(creates)],
    );
  }
  if (updates.length) {
    await tx.execute(
      `update assets a set name = x.name, kind = x.kind, category = x.category, location = x.location, criticality = x.criticality, updated_at = now()
       from jsonb_to_recordset(?::jsonb) as x(id uuid, name text, kind text, category text, location text, criticality text) where a.id = x.id`,
      [JSON.stringify(updates)],
    );
  }
  await rememberKeys(tx, source, 'asset', keys);
}
