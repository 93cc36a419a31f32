// Agents' availability: away (with an optional return date) or available. Going away hands the agent's open tickets in
// queues that assign by themselves to the next agent the queue's policy names, through each ticket's workflow, with
// the reason in its timeline; tickets of other queues, or that nobody may take now, stay with the agent.
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { AWAY_SQL, pickAssignee, skillsAskedBy } from '../../../platform/assignment/pick';
import { Queue, Ticket, User } from '../../../platform/db/entities/index';
import { assignUpdate, ticketWorkflowId } from '../../../workflows/ticket-messages';
import { forbidden, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';

export interface AvailabilityBody {
  away: boolean;
  until?: string | null;
}

type Availability = Pick<InferEntity<typeof User>, 'awaySince' | 'awayUntil'> & { away: boolean };

/** At most this many tickets are handed on in one request (the rest stay with the agent). */
const REDISTRIBUTE_MAX = 500;

export class AvailabilityService {
  constructor(
    private readonly em: EntityManager,
    private readonly temporal: Client,
  ) {}

  async get(user: AuthUser) {
    const row = await this.availability(user.id);
    return { away: !!row?.away, awaySince: row?.awaySince?.toISOString() ?? null, awayUntil: row?.awayUntil?.toISOString() ?? null };
  }

  async set(user: AuthUser, body: AvailabilityBody) {
    if (user.role !== 'agent' && user.role !== 'admin') throw forbidden('availability is for agents and admins');
    if (body.away && body.until && Date.parse(body.until) <= Date.now()) {
      throw unprocessable('the return date has passed', [{ pointer: '/until', message: 'must be in the future' }], 'invalid-return-date');
    }
    const before = await this.availability(user.id);
    const until = body.away ? (body.until ?? null) : null;
    await this.em.fork().nativeUpdate(User, { id: user.id }, {
      // The database's clock, the one every "away now" test reads, so a skewed API host cannot open a gap.
      awaySince: body.away ? raw('now()') : null,
      // PostgreSQL reads the date as before: microseconds kept, and every form the date-time format admits (a leap second too).
      awayUntil: until === null ? null : raw('?::timestamptz', [until]),
    });
    const handedOn = body.away && !before?.away ? await this.handOn(user.id) : { redistributed: 0, kept: 0 };
    return { ...(await this.get(user)), ...handedOn };
  }

  /** Away now by the database's clock, through the test the assignment picker shares. */
  private async availability(userId: string): Promise<Availability | undefined> {
    return this.em
      .fork()
      .createQueryBuilder(User, 'u')
      .select(['awaySince', 'awayUntil', raw(`${AWAY_SQL('u')} as away`)])
      .where({ id: userId })
      .execute<Availability | undefined>('get');
  }

  private async handOn(agentId: string): Promise<{ redistributed: number; kept: number }> {
    const em = this.em.fork();
    const assigning = em.createQueryBuilder(Queue, 'q').select('key').where({ assignment: { $ne: 'off' } });
    const tickets = await em.find(
      Ticket,
      { assigneeId: agentId, stateCategory: { $nin: ['resolved', 'closed'] }, queue: { $in: assigning } },
      { fields: ['id', 'queue', 'tags', 'fields'], orderBy: [{ priorityOrder: 'asc' }, { createdAt: 'asc' }], limit: REDISTRIBUTE_MAX },
    );
    let redistributed = 0;
    for (const t of tickets) {
      // Never null: only tickets in a queue that assigns were read.
      const queue = t.queue as string;
      const pick = await pickAssignee(this.em, queue, { except: [agentId], skills: skillsAskedBy({ tags: t.tags, fields: t.fields as Record<string, unknown> }) });
      if (!pick) continue;
      try {
        await this.temporal.workflow.getHandle(ticketWorkflowId(t.id)).executeUpdate(assignUpdate, {
          args: [{ assigneeId: pick.userId, actor: { id: null, role: 'system' }, auto: { policy: pick.policy, queue, openTickets: pick.openTickets, awayFrom: agentId, ...(pick.skill !== undefined ? { skill: pick.skill } : {}) } }],
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
