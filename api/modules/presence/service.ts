// Who else has a ticket open, and who is typing a reply: each open ticket page says so every few seconds; someone not
// heard from for PRESENCE_TTL_SECONDS has left. Kept in PostgreSQL so every API replica sees every agent.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/types';
import { requireStaff } from '../auth/policy';
import type { TicketService } from '../tickets/service';

/** Three missed heartbeats of a page that beats every 5 s. */
export const PRESENCE_TTL_SECONDS = 15;

export interface Viewer {
  id: string;
  name: string;
  typing: boolean;
}

export class PresenceService {
  constructor(
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
  ) {}

  /** Records that `user` has the ticket open (and whether they are typing), and returns the others who do. */
  async beat(user: AuthUser, ticketId: string, typing: boolean): Promise<Viewer[]> {
    requireStaff(user, 'only agents share their presence on a ticket');
    await this.tickets.get(user, ticketId);
    const em = this.em.fork();
    await em.execute(
      `insert into ticket_presence (ticket_id, user_id, typing, seen_at) values (?, ?, ?, now())
       on conflict (ticket_id, user_id) do update set typing = excluded.typing, seen_at = now()`,
      [ticketId, user.id, typing],
    );
    // Stale rows of every ticket go now and then, so the table holds only who is here.
    if (Math.random() < 0.05) await em.execute(`delete from ticket_presence where seen_at < now() - make_interval(secs => ?)`, [PRESENCE_TTL_SECONDS * 4]);
    return this.others(user, ticketId);
  }

  async leave(user: AuthUser, ticketId: string): Promise<void> {
    requireStaff(user, 'only agents share their presence on a ticket');
    await this.tickets.get(user, ticketId);
    await this.em.fork().execute(`delete from ticket_presence where ticket_id = ? and user_id = ?`, [ticketId, user.id]);
  }

  private async others(user: AuthUser, ticketId: string): Promise<Viewer[]> {
    const rows = await this.em.fork().execute<Array<{ id: string; name: string; typing: boolean }>>(
      `select u.id, u.name, p.typing from ticket_presence p join users u on u.id = p.user_id
        where p.ticket_id = ? and p.user_id <> ? and p.seen_at > now() - make_interval(secs => ?)
        order by u.name`,
      [ticketId, user.id, PRESENCE_TTL_SECONDS],
    );
    return rows.map((r) => ({ id: r.id, name: r.name, typing: r.typing }));
  }
}
