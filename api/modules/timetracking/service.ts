// Time agents spent on a ticket: the time_logged events its workflow recorded beside comments and transitions.
import type { EntityManager } from '@mikro-orm/postgresql';
import { TicketEvent, User } from '../../../platform/db/entities/index';
import type { AuthUser } from '../auth/types';
import { requireStaff } from '../auth/policy';
import type { TicketService } from '../tickets/service';

export interface TimeEntry {
  seq: number;
  at: string;
  minutes: number;
  /** The comment or transition event the time was spent on. */
  with: number | null;
  agent: { id: string | null; name: string };
}

/** A time_logged event's data, as the ticket workflow's logTime writes it. */
interface TimeLogged {
  minutes: number;
  with?: number | null;
}

export class TimeTrackingService {
  constructor(
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
  ) {}

  /** Every entry in order and the total; customers never see time spent. */
  async ofTicket(user: AuthUser, ticketId: string): Promise<{ totalMinutes: number; entries: TimeEntry[] }> {
    requireStaff(user, 'time spent is for agents and admins');
    await this.tickets.get(user, ticketId);
    const em = this.em.fork();
    const events = await em.find(TicketEvent, { ticketId, type: 'time_logged' }, { fields: ['seq', 'at', 'actorId', 'data'], orderBy: { seq: 'asc' } });
    // The event holds only the agent's id: names come in a second read (skipped when no agent logged any).
    const ids = [...new Set(events.flatMap((e) => (e.actorId ? [e.actorId] : [])))];
    const names = new Map(ids.length ? (await em.find(User, { id: { $in: ids } }, { fields: ['id', 'name'] })).map((u) => [u.id, u.name]) : []);
    const entries = events.map((e) => {
      const d = e.data as TimeLogged;
      const agentId = e.actorId ?? null;
      return { seq: e.seq, at: e.at.toISOString(), minutes: d.minutes, with: d.with ?? null, agent: { id: agentId, name: (agentId && names.get(agentId)) ?? '' } };
    });
    return { totalMinutes: entries.reduce((sum, e) => sum + e.minutes, 0), entries };
  }
}
