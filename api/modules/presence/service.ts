// Who else has a ticket open, and who is typing a reply: each open ticket page says so every few seconds; someone not
// heard from for PRESENCE_TTL_SECONDS has left. Kept in PostgreSQL so every API replica sees every agent.
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TicketPresence, User } from '../../../platform/db/entities/index';
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

/** A moment `seconds` before the database's now. */
const secondsAgo = (seconds: number) => raw('now() - make_interval(secs => ?)', [seconds]);

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
    // now(): presence is judged by the database's clock, the same for every API replica.
    await em
      .createQueryBuilder(TicketPresence)
      .insert({ ticketId, userId: user.id, typing, seenAt: raw('now()') })
      .onConflict(['ticketId', 'userId'])
      .merge(['typing', 'seenAt'])
      .execute();
    // Stale rows of every ticket go now and then, so the table holds only who is here.
    if (Math.random() < 0.05) await em.nativeDelete(TicketPresence, { seenAt: { $lt: secondsAgo(PRESENCE_TTL_SECONDS * 4) } });
    return this.others(user, ticketId);
  }

  async leave(user: AuthUser, ticketId: string): Promise<void> {
    requireStaff(user, 'only agents share their presence on a ticket');
    await this.tickets.get(user, ticketId);
    await this.em.fork().nativeDelete(TicketPresence, { ticketId, userId: user.id });
  }

  private async others(user: AuthUser, ticketId: string): Promise<Viewer[]> {
    const em = this.em.fork();
    const here = await em.find(TicketPresence, { ticketId, userId: { $ne: user.id }, seenAt: { $gt: secondsAgo(PRESENCE_TTL_SECONDS) } });
    if (!here.length) return [];
    const typing = new Map(here.map((p) => [p.userId, p.typing]));
    const people = await em.find(User, { id: { $in: [...typing.keys()] } }, { fields: ['name'], orderBy: { name: 'asc' } });
    return people.map((u) => ({ id: u.id, name: u.name, typing: typing.get(u.id)! }));
  }
}
