// Directories (LDAP / Active Directory): their configuration (bind secret sealed), a Temporal Schedule per directory
// that syncs it, "sync now", connection tests, the runs' reports, and directory password checks for login.
import { randomUUID, X509Certificate } from 'node:crypto';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Group, LdapAccount, LdapDirectory, LdapSyncRun, Role, UserIdentity } from '../../../platform/db/entities/index';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { FilterParser } from 'ldapts';
import type { SecretBox } from '../../../platform/secret-box';
import { conflict, notFound, ProblemError, unprocessable, type FieldError } from '../../http/problem';
import { DEFAULT_ATTRIBUTES, DEFAULT_GROUP_FILTER, DEFAULT_USER_FILTER, directoryView, issuerOf, loadDirectory, type DirectoryAttributes, type DirectoryRow, type GroupMapping } from '../../../platform/ldap/config';
import { DirectoryError, openBound } from '../../../platform/ldap/connection';
import { openService, readDirectory, settingsOf } from '../../../platform/ldap/read';
import { directorySyncWorkflowId, directoryScheduleId, type DirectorySyncInput } from '../../../workflows/directory-sync';
import type { CreateDirectoryBody, DirectoryInput } from './schemas';

type RunRow = InferEntity<typeof LdapSyncRun>;
/** A run's report; its warnings only where one run is looked at, not in the directories' list. */
const presentRun = (r: RunRow, withWarnings: boolean) => ({
  id: r.id,
  trigger: r.trigger,
  status: r.status,
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt?.toISOString() ?? null,
  entries: r.entries,
  created: r.created,
  updated: r.updated,
  disabled: r.disabled,
  unchanged: r.unchanged,
  skipped: r.skipped,
  ...(withWarnings ? { warnings: r.warnings } : {}),
  errorCode: r.errorCode ?? null,
  error: r.error ?? null,
});

/**
 * The API's answer for a directory that failed: 422 with a specific problem type (unreachable, TLS, bind refused,
 * search refused). The directory is the caller's configuration, not the desk: the desk itself has not failed, so never 5xx.
 */
export function directoryProblem(err: DirectoryError): ProblemError {
  return new ProblemError(422, err.code, 'Unprocessable content', err.message);
}

export class LdapService {
  constructor(
    private readonly em: EntityManager,
    private readonly box: SecretBox,
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  async list() {
    const rows = await this.em.fork().findAll(LdapDirectory, { orderBy: { name: 'asc' } });
    const last = await this.lastRuns(rows.map((r) => r.id));
    return rows.map((r) => ({ ...directoryView(r), lastRun: last.get(r.id) ?? null }));
  }

  async get(id: string) {
    const row = await this.row(id);
    return { ...directoryView(row), lastRun: (await this.lastRuns([id])).get(id) ?? null };
  }

  async create(input: CreateDirectoryBody) {
    const id = randomUUID();
    const d = this.validated(input, undefined);
    await this.em.fork().transactional(async (tx) => {
      if (await tx.count(LdapDirectory, { name: d.name })) throw conflict(`a directory is already named '${d.name}'`, 'directory-name-taken');
      await tx.insert(LdapDirectory, { id, ...d, bindSecretSealed: this.box.seal(input.bindSecret) });
      await this.checkAgentGroups(tx, d.groupMappings);
      // The schedule is made inside the transaction: without Temporal the directory is not saved either.
      await this.upsertSchedule(id, d.syncIntervalMinutes, d.enabled);
    });
    return this.get(id);
  }

  async update(id: string, input: DirectoryInput) {
    const current = await this.row(id);
    const d = this.validated(input, current);
    await this.em.fork().transactional(async (tx) => {
      if (await tx.count(LdapDirectory, { name: d.name, id: { $ne: id } })) throw conflict(`a directory is already named '${d.name}'`, 'directory-name-taken');
      // now(): the database's clock, as created_at's default.
      await tx.nativeUpdate(LdapDirectory, id, { ...d, ...(input.bindSecret !== undefined ? { bindSecretSealed: this.box.seal(input.bindSecret) } : {}), updatedAt: raw('now()') });
      await this.checkAgentGroups(tx, d.groupMappings);
      await this.upsertSchedule(id, d.syncIntervalMinutes, d.enabled);
    });
    return this.get(id);
  }

  /** The directory and its schedule go; its accounts stay as they are (no longer synced, no directory password). */
  async remove(id: string): Promise<void> {
    await this.row(id);
    await this.em.fork().transactional(async (tx) => {
      await tx.nativeDelete(UserIdentity, { issuer: issuerOf(id) });
      await tx.nativeDelete(LdapDirectory, { id });
      try {
        await this.temporal.schedule.getHandle(directoryScheduleId(id)).delete();
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      }
    });
  }

  /** Binds with the service account and reads the users (and groups) as a sync would, changing nothing. */
  async test(id: string) {
    const d = await this.row(id);
    const started = Date.now();
    try {
      const client = await openService(d, this.box);
      try {
        const read = await readDirectory(client, d);
        return {
          ok: true,
          tls: d.url.startsWith('ldaps:') ? 'ldaps' : d.startTls ? 'starttls' : 'none',
          users: read.desired.length,
          skipped: read.skipped,
          sample: read.desired.slice(0, 5).map((x) => ({ dn: x.dn, email: x.email, name: x.name, role: x.role, organisation: x.organisation, agentGroups: x.agentGroups })),
          warnings: read.warnings,
          ms: Date.now() - started,
        };
      } finally {
        await client.unbind().catch(() => {});
      }
    } catch (err) {
      if (err instanceof DirectoryError) throw directoryProblem(err);
      throw err;
    }
  }

  /** Starts the directory's sync workflow now; one at a time per directory (409 while one runs). */
  async syncNow(id: string) {
    await this.row(id);
    const workflowId = directorySyncWorkflowId(id);
    try {
      const handle = await this.temporal.workflow.start('directorySyncWorkflow', { workflowId, taskQueue: this.taskQueue, args: [{ directoryId: id, trigger: 'manual' } satisfies DirectorySyncInput] });
      return { workflowId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict('a sync of this directory is already running', 'sync-in-progress');
      throw err;
    }
  }

  async runs(id: string, limit: number) {
    await this.row(id);
    const rows = await this.em.fork().find(LdapSyncRun, { directoryId: id }, { orderBy: { startedAt: 'desc' }, limit });
    return rows.map((r) => presentRun(r, true));
  }

  /**
   * Checks a directory account's password by binding as its DN: true or false; null for an account no enabled
   * directory knows. A directory that cannot be reached is a 503, not a wrong password.
   */
  async verifyPassword(userId: string, password: string): Promise<boolean | null> {
    const em = this.em.fork();
    const accounts = await em.find(LdapAccount, { userId, missingSince: null });
    const [row] = accounts.length ? await em.find(LdapDirectory, { id: { $in: accounts.map((a) => a.directoryId) }, enabled: true }, { orderBy: { name: 'asc' }, limit: 1 }) : [];
    if (!row) return null;
    if (!password) return false;
    const dn = accounts.find((a) => a.directoryId === row.id)!.dn;
    try {
      const client = await openBound(settingsOf(row, 10_000), dn, password);
      await client.unbind().catch(() => {});
      return true;
    } catch (err) {
      if (err instanceof DirectoryError && err.code === 'directory-bind-failed') return false;
      const e = err instanceof DirectoryError ? err : new DirectoryError('directory-unreachable', (err as Error)?.message ?? String(err));
      throw new ProblemError(503, 'directory-unavailable', 'Service unavailable', `the directory '${row.name}' that checks this account's password cannot be reached, retry shortly (${e.code})`, [], { 'Retry-After': '30' });
    }
  }

  private async row(id: string): Promise<DirectoryRow> {
    const row = await loadDirectory(this.em, id);
    if (!row) throw notFound(`no directory ${id}`);
    return row;
  }

  private async lastRuns(ids: string[]) {
    const map = new Map<string, unknown>();
    if (!ids.length) return map;
    // SQL: distinct on picks each directory's latest run in one statement, whatever the number of runs kept.
    const latest = await this.em
      .fork()
      .execute<Array<{ id: string }>>(`select distinct on (directory_id) id from ldap_sync_runs where directory_id in (select jsonb_array_elements_text(?::jsonb)::uuid) order by directory_id, started_at desc`, [JSON.stringify(ids)]);
    const runs = latest.length ? await this.em.fork().find(LdapSyncRun, { id: { $in: latest.map((r) => r.id) } }) : [];
    for (const run of runs) map.set(run.directoryId, presentRun(run, false));
    return map;
  }

  private async checkAgentGroups(tx: EntityManager, mappings: GroupMapping[]) {
    const keys = [...new Set(mappings.flatMap((m) => m.agentGroups ?? []))];
    const rows = await tx.find(Group, { key: { $in: keys } }, { fields: ['key'] });
    const known = new Set(rows.map((r) => r.key));
    const errors: FieldError[] = [];
    mappings.forEach((m, i) => (m.agentGroups ?? []).forEach((k, j) => !known.has(k) && errors.push({ pointer: `/groupMappings/${i}/agentGroups/${j}`, message: `no agent group '${k}'` })));
    if (errors.length) throw unprocessable('a group mapping names an agent group that does not exist', errors, 'unknown-group');
    const roleKeys = [...new Set(mappings.flatMap((m) => (m.customRole ? [m.customRole] : [])))];
    const roles = new Set((await tx.find(Role, { key: { $in: roleKeys } }, { fields: ['key'] })).map((r) => r.key));
    const roleErrors: FieldError[] = [];
    mappings.forEach((m, i) => {
      if (!m.customRole) return;
      if (!roles.has(m.customRole)) roleErrors.push({ pointer: `/groupMappings/${i}/customRole`, message: `no role '${m.customRole}'` });
      else if (m.role && m.role !== 'agent') roleErrors.push({ pointer: `/groupMappings/${i}/customRole`, message: 'a custom role is held by agents' });
    });
    if (roleErrors.length) throw unprocessable('a group mapping names a custom role that does not exist or does not fit', roleErrors, 'unknown-role');
  }

  /** The whole configuration after applying `input` on `current` (defaults for a new one), checked beyond the schema. */
  private validated(input: DirectoryInput, current: DirectoryRow | undefined) {
    const pick = <T>(v: T | undefined, fallback: T): T => (v === undefined ? fallback : v);
    const d = {
      name: pick(input.name?.trim(), current?.name ?? ''),
      url: pick(input.url, current?.url ?? ''),
      startTls: pick(input.startTls, current?.startTls ?? false),
      caCertificate: pick(input.caCertificate, current?.caCertificate ?? null),
      bindDn: pick(input.bindDn, current?.bindDn ?? ''),
      userBaseDns: pick(input.userBaseDns, current?.userBaseDns ?? []),
      userFilter: pick(input.userFilter, current?.userFilter ?? DEFAULT_USER_FILTER),
      groupBaseDns: pick(input.groupBaseDns, current?.groupBaseDns ?? []),
      groupFilter: pick(input.groupFilter, current?.groupFilter ?? DEFAULT_GROUP_FILTER),
      attributes: { ...DEFAULT_ATTRIBUTES, ...(current?.attributes ?? {}), ...(input.attributes ?? {}) } as DirectoryAttributes,
      groupMappings: pick(input.groupMappings, current?.groupMappings ?? []),
      defaultRole: pick(input.defaultRole, current?.defaultRole ?? 'customer') as 'agent' | 'customer',
      syncIntervalMinutes: pick(input.syncIntervalMinutes, current?.syncIntervalMinutes ?? 60),
      enabled: pick(input.enabled, current?.enabled ?? true),
    };
    const errors: FieldError[] = [];
    for (const [pointer, filter] of [['/userFilter', d.userFilter], ['/groupFilter', d.groupFilter]] as const) {
      try {
        // The parser forgives a missing closing paren; a directory would not.
        let depth = 0;
        for (const ch of filter) if ((depth += ch === '(' ? 1 : ch === ')' ? -1 : 0) < 0) break;
        if (depth !== 0) throw new Error('unbalanced parentheses');
        FilterParser.parseString(filter);
      } catch (err) {
        errors.push({ pointer, message: `not an LDAP filter: ${(err as Error).message}` });
      }
    }
    if (d.caCertificate) {
      try {
        new X509Certificate(d.caCertificate);
      } catch {
        errors.push({ pointer: '/caCertificate', message: 'not a PEM certificate' });
      }
    }
    if (d.startTls && d.url.startsWith('ldaps:')) errors.push({ pointer: '/startTls', message: 'ldaps:// is TLS from the start: StartTLS is for ldap://' });
    if (d.groupMappings.length && !d.attributes.memberOf && !d.groupBaseDns.length) errors.push({ pointer: '/groupBaseDns', message: 'group mappings need group base DNs (or attributes.memberOf)' });
    if (errors.length) throw unprocessable('the directory configuration is invalid', errors, 'invalid-directory');
    return d;
  }

  private async upsertSchedule(id: string, minutes: number, enabled: boolean): Promise<void> {
    const spec = { intervals: [{ every: `${minutes}m` as const }] };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: 'directorySyncWorkflow',
      workflowId: directorySyncWorkflowId(id),
      taskQueue: this.taskQueue,
      args: [{ directoryId: id, trigger: 'schedule' } satisfies DirectorySyncInput],
    };
    try {
      await this.temporal.schedule.create({
        scheduleId: directoryScheduleId(id),
        spec,
        action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
        state: { paused: !enabled, note: enabled ? undefined : 'directory disabled' },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await this.temporal.schedule.getHandle(directoryScheduleId(id)).update((prev) => ({
        ...prev,
        spec,
        action,
        state: { ...prev.state, paused: !enabled },
      }));
    }
  }
}
