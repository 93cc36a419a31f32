// Assets (equipment, sites, services): their details, the tickets that name them and the plans that maintain them.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { iso, isoOrNull, type DbTime } from '../../../platform/db/time';
import { forbidden, notFound, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import { visibleTo } from '../tickets/policy';
import { mayOwn, ownedBy, requireMaintenanceStaff } from './policy';
import type { AssetBody } from './schemas';
import { escapeLike } from '../../../platform/db/like';

interface AssetRow {
  id: string;
  name: string;
  kind: string;
  category: string;
  location: string;
  owner_group: string | null;
  criticality: string;
  fields: Record<string, unknown>;
  created_at: DbTime;
  updated_at: DbTime;
}

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
  ownerGroup: r.owner_group,
  criticality: r.criticality,
  fields: r.fields ?? {},
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

interface TicketSummaryRow {
  id: string;
  number: string;
  type: string;
  title: string;
  state: string;
  state_category: string;
  priority: string;
  created_at: DbTime;
  resolved_at: DbTime | null;
}

const ticketSummary = (r: TicketSummaryRow) => ({
  id: r.id,
  number: r.number,
  type: r.type,
  title: r.title,
  state: r.state,
  stateCategory: r.state_category,
  priority: r.priority,
  createdAt: iso(r.created_at),
  resolvedAt: isoOrNull(r.resolved_at),
});

export class AssetService {
  constructor(private readonly em: EntityManager) {}

  async groupsOf(userId: string): Promise<string[]> {
    const rows = await this.em.fork().execute<Array<{ group_key: string }>>(`select group_key from group_members where user_id = ?`, [userId]);
    return rows.map((r) => r.group_key);
  }

  async checkOwner(user: AuthUser, group: string | null | undefined, pointer = '/ownerGroup'): Promise<void> {
    if (group === undefined || group === null) return;
    const [exists] = await this.em.fork().execute(`select 1 from groups where key = ?`, [group]);
    if (!exists) throw unprocessable(`unknown group '${group}'`, [{ pointer, message: 'unknown group' }], 'unknown-group');
    if (!mayOwn(user, group, await this.groupsOf(user.id))) throw forbidden(`you are not a member of group '${group}'`);
  }

  async list(user: AuthUser, q: { q?: string; limit?: string }): Promise<AssetView[]> {
    requireMaintenanceStaff(user);
    const scope = ownedBy(user);
    const params: unknown[] = [...scope.params];
    let where = scope.sql('a.owner_group');
    if (q.q) {
      where += ` and (a.name ilike ? or a.category ilike ? or a.location ilike ?)`;
      const like = `%${escapeLike(q.q)}%`;
      params.push(like, like, like);
    }
    const rows = await this.em.fork().execute<AssetRow[]>(`select * from assets a where ${where} order by lower(a.name), a.id limit ${Number(q.limit ?? 200)}`, params);
    return rows.map(present);
  }

  async get(user: AuthUser, id: string): Promise<AssetView> {
    requireMaintenanceStaff(user);
    const scope = ownedBy(user);
    const [row] = await this.em.fork().execute<AssetRow[]>(`select * from assets a where a.id = ? and ${scope.sql('a.owner_group')}`, [id, ...scope.params]);
    if (!row) throw notFound(`no asset ${id}`);
    return present(row);
  }

  async create(user: AuthUser, body: AssetBody): Promise<AssetView> {
    requireMaintenanceStaff(user);
    await this.checkOwner(user, body.ownerGroup);
    const id = randomUUID();
    await this.em.fork().execute(
      `insert into assets (id, name, kind, category, location, owner_group, criticality, fields) values (?, ?, ?, ?, ?, ?, ?, ?::jsonb)`,
      [id, body.name.trim(), body.kind, body.category ?? '', body.location ?? '', body.ownerGroup ?? null, body.criticality, JSON.stringify(body.fields ?? {})],
    );
    return this.get(user, id);
  }

  async update(user: AuthUser, id: string, body: Partial<AssetBody>): Promise<AssetView> {
    const current = await this.get(user, id);
    await this.checkOwner(user, body.ownerGroup);
    const next = { ...current, ...body, ownerGroup: body.ownerGroup === undefined ? current.ownerGroup : body.ownerGroup };
    await this.em.fork().execute(
      `update assets set name = ?, kind = ?, category = ?, location = ?, owner_group = ?, criticality = ?, fields = ?::jsonb, updated_at = now() where id = ?`,
      [next.name.trim(), next.kind, next.category, next.location, next.ownerGroup, next.criticality, JSON.stringify(next.fields ?? {}), id],
    );
    return this.get(user, id);
  }

  /** The asset, its open tickets and its history: tickets naming it in their "asset" field or work orders of plans on it, as far as the caller may see them. */
  async detail(user: AuthUser, id: string) {
    const asset = await this.get(user, id);
    const scope = visibleTo(user);
    const rows = await this.em.fork().execute<TicketSummaryRow[]>(
      `select t.id, t.number, t.type, t.title, t.state, t.state_category, t.priority, t.created_at, t.resolved_at from tickets t
        where (t.fields->>'asset' = ? or exists (select 1 from maintenance_work_orders w where w.ticket_id = t.id and jsonb_exists(w.asset_ids, ?)))
          and ${scope.sql}
        order by t.created_at desc limit 500`,
      [id, id, ...scope.params],
    );
    // An asset may be shared by groups; each caller sees only the plans their groups own, as on the plans page.
    const owned = ownedBy(user);
    const plans = await this.em
      .fork()
      .execute<Array<{ id: string; name: string; status: string; next_due_at: DbTime | null }>>(
        `select p.id, p.name, p.status, p.next_due_at from maintenance_plans p where jsonb_exists(p.asset_ids, ?) and ${owned.sql('p.owner_group')} order by p.name`,
        [id, ...owned.params],
      );
    const summaries = rows.map(ticketSummary);
    return {
      asset,
      openTickets: summaries.filter((t) => t.stateCategory !== 'resolved' && t.stateCategory !== 'closed'),
      history: summaries,
      plans: plans.map((p) => ({ id: p.id, name: p.name, status: p.status, nextDueAt: isoOrNull(p.next_due_at) })),
    };
  }
}
