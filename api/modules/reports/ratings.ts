// Customer satisfaction: the requester rates their own resolved or closed ticket once, 1 to 5 with an optional comment, and may change it.
import type { InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Ticket, TicketRating } from '../../../platform/db/entities/index';
import { conflict, forbidden, notFound } from '../../http/problem';
import { visibleTo } from '../tickets/policy';
import type { AuthUser } from '../auth/types';
import { iso } from '../../../platform/db/time';
import type { RatingBody } from './schemas';

export interface RatingView {
  score: number;
  comment: string | null;
  createdAt: string;
  updatedAt: string;
}

type RatingRow = Pick<InferEntity<typeof TicketRating>, 'score' | 'comment' | 'createdAt' | 'updatedAt'>;

const view = (r: RatingRow): RatingView => ({ score: Number(r.score), comment: r.comment ?? null, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) });

export class RatingService {
  constructor(private readonly em: EntityManager) {}

  private async visibleTicket(user: AuthUser, ticketId: string) {
    const scope = visibleTo(user);
    const t = await this.em
      .fork()
      .createQueryBuilder(Ticket, 't')
      .select(['requesterId', 'stateCategory'])
      .where({ id: ticketId })
      .andWhere(scope.sql, scope.params)
      .execute<Pick<InferEntity<typeof Ticket>, 'requesterId' | 'stateCategory'> | undefined>('get');
    if (!t) throw notFound(`no ticket ${ticketId}`);
    return t;
  }

  async get(user: AuthUser, ticketId: string): Promise<RatingView> {
    await this.visibleTicket(user, ticketId);
    const r = await this.em.fork().findOne(TicketRating, ticketId);
    if (!r) throw notFound('this ticket has no rating yet');
    return view(r);
  }

  /** Creates or replaces the rating; the ticket's workflow is not involved (a rating changes nothing in its life). */
  async rate(user: AuthUser, ticketId: string, body: RatingBody): Promise<{ rating: RatingView; created: boolean }> {
    const t = await this.visibleTicket(user, ticketId);
    if (t.requesterId !== user.id) throw forbidden('only the ticket’s requester rates it');
    if (t.stateCategory !== 'resolved' && t.stateCategory !== 'closed') throw conflict('a ticket is rated once it is resolved or closed', 'not-finished');
    // SQL: one upsert that also tells whether it inserted (xmax = 0), which the answer's status follows (201 or 200).
    const [r] = await this.em.fork().execute<Array<RatingRow & { inserted: boolean }>>(
      `insert into ticket_ratings (ticket_id, rater_id, score, comment) values (?, ?, ?, ?)
       on conflict (ticket_id) do update set score = excluded.score, comment = excluded.comment, rater_id = excluded.rater_id, updated_at = now()
       returning score, comment, created_at as "createdAt", updated_at as "updatedAt", (xmax = 0) as inserted`,
      [ticketId, user.id, body.score, body.comment?.trim() ? body.comment.trim() : null],
    );
    return { rating: view(r!), created: Boolean(r!.inserted) };
  }
}
