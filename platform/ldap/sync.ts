// One directory sync: read every user (and the groups, for roles and agent groups) first, then apply the whole
// difference in one database transaction, so a directory that fails half-way, or a refused change, leaves every
// account as it was. Accounts gone from the directory are disabled (sessions ended), never deleted: their tickets stay.
// Every run leaves a row in ldap_sync_runs with its counts, or its error.
import { randomUUID } from 'node:crypto';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { LdapSyncRun } from '../db/entities/index';
import { DirectoryError } from './connection';
import { issuerOf, loadDirectory, type DeskRole, type DirectoryRow, type SecretOpener } from './config';
import { SERVICE_ACCOUNT_SQL } from '../access/service-accounts';
import { MAX_WARNINGS, openService, readDirectory, type Desired } from './read';

/** A run's report: what `finish` writes into its ldap_sync_runs row, so the row's columns type its counts. */
export type SyncReport = Pick<InferEntity<typeof LdapSyncRun>, 'entries' | 'created' | 'updated' | 'disabled' | 'unchanged' | 'skipped' | 'errorCode' | 'error'> & {
  runId: string;
  directoryId: string;
  status: 'succeeded' | 'failed';
  warnings: string[];
};

interface Linked {
  subject: string;
  user_id: string;
  email: string;
  name: string;
  role: DeskRole;
  custom_role: string | null;
  organisation_id: string | null;
  disabled: boolean;
  missing_since: string | null;
  dn: string | null;
  login: string | null;
}

/**
 * Applies `desired` to the accounts of directory `d` in one transaction; throws (and changes nothing) when refused.
 * SQL, typed by `Linked` and the statements' own row types: each kind of change is one set-based statement over
 * the whole directory (JSON arrays of rows), whatever its size — bench/ldap-sync.ts measures it at 10,000 accounts.
 */
export async function applyDirectory(em: EntityManager, d: DirectoryRow, desired: Desired[], warnings: string[]) {
  const warn = (w: string) => warnings.length < MAX_WARNINGS && warnings.push(w);
  const issuer = issuerOf(d.id);
  return em.fork().transactional(async (tx) => {
    // Two syncs of one directory (the schedule's and an admin's) never interleave.
    await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`ldap-sync:${d.id}`]);
    const linked = await tx.execute<Linked[]>(
      `select i.subject, i.user_id, u.email, u.name, u.role, u.custom_role, u.organisation_id, u.disabled, a.missing_since, a.dn, a.login
         from user_identities i join users u on u.id = i.user_id
         left join ldap_accounts a on a.directory_id = ? and a.user_id = i.user_id
        where i.issuer = ?`,
      [d.id, issuer],
    );
    const bySubject = new Map(linked.map((l) => [l.subject, l]));
    const present = new Set(desired.map((x) => x.subject));
    if (desired.length === 0 && linked.some((l) => !l.disabled)) {
      throw new DirectoryError('directory-search-failed', `the directory returned no users: refusing to disable ${linked.filter((l) => !l.disabled).length} accounts (check the base DNs and the filter)`);
    }

    // Accounts the directory names for the first time: an existing account with that e-mail is linked, unless it
    // is already this directory's account for another entry that is still there.
    const fresh = desired.filter((x) => !bySubject.has(x.subject));
    const byEmail = new Map<string, Omit<Linked, 'subject' | 'missing_since' | 'dn' | 'login'> & { user_id: string }>();
    if (fresh.length) {
      const rows = await tx.execute<Array<Omit<Linked, 'subject' | 'missing_since' | 'dn' | 'login'>>>(
        `select id as user_id, email, name, role, custom_role, organisation_id, disabled from users where email in (select jsonb_array_elements_text(?::jsonb))`,
        [JSON.stringify(fresh.map((x) => x.email))],
      );
      for (const r of rows) byEmail.set(r.email, r);
    }
    const linkedUser = new Map(linked.map((l) => [l.user_id, l]));

    // Organisations by name, made when missing.
    const orgNames = [...new Set(desired.map((x) => x.organisation).filter((x): x is string => !!x))];
    const orgId = new Map<string, string>();
    if (orgNames.length) {
      await tx.execute(`insert into organisations (id, name) select (x->>'id')::uuid, x->>'name' from jsonb_array_elements(?::jsonb) x on conflict (name) do nothing`, [
        JSON.stringify(orgNames.map((name) => ({ id: randomUUID(), name }))),
      ]);
      const rows = await tx.execute<Array<{ id: string; name: string }>>('select id, name from organisations where name in (select jsonb_array_elements_text(?::jsonb))', [JSON.stringify(orgNames)]);
      for (const r of rows) orgId.set(r.name, r.id);
    }
    const mapsOrganisation = !!d.attributes.organisation;

    const creates: Array<{ id: string; email: string; name: string; role: DeskRole; custom_role: string | null; organisation_id: string | null }> = [];
    const updates: Array<{ id: string; email: string; name: string; role: DeskRole; custom_role: string | null; organisation_id: string | null; disabled: boolean }> = [];
    // A directory whose mappings name custom roles decides them; otherwise an agent keeps the one an admin gave.
    const managesCustomRoles = d.groupMappings.some((m) => m.customRole);
    const links: Array<{ user_id: string; subject: string; dn: string; login: string | null }> = [];
    const endSessions: string[] = [];
    const userOf = new Map<string, string>();
    let created = 0;
    let updated = 0;
    let unchanged = 0;
    let skipped = 0;
    const changed = new Set<string>();

    // E-mail changes must not collide with another account.
    const emailsTaken = new Set<string>();
    const changingEmails = desired.filter((x) => bySubject.get(x.subject) && bySubject.get(x.subject)!.email !== x.email).map((x) => x.email);
    if (changingEmails.length) {
      const rows = await tx.execute<Array<{ email: string }>>('select email from users where email in (select jsonb_array_elements_text(?::jsonb))', [JSON.stringify(changingEmails)]);
      for (const r of rows) emailsTaken.add(r.email);
    }

    for (const x of desired) {
      let current: Omit<Linked, 'subject' | 'missing_since' | 'dn' | 'login'> | undefined = bySubject.get(x.subject);
      let missingSince = bySubject.get(x.subject)?.missing_since ?? null;
      if (!current) {
        const other = byEmail.get(x.email);
        if (other) {
          const otherLink = linkedUser.get(other.user_id);
          if (otherLink && present.has(otherLink.subject)) {
            skipped += 1;
            warn(`${x.dn}: ${x.email} is already the account of another entry of this directory`);
            continue;
          }
          current = other;
          missingSince = otherLink?.missing_since ?? null;
          if (otherLink) bySubject.delete(otherLink.subject);
        }
      }
      const organisation_id = mapsOrganisation ? (x.organisation ? (orgId.get(x.organisation) ?? null) : null) : (current?.organisation_id ?? null);
      if (!current) {
        const id = randomUUID();
        creates.push({ id, email: x.email, name: x.name, role: x.role, custom_role: x.customRole, organisation_id });
        links.push({ user_id: id, subject: x.subject, dn: x.dn, login: x.login });
        userOf.set(x.subject, id);
        created += 1;
        continue;
      }
      let email = current.email;
      if (x.email !== current.email) {
        if (emailsTaken.has(x.email)) warn(`${x.dn}: the e-mail ${x.email} belongs to another account; kept ${current.email}`);
        else email = x.email;
      }
      // Only the sync re-enables what the sync disabled; an admin's disabling stands.
      const disabled = current.disabled && !missingSince;
      const custom_role = x.role !== 'agent' ? null : managesCustomRoles ? x.customRole : current.custom_role;
      const next = { id: current.user_id, email, name: x.name, role: x.role, custom_role, organisation_id, disabled };
      if (
        next.email !== current.email ||
        next.name !== current.name ||
        next.role !== current.role ||
        next.custom_role !== current.custom_role ||
        next.organisation_id !== current.organisation_id ||
        next.disabled !== current.disabled
      ) {
        updates.push(next);
        changed.add(current.user_id);
        if (next.role !== current.role) endSessions.push(current.user_id);
      }
      const old = linkedUser.get(current.user_id);
      if (!old || old.subject !== x.subject || old.dn !== x.dn || old.login !== x.login || old.missing_since) changed.add(current.user_id);
      links.push({ user_id: current.user_id, subject: x.subject, dn: x.dn, login: x.login });
      userOf.set(x.subject, current.user_id);
    }

    // Gone from the directory: disabled, sessions ended, account and tickets kept.
    const kept = new Set(userOf.values());
    const gone = [...bySubject.values()].filter((l) => !present.has(l.subject) && !kept.has(l.user_id));
    const disable = gone.filter((l) => !l.disabled);
    const markMissing = gone.filter((l) => !l.missing_since);

    if (creates.length) {
      await tx.execute(
        `insert into users (id, email, name, role, custom_role, organisation_id, password_hash)
         select x.id, x.email, x.name, x.role, x.custom_role, x.organisation_id, null
           from jsonb_to_recordset(?::jsonb) as x(id uuid, email text, name text, role text, custom_role text, organisation_id uuid)`,
        [JSON.stringify(creates)],
      );
    }
    if (updates.length) {
      await tx.execute(
        `update users u set email = x.email, name = x.name, role = x.role, custom_role = x.custom_role, organisation_id = x.organisation_id, disabled = x.disabled
           from jsonb_to_recordset(?::jsonb) as x(id uuid, email text, name text, role text, custom_role text, organisation_id uuid, disabled boolean) where u.id = x.id`,
        [JSON.stringify(updates)],
      );
    }
    if (links.length) {
      // A relinked account's identity moves to its new entry id.
      await tx.execute(
        `insert into user_identities (issuer, subject, user_id) select ?, x.subject, x.user_id from jsonb_to_recordset(?::jsonb) as x(subject text, user_id uuid)
         on conflict (user_id, issuer) do update set subject = excluded.subject`,
        [issuer, JSON.stringify(links)],
      );
      await tx.execute(
        `insert into ldap_accounts (directory_id, user_id, dn, login, missing_since, synced_at)
         select ?, x.user_id, x.dn, x.login, null, now() from jsonb_to_recordset(?::jsonb) as x(user_id uuid, dn text, login text)
         on conflict (directory_id, user_id) do update set dn = excluded.dn, login = excluded.login, missing_since = null, synced_at = now()`,
        [d.id, JSON.stringify(links)],
      );
    }
    if (gone.length) {
      const ids = JSON.stringify(gone.map((l) => l.user_id));
      await tx.execute(`update users set disabled = true where id in (select jsonb_array_elements_text(?::jsonb)::uuid) and not disabled`, [ids]);
      await tx.execute(`delete from sessions where user_id in (select jsonb_array_elements_text(?::jsonb)::uuid)`, [ids]);
      if (markMissing.length) {
        await tx.execute(
          `insert into ldap_accounts (directory_id, user_id, dn, missing_since)
           select ?, x.user_id, coalesce(x.dn, ''), now() from jsonb_to_recordset(?::jsonb) as x(user_id uuid, dn text)
           on conflict (directory_id, user_id) do update set missing_since = now()`,
          [d.id, JSON.stringify(markMissing.map((l) => ({ user_id: l.user_id, dn: l.dn })))],
        );
      }
    }
    if (endSessions.length) await tx.execute(`delete from sessions where user_id in (select jsonb_array_elements_text(?::jsonb)::uuid)`, [JSON.stringify(endSessions)]);

    // Agent groups: memberships of the mapped groups follow the directory; other groups are the admins' business.
    const managed = [...new Set(d.groupMappings.flatMap((m) => m.agentGroups ?? []))];
    if (managed.length) {
      const existing = await tx.execute<Array<{ key: string }>>('select key from groups where key in (select jsonb_array_elements_text(?::jsonb))', [JSON.stringify(managed)]);
      const known = new Set(existing.map((r) => r.key));
      for (const k of managed) if (!known.has(k)) warn(`agent group '${k}' does not exist; its mapping is ignored`);
      const users = [...userOf.values()];
      const want = new Set<string>();
      for (const x of desired) {
        const u = userOf.get(x.subject);
        if (u) for (const k of x.agentGroups) if (known.has(k)) want.add(`${k}\n${u}`);
      }
      const have = new Set(
        (
          await tx.execute<Array<{ group_key: string; user_id: string }>>(
            `select group_key, user_id from group_members where group_key in (select jsonb_array_elements_text(?::jsonb)) and user_id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
            [JSON.stringify([...known]), JSON.stringify(users)],
          )
        ).map((r) => `${r.group_key}\n${r.user_id}`),
      );
      const add = [...want].filter((p) => !have.has(p)).map((p) => p.split('\n'));
      const remove = [...have].filter((p) => !want.has(p)).map((p) => p.split('\n'));
      if (add.length) {
        await tx.execute(
          `insert into group_members (group_key, user_id) select x->>0, (x->>1)::uuid from jsonb_array_elements(?::jsonb) x on conflict do nothing`,
          [JSON.stringify(add)],
        );
      }
      if (remove.length) {
        await tx.execute(
          `delete from group_members g using jsonb_array_elements(?::jsonb) x where g.group_key = x->>0 and g.user_id = (x->>1)::uuid`,
          [JSON.stringify(remove)],
        );
      }
      for (const [, u] of [...add, ...remove]) changed.add(u!);
    }

    // The desk keeps at least one active admin, whatever the directory says.
    const [admins] = await tx.execute<Array<{ n: number }>>(`select count(*)::int as n from users u where u.role = 'admin' and not u.disabled and not (${SERVICE_ACCOUNT_SQL})`);
    if (!admins || admins.n === 0) throw new DirectoryError('directory-sync-refused', 'this sync would leave the desk without an active admin; nothing was changed');

    const createdIds = new Set(creates.map((c) => c.id));
    for (const u of userOf.values()) {
      if (createdIds.has(u)) continue;
      if (changed.has(u)) updated += 1;
      else unchanged += 1;
    }
    return { created, updated, unchanged, skipped, disabled: disable.length };
  });
}

/** A whole run: reads, applies, and records the report (a failure is recorded too, and changes no account). */
export async function syncDirectory(em: EntityManager, box: SecretOpener, directoryId: string, trigger: string, beat: () => void = () => {}): Promise<SyncReport | null> {
  const d = await loadDirectory(em, directoryId);
  if (!d) return null;
  const runId = randomUUID();
  await em.fork().insert(LdapSyncRun, { id: runId, directoryId: d.id, trigger, status: 'running' });
  const report: SyncReport = { runId, directoryId, status: 'succeeded', entries: 0, created: 0, updated: 0, disabled: 0, unchanged: 0, skipped: 0, warnings: [], errorCode: null, error: null };
  try {
    const client = await openService(d, box, 30_000);
    let read;
    try {
      read = await readDirectory(client, d, beat);
    } finally {
      await client.unbind().catch(() => {});
    }
    report.entries = read.desired.length + read.skipped;
    report.warnings = read.warnings;
    const applied = await applyDirectory(em, d, read.desired, report.warnings);
    Object.assign(report, applied, { skipped: applied.skipped + read.skipped });
  } catch (err) {
    if (!(err instanceof DirectoryError)) {
      // An unexpected failure (the database away): recorded, then thrown so the activity retries.
      await finish(em, { ...report, status: 'failed', errorCode: 'sync-failed', error: (err as Error)?.message ?? String(err), created: 0, updated: 0, disabled: 0, unchanged: 0 }).catch(() => {});
      throw err;
    }
    Object.assign(report, { status: 'failed', errorCode: err.code, error: err.message, created: 0, updated: 0, disabled: 0, unchanged: 0 });
  }
  await finish(em, report);
  return report;
}

async function finish(em: EntityManager, r: SyncReport): Promise<void> {
  const { status, entries, created, updated, disabled, unchanged, skipped, warnings, errorCode, error } = r;
  await em.fork().nativeUpdate(LdapSyncRun, r.runId, { status, finishedAt: raw('now()'), entries, created, updated, disabled, unchanged, skipped, warnings, errorCode, error });
}
