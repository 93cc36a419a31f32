// Time agents spent on a ticket: the time_logged events its workflow recorded beside comments and transitions.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/types';
import { requireStaff } from '../auth/policy';
import type { TicketService } from '../tickets/service';
import { iso, type DbTime } from '../../../platform/db/time';

export interface TimeEntry {
  seq: number;
  at: string;
  minutes: number;
  /** The comment or transition event the time was spent on. */
  with: number | null;
  agent: { id: string | null; name: string };
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
    const rows = await this.em.fork().execute<Array<{ seq: number; at: DbTime; minutes: number; with: number | null; actor_id: string | null; name: string | null }>>(
      `select e.seq, e.at, (e.data->>'minutes')::int as minutes, (e.data->>'with')::int as with, e.actor_id, u.name
         from ticket_events e left join users u on u.id = e.actor_id
        where e.ticket_id = ? and e.type = 'time_logged' order by e.seq`,
      [ticketId],
    );
    const entries = rows.map((r) => ({ seq: r.seq, at: iso(r.at), minutes: r.minutes, with: r.with, agent: { id: r.actor_id, name: r.name ?? '' } }));
    return { totalMinutes: entries.reduce((sum, e) => sum + e.minutes, 0), entries };
  }
}
