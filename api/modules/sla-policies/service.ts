// SLA policies as admins edit them, and as ticket opening reads them: the policy of a requester's organisation, applied
// to the definition the ticket starts with and kept on the ticket as it was (a later change of the policy applies to
// tickets opened after it; a migration of the definition keeps each ticket's own).
import { randomUUID } from 'node:crypto';
import { LockMode, raw, sql, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { slaCalendarErrors, wouldHaveBeen, type ClockOutcome, type OrganisationSlaPolicy, type Priority } from '../../../workflow-definitions/index';
import { countBy } from '../../../platform/db/count-by';
import { Organisation, SlaPolicy, SlaPolicyOrganisation, Ticket, TicketFact, TicketSlaPolicy } from '../../../platform/db/entities/index';
import { iso, type DbTime } from '../../../platform/db/time';
import { conflict, notFound, unprocessable, type FieldError } from '../../http/problem';
import { unlessTaken } from '../../http/unique-conflict';
import { caseless } from '../../../platform/db/case-fold';

export interface SlaPolicyBody {
  name: string;
  organisationIds: string[];
  calendar: OrganisationSlaPolicy['calendar'];
  targets: OrganisationSlaPolicy['targets'];
}

type PolicyRow = InferEntity<typeof SlaPolicy>;
type FactRow = Pick<InferEntity<typeof TicketFact>, 'ticketId' | 'priority' | 'createdAt' | 'firstResponseAt' | 'resolvedAt' | 'frStatus' | 'resStatus'>;

/** Tickets a dry run reads at most, and changed tickets it lists at most. */
const PREVIEW_MAX = 100_000;
const PREVIEW_CHANGES_MAX = 200;

const asPolicy = (r: PolicyRow): OrganisationSlaPolicy => ({
  id: r.id,
  name: r.name,
  calendar: r.calendar as OrganisationSlaPolicy['calendar'],
  targets: r.targets as OrganisationSlaPolicy['targets'],
});

const present = (r: PolicyRow, organisationIds: string[], tickets: number) => ({
  ...asPolicy(r),
  organisationIds,
  tickets,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
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
    const em = this.em.fork();
    const rows = await em.findAll(SlaPolicy, { orderBy: { [sql.lower('name')]: 'asc' } });
    return this.presentAll(em, rows);
  }

  async get(id: string) {
    const em = this.em.fork();
    const row = await em.findOne(SlaPolicy, { id });
    if (!row) throw notFound(`no SLA policy ${id}`);
    const [policy] = await this.presentAll(em, [row]);
    return policy!;
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
    if (!(await this.em.fork().nativeDelete(SlaPolicy, { id }))) throw notFound(`no SLA policy ${id}`);
  }

  async forOrganisation(organisationId: string | null): Promise<OrganisationSlaPolicy | null> {
    if (!organisationId) return null;
    const em = this.em.fork();
    // One round trip on every ticket opening, as the join was.
    const served = em.createQueryBuilder(SlaPolicyOrganisation, 'o').select('policyId').where({ organisationId });
    const row = await em.findOne(SlaPolicy, { id: { $in: served } });
    return row ? asPolicy(row) : null;
  }

  /**
   * A dry run: the tickets the organisations opened in the last `days`, and how their first response and resolution
   * would have ended under these targets, beside how they did. Changes nothing.
   */
  async preview(body: Pick<SlaPolicyBody, 'organisationIds' | 'calendar' | 'targets'>, days: number) {
    const errors = slaCalendarErrors(body.calendar);
    if (errors.length) throw unprocessable(errors.map((e) => e.message).join('; '), errors, 'invalid-sla-policy');
    const em = this.em.fork();
    // Plain rows, not entities: up to PREVIEW_MAX of them, read once.
    const rows = body.organisationIds.length
      ? await em
          .createQueryBuilder(TicketFact)
          .select(['ticketId', 'priority', 'createdAt', 'firstResponseAt', 'resolvedAt', 'frStatus', 'resStatus'])
          .where({ organisationId: { $in: body.organisationIds }, createdAt: { $gte: raw<Date>('now() - make_interval(days => ?)', [days]) } })
          .orderBy({ createdAt: 'desc' })
          .limit(PREVIEW_MAX)
          .execute<FactRow[]>()
      : [];
    const now = Date.now();
    const count = () => ({ none: 0, pending: 0, met: 0, breached: 0 }) as Record<ClockOutcome, number>;
    const totals = { firstResponse: { now: count(), would: count() }, resolution: { now: count(), would: count() } };
    const changed = [];
    for (const r of rows) {
      const priority = r.priority as Priority;
      const frNow = r.frStatus as ClockOutcome;
      const resNow = r.resStatus as ClockOutcome;
      const ticket = { createdAt: new Date(r.createdAt).getTime(), priority };
      const at = (v: DbTime | null | undefined) => (v == null ? null : new Date(v).getTime());
      const fr = wouldHaveBeen(body, ticket, 'firstResponseMinutes', { status: frNow, doneAt: at(r.firstResponseAt) }, now);
      const res = wouldHaveBeen(body, ticket, 'resolutionMinutes', { status: resNow, doneAt: at(r.resolvedAt) }, now);
      totals.firstResponse.now[frNow] += 1;
      totals.firstResponse.would[fr.status] += 1;
      totals.resolution.now[resNow] += 1;
      totals.resolution.would[res.status] += 1;
      if ((fr.status !== frNow || res.status !== resNow) && changed.length < PREVIEW_CHANGES_MAX) {
        changed.push({
          ticketId: r.ticketId,
          priority,
          createdAt: iso(r.createdAt),
          firstResponse: { now: frNow, would: fr.status, dueAt: fr.dueAt === null ? null : new Date(fr.dueAt).toISOString() },
          resolution: { now: resNow, would: res.status, dueAt: res.dueAt === null ? null : new Date(res.dueAt).toISOString() },
        });
      }
    }
    // Numbers and titles of the listed tickets only, not of all those read. A fact goes with its ticket (the key
    // cascades): one missing here was deleted since, and is left out, as the join would have left it.
    const tickets = changed.length ? await em.find(Ticket, { id: { $in: changed.map((c) => c.ticketId) } }, { fields: ['id', 'number', 'title'] }) : [];
    const byId = new Map(tickets.map((t) => [t.id, t]));
    const changes = changed.flatMap(({ ticketId, ...rest }) => {
      const t = byId.get(ticketId);
      return t ? [{ ticketId, number: t.number, title: t.title, ...rest }] : [];
    });
    return { days, tickets: rows.length, truncated: rows.length === PREVIEW_MAX, ...totals, changes };
  }

  async pin(ticketId: string, policy: OrganisationSlaPolicy): Promise<void> {
    // A retried opening pins again: the first pin stands.
    await this.em
      .fork()
      .createQueryBuilder(TicketSlaPolicy)
      .insert({ ticketId, policyId: policy.id, name: policy.name, policy })
      .onConflict('ticketId')
      .ignore()
      .execute();
  }

  async pinned(ticketId: string): Promise<OrganisationSlaPolicy | null> {
    const row = await this.em.fork().findOne(TicketSlaPolicy, { ticketId }, { fields: ['policy'] });
    return (row?.policy as OrganisationSlaPolicy | undefined) ?? null;
  }

  /** Each policy with its organisations and the count of tickets opened under it, in the order given. */
  private async presentAll(em: EntityManager, rows: PolicyRow[]) {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const organisations = new Map<string, string[]>();
    for (const o of await em.find(SlaPolicyOrganisation, { policyId: { $in: ids } }, { orderBy: { organisationId: 'asc' } })) {
      organisations.set(o.policyId, [...(organisations.get(o.policyId) ?? []), o.organisationId]);
    }
    const tickets = await countBy(em, TicketSlaPolicy, 'policyId', ids);
    return rows.map((r) => present(r, organisations.get(r.id) ?? [], tickets.get(r.id) ?? 0));
  }

  /** Checked whole first; then the policy and its organisations in one transaction, so an overlap found late writes nothing. */
  private async save(id: string, body: SlaPolicyBody, isNew: boolean): Promise<void> {
    const errors: FieldError[] = slaCalendarErrors(body.calendar);
    for (const [priority, t] of Object.entries(body.targets)) {
      if (t?.firstResponseMinutes && t.resolutionMinutes && t.firstResponseMinutes > t.resolutionMinutes) {
        errors.push({ pointer: `/targets/${priority}/resolutionMinutes`, message: `resolution (${t.resolutionMinutes} min) comes before the first response (${t.firstResponseMinutes} min)` });
      }
    }
    const name = body.name.trim();
    const em = this.em.fork();
    // Two saves racing for one organisation: the second meets the key.
    const saved = em.transactional(async (tx) => {
      const orgs = body.organisationIds;
      const known = new Set(orgs.length ? (await tx.find(Organisation, { id: { $in: orgs } }, { fields: ['id'] })).map((o) => o.id) : []);
      // Locked, so two admins giving one organisation to two policies at once cannot both succeed.
      const others = orgs.length ? await tx.find(SlaPolicyOrganisation, { organisationId: { $in: orgs }, policyId: { $ne: id } }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : [];
      const names = new Map(others.length ? (await tx.find(SlaPolicy, { id: { $in: [...new Set(others.map((o) => o.policyId))] } }, { fields: ['id', 'name'] })).map((p) => [p.id, p.name]) : []);
      const taken = new Map(others.map((o) => [o.organisationId, names.get(o.policyId)]));
      orgs.forEach((org, i) => {
        if (!known.has(org)) errors.push({ pointer: `/organisationIds/${i}`, message: `no organisation ${org}` });
        else if (taken.has(org)) errors.push({ pointer: `/organisationIds/${i}`, message: `this organisation is already served by the policy '${taken.get(org)}'` });
      });
      if (await tx.count(SlaPolicy, { ...caseless('name', name), id: { $ne: id } })) errors.push({ pointer: '/name', message: `a policy is already called '${name}'` });
      if (errors.length) throw unprocessable(errors.map((e) => e.message).join('; '), errors, 'invalid-sla-policy');
      if (isNew) {
        await tx.insert(SlaPolicy, { id, name, calendar: body.calendar, targets: body.targets });
      } else {
        if (!(await tx.nativeUpdate(SlaPolicy, { id }, { name, calendar: body.calendar, targets: body.targets, updatedAt: raw<Date>('now()') }))) throw notFound(`no SLA policy ${id}`);
        await tx.nativeDelete(SlaPolicyOrganisation, { policyId: id });
      }
      if (orgs.length) await tx.insertMany(SlaPolicyOrganisation, orgs.map((organisationId) => ({ organisationId, policyId: id })));
    });
    await unlessTaken(saved, () => conflict('an organisation was given to another policy meanwhile: reload and try again', 'organisation-taken'));
  }
}
