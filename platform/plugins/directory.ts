// The desk's organisations and customers as plug-ins may change them: only what a contact sync needs (names,
// organisations, language), each batch in one transaction, and never a staff account, a disabled or an erased one, so a
// plug-in cannot raise or lock anybody out; a person erased from the desk is not made again.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { addressDigest } from '../privacy/address-digest';
import type { PluginContact, PluginDirectory, PluginDirectoryResult, PluginOrganisation } from './v1';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A batch larger than this is refused: the plug-in splits it, so one transaction never holds the directory for long. */
export const MAX_BATCH = 5000;
const MAX_NOTES = 50;

const nameOf = (value: unknown, max: number): string | null => {
  const text = typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') : '';
  return text && text.length <= max ? text : null;
};

class Tally implements PluginDirectoryResult {
  created = 0;
  updated = 0;
  unchanged = 0;
  skipped = 0;
  notes: string[] = [];
  skip(note: string): void {
    this.skipped += 1;
    if (this.notes.length < MAX_NOTES) this.notes.push(note);
  }
}

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const refuseLarge = (rows: readonly unknown[]): void => {
  if (!Array.isArray(rows)) throw new TypeError('expected an array of rows');
  if (rows.length > MAX_BATCH) throw new RangeError(`a batch holds at most ${MAX_BATCH} rows (${rows.length} given): split it`);
};

/** Organisations by name: created when missing; ids of every name in `names`. */
async function ensureOrganisations(client: pg.PoolClient, names: string[]): Promise<{ ids: Map<string, string>; created: Set<string> }> {
  const { rows: inserted } = await client.query<{ name: string }>(
    `insert into organisations (id, name) select (x->>'id')::uuid, x->>'name' from jsonb_array_elements($1::jsonb) x on conflict (name) do nothing returning name`,
    [JSON.stringify(names.map((name) => ({ id: randomUUID(), name })))],
  );
  const { rows } = await client.query<{ id: string; name: string }>('select id, name from organisations where name = any($1)', [names]);
  return { ids: new Map(rows.map((r) => [r.name, r.id])), created: new Set(inserted.map((r) => r.name)) };
}

export function pluginDirectory(pool: pg.Pool): PluginDirectory {
  return {
    async upsertOrganisations(rows: readonly PluginOrganisation[]) {
      refuseLarge(rows);
      const tally = new Tally();
      const names = new Set<string>();
      rows.forEach((row, i) => {
        const name = nameOf(row?.name, 200);
        if (!name) tally.skip(`row ${i + 1}: an organisation needs a name of 1 to 200 characters`);
        else if (names.has(name)) tally.skip(`row ${i + 1}: ${name} appears twice`);
        else names.add(name);
      });
      if (!names.size) return { ...tally };
      const { created } = await inTransaction(pool, (client) => ensureOrganisations(client, [...names]));
      tally.created = created.size;
      tally.unchanged = names.size - created.size;
      return { ...tally };
    },

    async upsertContacts(rows: readonly PluginContact[]) {
      refuseLarge(rows);
      const tally = new Tally();
      // organisation undefined: the contact's organisation is left as it is (a source without that column).
      const wanted = new Map<string, { email: string; name: string; organisation: string | null | undefined; locale: 'en' | 'fr' | undefined }>();
      rows.forEach((row, i) => {
        const email = typeof row?.email === 'string' ? row.email.trim().toLowerCase() : '';
        const name = nameOf(row?.name, 200);
        const organisation = row?.organisation === undefined ? undefined : row.organisation === null || row.organisation === '' ? null : nameOf(row.organisation, 200);
        if (!EMAIL.test(email) || email.length > 254) tally.skip(`row ${i + 1}: '${String(row?.email ?? '')}' is not an e-mail address`);
        else if (!name) tally.skip(`row ${i + 1}: ${email} needs a name of 1 to 200 characters`);
        else if (row.organisation != null && row.organisation !== '' && !organisation) tally.skip(`row ${i + 1}: ${email}'s organisation name is longer than 200 characters`);
        else if (row.locale !== undefined && row.locale !== 'en' && row.locale !== 'fr') tally.skip(`row ${i + 1}: ${email}'s locale '${String(row.locale)}' is not en or fr`);
        else if (wanted.has(email)) tally.skip(`row ${i + 1}: ${email} appears twice`);
        else wanted.set(email, { email, name, organisation, locale: row.locale });
      });
      if (!wanted.size) return { ...tally };
      const digests = new Map([...wanted.keys()].map((email) => [addressDigest(email), email]));
      const { rows: erased } = await pool.query<{ digest: string }>('select digest from erased_addresses where digest = any($1)', [[...digests.keys()]]);
      for (const { digest } of erased) {
        wanted.delete(digests.get(digest)!);
        tally.skip(`${digests.get(digest)} was erased from this desk: not made again`);
      }
      if (!wanted.size) return { ...tally };
      await inTransaction(pool, async (client) => {
        const orgNames = [...new Set([...wanted.values()].map((c) => c.organisation).filter((x): x is string => !!x))];
        const orgIds = orgNames.length ? (await ensureOrganisations(client, orgNames)).ids : new Map<string, string>();
        const { rows: existing } = await client.query<{ id: string; email: string; name: string; role: string; organisation_id: string | null; locale: string; disabled: boolean; erased: boolean }>(
          'select id, email, name, role, organisation_id, locale, disabled, erased_at is not null as erased from users where email = any($1) order by email for update',
          [[...wanted.keys()]],
        );
        const byEmail = new Map(existing.map((u) => [u.email, u]));
        const creates: { id: string; email: string; name: string; organisation_id: string | null; locale: string }[] = [];
        const updates: { id: string; name: string; organisation_id: string | null; locale: string }[] = [];
        for (const c of wanted.values()) {
          const user = byEmail.get(c.email);
          const organisation_id = c.organisation ? orgIds.get(c.organisation)! : c.organisation === undefined ? (user?.organisation_id ?? null) : null;
          const locale = c.locale ?? user?.locale ?? 'en';
          if (!user) {
            creates.push({ id: randomUUID(), email: c.email, name: c.name, organisation_id, locale });
          } else if (user.role !== 'customer') {
            tally.skip(`${c.email} is a staff account: left as it is`);
          } else if (user.disabled || user.erased) {
            tally.skip(`${c.email} is ${user.erased ? 'erased' : 'disabled'}: left as it is`);
          } else if (user.name !== c.name || user.organisation_id !== organisation_id || user.locale !== locale) {
            updates.push({ id: user.id, name: c.name, organisation_id, locale });
          } else {
            tally.unchanged += 1;
          }
        }
        let inserted = 0;
        if (creates.length) {
          // An account made meanwhile by someone else (mail intake, an admin) is theirs: skipped now, updated next time.
          const { rows } = await client.query<{ email: string }>(
            `insert into users (id, email, name, role, organisation_id, locale, password_hash)
             select x.id, x.email, x.name, 'customer', x.organisation_id, x.locale, null from jsonb_to_recordset($1::jsonb) as x(id uuid, email text, name text, organisation_id uuid, locale text)
             on conflict (email) do nothing returning email`,
            [JSON.stringify(creates)],
          );
          inserted = rows.length;
          const made = new Set(rows.map((r) => r.email));
          for (const c of creates) if (!made.has(c.email)) tally.skip(`${c.email} was created meanwhile: updated at the next run`);
        }
        if (updates.length) {
          await client.query(
            `update users u set name = x.name, organisation_id = x.organisation_id, locale = x.locale from jsonb_to_recordset($1::jsonb) as x(id uuid, name text, organisation_id uuid, locale text) where u.id = x.id`,
            [JSON.stringify(updates)],
          );
        }
        tally.created = inserted;
        tally.updated = updates.length;
      });
      return { ...tally };
    },
  };
}
