// Directories (LDAP / Active Directory): their configuration (bind secret sealed), a Temporal Schedule per directory
// that syncs it, "sync now", connection tests, the runs' reports, and directory password checks for login.
import { randomUUID, X509Certificate } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { FilterParser } from 'ldapts';
import type { SecretBox } from '../../../platform/secret-box';
import { conflict, notFound, ProblemError, unprocessable, type FieldError } from '../../http/problem';
import { DEFAULT_ATTRIBUTES, DEFAULT_GROUP_FILTER, DEFAULT_USER_FILTER, directoryView, loadDirectory, type DirectoryAttributes, type DirectoryRow, type GroupMapping } from '../../../platform/ldap/config';
import { DirectoryError, openBound } from '../../../platform/ldap/connection';
import { openService, readDirectory, settingsOf } from '../../../platform/ldap/read';
import { directorySyncWorkflowId, directoryScheduleId, type DirectorySyncInput } from '../../../workflows/directory-sync';
import { iso, isoOrNull, type DbTime } from '../../../platform/db/time';

type RunRow = Record<string, unknown> & { startedAt: DbTime; finishedAt: DbTime | null };
const presentRun = (r: RunRow) => ({ ...r, startedAt: iso(r.startedAt), finishedAt: isoOrNull(r.finishedAt) });

export interface DirectoryInput {
  name?: string;
  url?: string;
  startTls?: boolean;
  caCertificate?: string | null;
  bindDn?: string;
  bindSecret?: string;
  userBaseDns?: string[];
  userFilter?: string;
  groupBaseDns?: string[];
  groupFilter?: string;
  attributes?: Partial<DirectoryAttributes>;
  groupMappings?: GroupMapping[];
  defaultRole?: 'agent' | 'customer';
  syncIntervalMinutes?: number;
  enabled?: boolean;
}

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
    const rows = await this.em.fork().execute<DirectoryRow[]>('select * from ldap_directories order by name');
    const last = await this.lastRuns(rows.map((r) => r.id));
    return rows.map((r) => ({ ...directoryView(r), lastRun: last.get(r.id) ?? null }));
  }

  async get(id: string) {
    const row = await this.row(id);
    return { ...directoryView(row), lastRun: (await this.lastRuns([id])).get(id) ?? null };
  }

  async create(input: DirectoryInput & Required<Pick<DirectoryInput, 'name' | 'url' | 'bindDn' | 'bindSecret' | 'userBaseDns'>>) {
    const id = randomUUID();
    const d = this.validated(input, undefined);
    await this.em.fork().transactional(async (tx) => {
      if ((await tx.execute('select 1 from ldap_directories where name = ?', [d.name])).length) throw conflict(`a directory is already named '${d.name}'`, 'directory-name-taken');
      await tx.execute(
        `insert into ldap_directories (id, name, url, start_tls, ca_certificate, bind_dn, bind_secret_sealed, user_base_dns, user_filter, group_base_dns, group_filter, attributes, group_mappings, default_role, sync_interval_minutes, enabled)
         values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?, ?::jsonb, ?::jsonb, ?, ?, ?)`,
        [id, d.name, d.url, d.start_tls, d.ca_certificate, d.bind_dn, this.box.seal(input.bindSecret), JSON.stringify(d.user_base_dns), d.user_filter, JSON.stringify(d.group_base_dns), d.group_filter, JSON.stringify(d.attributes), JSON.stringify(d.group_mappings), d.default_role, d.sync_interval_minutes, d.enabled],
      );
      await this.checkAgentGroups(tx, d.group_mappings);
      // The schedule is made inside the transaction: without Temporal the directory is not saved either.
      await this.upsertSchedule(id, d.sync_interval_minutes, d.enabled);
    });
    return this.get(id);
  }

  async update(id: string, input: DirectoryInput) {
    const current = await this.row(id);
    const d = this.validated(input, current);
    await this.em.fork().transactional(async (tx) => {
      if ((await tx.execute('select 1 from ldap_directories where name = ? and id <> ?', [d.name, id])).length) throw conflict(`a directory is already named '${d.name}'`, 'directory-name-taken');
      await tx.execute(
        `update ldap_directories set name = ?, url = ?, start_tls = ?, ca_certificate = ?, bind_dn = ?, bind_secret_sealed = ?, user_base_dns = ?::jsonb, user_filter = ?,
           group_base_dns = ?::jsonb, group_filter = ?, attributes = ?::jsonb, group_mappings = ?::jsonb, default_role = ?, sync_interval_minutes = ?, enabled = ?, updated_at = now() where id = ?`,
        [d.name, d.url, d.start_tls, d.ca_certificate, d.bind_dn, input.bindSecret !== undefined ? this.box.seal(input.bindSecret) : current.bind_secret_sealed, JSON.stringify(d.user_base_dns), d.user_filter, JSON.stringify(d.group_base_dns), d.group_filter, JSON.stringify(d.attributes), JSON.stringify(d.group_mappings), d.default_role, d.sync_interval_minutes, d.enabled, id],
      );
      await this.checkAgentGroups(tx, d.group_mappings);
      await this.upsertSchedule(id, d.sync_interval_minutes, d.enabled);
    });
    return this.get(id);
  }

  /** The directory and its schedule go; its accounts stay as they are (no longer synced, no directory password). */
  async remove(id: string): Promise<void> {
    await this.row(id);
    await this.em.fork().transactional(async (tx) => {
      await tx.execute('delete from user_identities where issuer = ?', [`ldap:${id}`]);
      await tx.execute('delete from ldap_directories where id = ?', [id]);
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
          tls: d.url.startsWith('ldaps:') ? 'ldaps' : d.start_tls ? 'starttls' : 'none',
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
    const rows = await this.em.fork().execute<RunRow[]>(
      `select id, trigger, status, started_at as "startedAt", finished_at as "finishedAt", entries, created, updated, disabled, unchanged, skipped, warnings, error_code as "errorCode", error
         from ldap_sync_runs where directory_id = ? order by started_at desc limit ?`,
      [id, limit],
    );
    return rows.map(presentRun);
  }

  /**
   * Checks a directory account's password by binding as its DN: true or false; null for an account no enabled
   * directory knows. A directory that cannot be reached is a 503, not a wrong password.
   */
  async verifyPassword(userId: string, password: string): Promise<boolean | null> {
    const rows = await this.em.fork().execute<Array<DirectoryRow & { dn: string }>>(
      `select d.*, a.dn from ldap_accounts a join ldap_directories d on d.id = a.directory_id where a.user_id = ? and d.enabled and a.missing_since is null order by d.name`,
      [userId],
    );
    const row = rows[0];
    if (!row) return null;
    if (!password) return false;
    try {
      const client = await openBound(settingsOf(row, 10_000), row.dn, password);
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
    const rows = await this.em.fork().execute<Array<{ directory_id: string } & Record<string, unknown>>>(
      `select distinct on (directory_id) directory_id, id, trigger, status, started_at as "startedAt", finished_at as "finishedAt", entries, created, updated, disabled, unchanged, skipped, error_code as "errorCode", error
         from ldap_sync_runs where directory_id in (select jsonb_array_elements_text(?::jsonb)::uuid) order by directory_id, started_at desc`,
      [JSON.stringify(ids)],
    );
    for (const { directory_id, ...run } of rows) map.set(directory_id, presentRun(run as RunRow));
    return map;
  }

  private async checkAgentGroups(tx: EntityManager, mappings: GroupMapping[]) {
    const keys = [...new Set(mappings.flatMap((m) => m.agentGroups ?? []))];
    const rows = await tx.execute<Array<{ key: string }>>('select key from groups where key in (select jsonb_array_elements_text(?::jsonb))', [JSON.stringify(keys)]);
    const known = new Set(rows.map((r) => r.key));
    const errors: FieldError[] = [];
    mappings.forEach((m, i) => (m.agentGroups ?? []).forEach((k, j) => !known.has(k) && errors.push({ pointer: `/groupMappings/${i}/agentGroups/${j}`, message: `no agent group '${k}'` })));
    if (errors.length) throw unprocessable('a group mapping names an agent group that does not exist', errors, 'unknown-group');
    const roleKeys = [...new Set(mappings.flatMap((m) => (m.customRole ? [m.customRole] : [])))];
    const roles = new Set((await tx.execute<Array<{ key: string }>>('select key from roles where key in (select jsonb_array_elements_text(?::jsonb))', [JSON.stringify(roleKeys)])).map((r) => r.key));
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
      start_tls: pick(input.startTls, current?.start_tls ?? false),
      ca_certificate: pick(input.caCertificate, current?.ca_certificate ?? null),
      bind_dn: pick(input.bindDn, current?.bind_dn ?? ''),
      user_base_dns: pick(input.userBaseDns, current?.user_base_dns ?? []),
      user_filter: pick(input.userFilter, current?.user_filter ?? DEFAULT_USER_FILTER),
      group_base_dns: pick(input.groupBaseDns, current?.group_base_dns ?? []),
      group_filter: pick(input.groupFilter, current?.group_filter ?? DEFAULT_GROUP_FILTER),
      attributes: { ...DEFAULT_ATTRIBUTES, ...(current?.attributes ?? {}), ...(input.attributes ?? {}) } as DirectoryAttributes,
      group_mappings: pick(input.groupMappings, current?.group_mappings ?? []),
      default_role: pick(input.defaultRole, current?.default_role ?? 'customer') as 'agent' | 'customer',
      sync_interval_minutes: pick(input.syncIntervalMinutes, current?.sync_interval_minutes ?? 60),
      enabled: pick(input.enabled, current?.enabled ?? true),
    };
    const errors: FieldError[] = [];
    for (const [pointer, filter] of [['/userFilter', d.user_filter], ['/groupFilter', d.group_filter]] as const) {
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
    if (d.ca_certificate) {
      try {
        new X509Certificate(d.ca_certificate);
      } catch {
        errors.push({ pointer: '/caCertificate', message: 'not a PEM certificate' });
      }
    }
    if (d.start_tls && d.url.startsWith('ldaps:')) errors.push({ pointer: '/startTls', message: 'ldaps:// is TLS from the start: StartTLS is for ldap://' });
    if (d.group_mappings.length && !d.attributes.memberOf && !d.group_base_dns.length) errors.push({ pointer: '/groupBaseDns', message: 'group mappings need group base DNs (or attributes.memberOf)' });
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
