// Agents' availability: away (with an optional return date) or available. Going away hands the agent's open tickets in
// queues that assign by themselves to the next agent the queue's policy names, through each ticket's workflow, with
// the reason in its timeline; tickets of other queues, or that nobody may take now, stay with the agent.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { AWAY_SQL, pickAssignee, skillsAskedBy } from '../../../platform/assignment/pick';
import { isoOrNull, type DbTime } from '../../../platform/db/time';
import { assignUpdate, ticketWorkflowId } from '../../../workflows/ticket-messages';
import { forbidden, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';

export interface AvailabilityBody {
  away: boolean;
  until?: string | null;
}

/** At most this many tickets are handed on in one request (the rest stay with the agent). */
const REDISTRIBUTE_MAX = 500;

export class AvailabilityService {
  constructor(
    private readonly em: EntityManager,
    private readonly temporal: Client,
  ) {}

  async get(user: AuthUser) {
    const [row] = await this.em.fork().execute<Array<{ away: boolean; away_since: DbTime | null; away_until: DbTime | null }>>(
      `select ${AWAY_SQL('u')} as away, u.away_since, u.away_until from users u where u.id = ?`,
      [user.id],
    );
    return { away: !!row?.away, awaySince: isoOrNull(row?.away_since ?? null), awayUntil: isoOrNull(row?.away_until ?? null) };
  }

  async set(user: AuthUser, body: AvailabilityBody) {
    if (user.role !== 'agent' && user.role !== 'admin') throw forbidden('availability is for agents and admins');
    if (body.away && body.until && Date.parse(body.until) <= Date.now()) {
      throw unprocessable('the return date has passed', [{ pointer: '/until', message: 'must be in the future' }], 'invalid-return-date');
    }
    const [before] = await this.em.fork().execute<Array<{ away: boolean }>>(`select ${AWAY_SQL('u')} as away from users u where u.id = ?`, [user.id]);
    // The database's clock, the one every "away now" test reads, so a skewed API host cannot open a gap.
    await this.em
      .fork()
      .execute(`update users set away_since = case when ? then now() end, away_until = ?::timestamptz where id = ?`, [body.away, body.away ? (body.until ?? null) : null, user.id]);
    const handedOn = body.away && !before?.away ? await this.handOn(user.id) : { redistributed: 0, kept: 0 };
    return { ...(await this.get(user)), ...handedOn };
  }

  private async handOn(agentId: string): Promise<{ redistributed: number; kept: number }> {
    const tickets = await this.em.fork().execute<Array<{ id: string; queue: string; tags: string[]; fields: Record<string, unknown> }>>(
      `select t.id, t.queue, t.tags, t.fields from tickets t join queues q on q.key = t.queue
       where t.assignee_id = ? and t.state_category not in ('resolved', 'closed') and q.assignment <> 'off'
       order by t.priority_order, t.created_at limit ?`,
      [agentId, REDISTRIBUTE_MAX],
    );
    let redistributed = 0;
    for (const t of tickets) {
      const pick = await pickAssignee(this.em, t.queue, { except: [agentId], skills: skillsAskedBy(t) });
      if (!pick) continue;
      try {
        await this.temporal.workflow.getHandle(ticketWorkflowId(t.id)).executeUpdate(assignUpdate, {
          args: [{ assigneeId: pick.userId, actor: { id: null, role: 'system' }, auto: { policy: pick.policy, queue: t.queue, openTickets: pick.openTickets, awayFrom: agentId, ...(pick.skill !== undefined ? { skill: pick.skill } : {}) } }],
        });
        redistributed += 1;
      } catch (err) {
        // Taken, moved or closed meanwhile: the ticket said no, and keeps its state.
        if ((err as Error).name !== 'WorkflowUpdateFailedError') throw err;
      }
    }
    return { redistributed, kept: tickets.length - redistributed };
  }
}
