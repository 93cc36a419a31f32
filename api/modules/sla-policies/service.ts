// SLA policies as admins edit them, and as ticket opening reads them: the policy of a requester's organisation, applied
// to the definition the ticket starts with and kept on the ticket as it was (a later change of the policy applies to
// tickets opened after it; a migration of the definition keeps each ticket's own).
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { slaCalendarErrors, wouldHaveBeen, type ClockOutcome, type OrganisationSlaPolicy, type Priority } from '../../../workflow-definitions/index';
import { iso, type DbTime } from '../../../platform/db/time';
import { notFound, ProblemError, unprocessable, type FieldError } from '../../http/problem';

export interface SlaPolicyBody {
  name: string;
  organisationIds: string[];
  calendar: OrganisationSlaPolicy['calendar'];
  targets: OrganisationSlaPolicy['targets'];
}

interface PolicyRow {
  id: string;
  name: string;
  calendar: OrganisationSlaPolicy['calendar'];
  targets: OrganisationSlaPolicy['targets'];
  organisation_ids: string[];
  tickets: number;
  created_at: DbTime;
  updated_at: DbTime;
}

const SELECT = `select p.*, coalesce((select array_agg(o.organisation_id order by o.organisation_id) from sla_policy_organisations o where o.policy_id = p.id), '{}') as organisation_ids,
  (select count(*)::int from ticket_sla_policies t where t.policy_id = p.id) as tickets from sla_policies p`;

interface PastRow {
  ticket_id: string;
  number: string;
  title: string;
  priority: Priority;
  created_at: DbTime;
  first_response_at: DbTime | null;
  resolved_at: DbTime | null;
  fr_status: ClockOutcome;
  res_status: ClockOutcome;
}

/** Tickets a dry run reads at most, and changed tickets it lists at most. */
const PREVIEW_MAX = 100_000;
const PREVIEW_CHANGES_MAX = 200;

const present = (r: PolicyRow) => ({
  id: r.id,
  name: r.name,
  organisationIds: r.organisation_ids,
  calendar: r.calendar,
  targets: r.targets,
  tickets: r.tickets,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

/** What ticket opening needs of the policies. */
export interface SlaPolicyLookup {
  forOrganisation(organisationId: string | null): Promise<OrganisationSlaPolicy | null>;
  /** Keeps the policy a ticket opened under, as it was. */
  pin(ticketId: string, policy: OrganisationSlaPolicy): Promise<void>;
  /** The policy a ticket opened under, as it was then. */
  pinned(ticketId: string): Promise<OrganisationSlaPolicy | null>;
}

export class SlaPolicyService implements SlaPolicyLookup {
  constructor(private readonly em: EntityManager) {}

  async list() {
    return (await this.em.fork().execute<PolicyRow[]>(`${SELECT} order by lower(p.name)`)).map(present);
  }

  async get(id: string) {
    const [row] = await this.em.fork().execute<PolicyRow[]>(`${SELECT} where p.id = ?`, [id]);
    if (!row) throw notFound(`no SLA policy ${id}`);
    return present(row);
  }

  async create(body: SlaPolicyBody) {
    const id = randomUUID();
    await this.save(id, body, true);
    return this.get(id);
  }

  async update(id: string, patch: Partial<SlaPolicyBody>) {
    const current = await this.get(id);
    await this.save(id, { name: current.name, organisationIds: current.organisationIds, calendar: current.calendar, targets: current.targets, ...patch }, false);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const rows = await this.em.fork().execute<Array<{ id: string }>>(`delete from sla_policies where id = ? returning id`, [id]);
    if (!rows.length) throw notFound(`no SLA policy ${id}`);
  }

  async forOrganisation(organisationId: string | null): Promise<OrganisationSlaPolicy | null> {
    if (!organisationId) return null;
    const [row] = await this.em.fork().execute<PolicyRow[]>(
      `select p.* from sla_policies p join sla_policy_organisations o on o.policy_id = p.id where o.organisation_id = ?`,
      [organisationId],
    );
    return row ? { id: row.id, name: row.name, calendar: row.calendar, targets: row.targets } : null;
  }

  /**
   * A dry run: the tickets the organisations opened in the last `days`, and how their first response and resolution
   * would have ended under these targets, beside how they did. Changes nothing.
   */
  async preview(body: Pick<SlaPolicyBody, 'organisationIds' | 'calendar' | 'targets'>, days: number) {
    const errors = slaCalendarErrors(body.calendar);
    if (errors.length) throw unprocessable(errors.map((e) => e.message).join('; '), errors, 'invalid-sla-policy');
    const rows = await this.em.fork().execute<PastRow[]>(
      `select f.ticket_id, t.number, t.title, f.priority, f.created_at, f.first_response_at, f.resolved_at, f.fr_status, f.res_status
       from ticket_facts f join tickets t on t.id = f.ticket_id
       where f.organisation_id = any(?::uuid[]) and f.created_at >= now() - make_interval(days => ?)
       order by f.created_at desc limit ?`,
      [`{${body.organisationIds.join(',')}}`, days, PREVIEW_MAX],
    );
    const now = Date.now();
    const count = () => ({ none: 0, pending: 0, met: 0, breached: 0 }) as Record<ClockOutcome, number>;
    const totals = { firstResponse: { now: count(), would: count() }, resolution: { now: count(), would: count() } };
    const changes = [];
    for (const r of rows) {
      const ticket = { createdAt: new Date(r.created_at).getTime(), priority: r.priority };
      const at = (v: DbTime | null) => (v === null ? null : new Date(v).getTime());
      const fr = wouldHaveBeen(body, ticket, 'firstResponseMinutes', { status: r.fr_status, doneAt: at(r.first_response_at) }, now);
      const res = wouldHaveBeen(body, ticket, 'resolutionMinutes', { status: r.res_status, doneAt: at(r.resolved_at) }, now);
      totals.firstResponse.now[r.fr_status] += 1;
      totals.firstResponse.would[fr.status] += 1;
      totals.resolution.now[r.res_status] += 1;
      totals.resolution.would[res.status] += 1;
      if ((fr.status !== r.fr_status || res.status !== r.res_status) && changes.length < PREVIEW_CHANGES_MAX) {
        changes.push({
          ticketId: r.ticket_id,
          number: r.number,
          title: r.title,
          priority: r.priority,
          createdAt: iso(r.created_at),
          firstResponse: { now: r.fr_status, would: fr.status, dueAt: fr.dueAt === null ? null : new Date(fr.dueAt).toISOString() },
          resolution: { now: r.res_status, would: res.status, dueAt: res.dueAt === null ? null : new Date(res.dueAt).toISOString() },
        });
      }
    }
    return { days, tickets: rows.length, truncated: rows.length === PREVIEW_MAX, ...totals, changes };
  }

  async pin(ticketId: string, policy: OrganisationSlaPolicy): Promise<void> {
    await this.em
      .fork()
      .execute(`insert into ticket_sla_policies (ticket_id, policy_id, name, policy) values (?, ?, ?, ?::jsonb) on conflict (ticket_id) do nothing`, [ticketId, policy.id, policy.name, JSON.stringify(policy)]);
  }

  async pinned(ticketId: string): Promise<OrganisationSlaPolicy | null> {
    const [row] = await this.em.fork().execute<Array<{ policy: OrganisationSlaPolicy }>>(`select policy from ticket_sla_policies where ticket_id = ?`, [ticketId]);
    return row?.policy ?? null;
  }

  /** Checked whole first; then the policy and its organisations in one transaction, so an overlap found late writes nothing. */
  private async save(id: string, body: SlaPolicyBody, isNew: boolean): Promise<void> {
    const errors: FieldError[] = slaCalendarErrors(body.calendar);
    for (const [priority, t] of Object.entries(body.targets)) {
      if (t?.firstResponseMinutes && t.resolutionMinutes && t.firstResponseMinutes > t.resolutionMinutes) {
        errors.push({ pointer: `/targets/${priority}/resolutionMinutes`, message: `resolution (${t.resolutionMinutes} min) comes before the first response (${t.firstResponseMinutes} min)` });
      }
    }
    const em = this.em.fork();
    await em.transactional(async (tx) => {
      const orgs = `{${body.organisationIds.join(',')}}`;
      const known = new Set((await tx.execute<Array<{ id: string }>>(`select id from organisations where id = any(?::uuid[])`, [orgs])).map((r) => r.id));
      // Locked, so two admins giving one organisation to two policies at once cannot both succeed.
      const taken = new Map(
        (await tx.execute<Array<{ organisation_id: string; name: string }>>(
          `select o.organisation_id, p.name from sla_policy_organisations o join sla_policies p on p.id = o.policy_id where o.organisation_id = any(?::uuid[]) and o.policy_id <> ? for update of o`,
          [orgs, id],
        )).map((r) => [r.organisation_id, r.name]),
      );
      body.organisationIds.forEach((org, i) => {
        if (!known.has(org)) errors.push({ pointer: `/organisationIds/${i}`, message: `no organisation ${org}` });
        else if (taken.has(org)) errors.push({ pointer: `/organisationIds/${i}`, message: `this organisation is already served by the policy '${taken.get(org)}'` });
      });
      const [sameName] = await tx.execute(`select 1 from sla_policies where lower(name) = lower(?) and id <> ?`, [body.name.trim(), id]);
      if (sameName) errors.push({ pointer: '/name', message: `a policy is already called '${body.name.trim()}'` });
      if (errors.length) throw unprocessable(errors.map((e) => e.message).join('; '), errors, 'invalid-sla-policy');
      if (isNew) {
        await tx.execute(`insert into sla_policies (id, name, calendar, targets) values (?, ?, ?::jsonb, ?::jsonb)`, [id, body.name.trim(), JSON.stringify(body.calendar), JSON.stringify(body.targets)]);
      } else {
        const done = await tx.execute<Array<{ id: string }>>(`update sla_policies set name = ?, calendar = ?::jsonb, targets = ?::jsonb, updated_at = now() where id = ? returning id`, [body.name.trim(), JSON.stringify(body.calendar), JSON.stringify(body.targets), id]);
        if (!done.length) throw notFound(`no SLA policy ${id}`);
        await tx.execute(`delete from sla_policy_organisations where policy_id = ?`, [id]);
      }
      if (body.organisationIds.length) {
        await tx.execute(`insert into sla_policy_organisations (organisation_id, policy_id) select unnest(?::uuid[]), ?`, [orgs, id]);
      }
    }).catch((err: unknown) => {
      // Two saves racing for one organisation: the second meets the key.
      if ((err as { code?: string }).code === '23505') throw new ProblemError(409, 'organisation-taken', 'Conflict', 'an organisation was given to another policy meanwhile: reload and try again');
      throw err;
    });
  }
}
