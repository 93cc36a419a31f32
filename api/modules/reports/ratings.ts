// Customer satisfaction: the requester rates their own resolved or closed ticket once, 1 to 5 with an optional comment, and may change it.
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, notFound } from '../../http/problem';
import { visibleTo } from '../tickets/policy';
import type { AuthUser } from '../auth/types';
import { iso, type DbTime } from '../../../platform/db/time';
import type { RatingBody } from './schemas';

export interface RatingView {
  score: number;
  comment: string | null;
  createdAt: string;
  updatedAt: string;
}

interface RatingRow {
  score: number;
  comment: string | null;
  created_at: DbTime;
  updated_at: DbTime;
}

const view = (r: RatingRow): RatingView => ({ score: Number(r.score), comment: r.comment, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) });

export class RatingService {
  constructor(private readonly em: EntityManager) {}

  private async visibleTicket(user: AuthUser, ticketId: string) {
    const scope = visibleTo(user);
    const [t] = await this.em.fork().execute<Array<{ requester_id: string; state_category: string }>>(
      `select t.requester_id, t.state_category from tickets t where t.id = ? and ${scope.sql}`,
      [ticketId, ...scope.params],
    );
    if (!t) throw notFound(`no ticket ${ticketId}`);
    return t;
  }

  async get(user: AuthUser, ticketId: string): Promise<RatingView> {
    await this.visibleTicket(user, ticketId);
    const [r] = await this.em.fork().execute<RatingRow[]>(`select score, comment, created_at, updated_at from ticket_ratings where ticket_id = ?`, [ticketId]);
    if (!r) throw notFound('this ticket has no rating yet');
    return view(r);
  }

  /** Creates or replaces the rating; the ticket's workflow is not involved (a rating changes nothing in its life). */
  async rate(user: AuthUser, ticketId: string, body: RatingBody): Promise<{ rating: RatingView; created: boolean }> {
    const t = await this.visibleTicket(user, ticketId);
    if (t.requester_id !== user.id) throw forbidden('only the ticket’s requester rates it');
    if (t.state_category !== 'resolved' && t.state_category !== 'closed') throw conflict('a ticket is rated once it is resolved or closed', 'not-finished');
    const [r] = await this.em.fork().execute<Array<RatingRow & { inserted: boolean }>>(
      `insert into ticket_ratings (ticket_id, rater_id, score, comment) values (?, ?, ?, ?)
       on conflict (ticket_id) do update set score = excluded.score, comment = excluded.comment, rater_id = excluded.rater_id, updated_at = now()
       returning score, comment, created_at, updated_at, (xmax = 0) as inserted`,
      [ticketId, user.id, body.score, body.comment?.trim() ? body.comment.trim() : null],
    );
    return { rating: view(r), created: Boolean(r.inserted) };
  }
}
