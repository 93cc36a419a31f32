// Assets (equipment, sites, services): their details, the tickets that name them and the plans that maintain them.
import { randomUUID } from 'node:crypto';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Asset, Group, GroupMember, MaintenancePlan, type Ticket } from '../../../platform/db/entities/index';
import { iso, isoOrNull } from '../../../platform/db/time';
import { forbidden, notFound, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import { visibleTo } from '../tickets/policy';
import { mayOwn, ownedBy, requireMaintenanceStaff } from './policy';
import type { AssetBody } from './schemas';
import { escapeLike } from '../../../platform/db/like';

type AssetRow = InferEntity<typeof Asset>;

export interface AssetView {
  id: string;
  name: string;
  kind: string;
  category: string;
  location: string;
  ownerGroup: string | null;
  criticality: string;
  fields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

const present = (r: AssetRow): AssetView => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  category: r.category,
  location: r.location,
  ownerGroup: r.ownerGroup ?? null,
  criticality: r.criticality,
  // The JSON column is untyped on the entity; create and update store an object.
  fields: (r.fields as Record<string, unknown> | null) ?? {},
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

type TicketSummaryRow = Pick<InferEntity<typeof Ticket>, 'id' | 'number' | 'type' | 'title' | 'state' | 'stateCategory' | 'priority' | 'createdAt' | 'resolvedAt'>;

const ticketSummary = (r: TicketSummaryRow) => ({
  id: r.id,
  number: r.number,
  type: r.type,
  title: r.title,
  state: r.state,
  stateCategory: r.stateCategory,
  priority: r.priority,
  createdAt: iso(r.createdAt),
  resolvedAt: isoOrNull(r.resolvedAt ?? null),
});

export class AssetService {
  constructor(private readonly em: EntityManager) {}

  async groupsOf(userId: string): Promise<string[]> {
    const rows = await this.em.fork().find(GroupMember, { userId }, { fields: ['groupKey'] });
    return rows.map((r) => r.groupKey);
  }

  async checkOwner(user: AuthUser, group: string | null | undefined, pointer = '/ownerGroup'): Promise<void> {
    if (group === undefined || group === null) return;
    if (!(await this.em.fork().count(Group, { key: group }))) throw unprocessable(`unknown group '${group}'`, [{ pointer, message: 'unknown group' }], 'unknown-group');
    if (!mayOwn(user, group, await this.groupsOf(user.id))) throw forbidden(`you are not a member of group '${group}'`);
  }

  async list(user: AuthUser, q: { q?: string; limit?: string }): Promise<AssetView[]> {
    requireMaintenanceStaff(user);
    const scope = ownedBy(user);
    const like = `%${escapeLike(q.q ?? '')}%`;
    const rows = await this.em
      .fork()
      .createQueryBuilder(Asset, 'a')
      .where(scope.sql('a.owner_group'), scope.params)
      .andWhere(q.q ? { $or: [{ name: { $ilike: like } }, { category: { $ilike: like } }, { location: { $ilike: like } }] } : {})
      // lower(): names sort whatever their case, in the database's collation.
      .orderBy([{ [raw((alias) => `lower(${alias}.name)`)]: 'asc' }, { id: 'asc' }])
      .limit(Number(q.limit ?? 200))
      .getResult();
    return rows.map(present);
  }

  async get(user: AuthUser, id: string): Promise<AssetView> {
    requireMaintenanceStaff(user);
    const scope = ownedBy(user);
    const row = await this.em.fork().createQueryBuilder(Asset, 'a').where({ id }).andWhere(scope.sql('a.owner_group'), scope.params).getSingleResult();
    if (!row) throw notFound(`no asset ${id}`);
    return present(row);
  }

  async create(user: AuthUser, body: AssetBody): Promise<AssetView> {
    requireMaintenanceStaff(user);
    await this.checkOwner(user, body.ownerGroup);
    const id = randomUUID();
    await this.em.fork().insert(Asset, {
      id,
      name: body.name.trim(),
      kind: body.kind,
      category: body.category ?? '',
      location: body.location ?? '',
      ownerGroup: body.ownerGroup ?? null,
      criticality: body.criticality,
      fields: body.fields ?? {},
    });
    return this.get(user, id);
  }

  async update(user: AuthUser, id: string, body: Partial<AssetBody>): Promise<AssetView> {
    const current = await this.get(user, id);
    await this.checkOwner(user, body.ownerGroup);
    const next = { ...current, ...body, ownerGroup: body.ownerGroup === undefined ? current.ownerGroup : body.ownerGroup };
    await this.em.fork().nativeUpdate(
      Asset,
      { id },
      // now(): the database's clock, as created_at's default.
      { name: next.name.trim(), kind: next.kind, category: next.category, location: next.location, ownerGroup: next.ownerGroup, criticality: next.criticality, fields: next.fields ?? {}, updatedAt: raw('now()') },
    );
    return this.get(user, id);
  }

  /** The asset, its open tickets and its history: tickets naming it in their "asset" field or work orders of plans on it, as far as the caller may see them. */
  async detail(user: AuthUser, id: string) {
    const asset = await this.get(user, id);
    const scope = visibleTo(user);
    // SQL: a jsonb key inside the ticket's fields, and the caller's visibility, which the ticket policy writes as SQL.
    const rows = await this.em.fork().execute<TicketSummaryRow[]>(
      `select t.id, t.number, t.type, t.title, t.state, t.state_category as "stateCategory", t.priority, t.created_at as "createdAt", t.resolved_at as "resolvedAt" from tickets t
        where (t.fields->>'asset' = ? or exists (select 1 from maintenance_work_orders w where w.ticket_id = t.id and jsonb_exists(w.asset_ids, ?)))
          and ${scope.sql}
        order by t.created_at desc limit 500`,
      [id, id, ...scope.params],
    );
    // An asset may be shared by groups; each caller sees only the plans their groups own, as on the plans page.
    const owned = ownedBy(user);
    const plans = await this.em
      .fork()
      .createQueryBuilder(MaintenancePlan, 'p')
      .select(['id', 'name', 'status', 'nextDueAt'])
      // jsonb_exists: the plan's asset_ids array holds this id (the ORM has no jsonb key test).
      .where('jsonb_exists(p.asset_ids, ?)', [id])
      .andWhere(owned.sql('p.owner_group'), owned.params)
      .orderBy({ name: 'asc' })
      .getResult();
    const summaries = rows.map(ticketSummary);
    return {
      asset,
      openTickets: summaries.filter((t) => t.stateCategory !== 'resolved' && t.stateCategory !== 'closed'),
      history: summaries,
      plans: plans.map((p) => ({ id: p.id, name: p.name, status: p.status, nextDueAt: isoOrNull(p.nextDueAt ?? null) })),
    };
  }
}
