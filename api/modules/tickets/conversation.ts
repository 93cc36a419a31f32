// A ticket's conversation through the API: public replies and internal notes, their edits, and the timeline as each
// reader may see it (customers count only the public events, in their own numbering).
import type { Client } from '@temporalio/client';
import { commentUpdate, editCommentUpdate, ticketWorkflowId } from '../../../workflows/ticket-messages';
import { conflict, forbidden } from '../../http/problem';
import { toProblem } from '../../temporal-errors';
import type { AuthUser } from '../auth/types';
import type { DefinitionService } from '../definitions/service';
import { canOnQueue, requireOnQueue } from '../iam/permissions';
import { presentEvent } from './present';
import type { TicketReader } from './reader';
import type { TicketRepository } from './repository';
import { MAX_SEQ, type CommentBody } from './schemas';
import { presentTimeline } from './timeline';
import { actorOf, idempotentUpdateId } from './workflow-calls';

export class TicketConversation {
  constructor(
    private readonly repo: TicketRepository,
    private readonly defs: DefinitionService,
    private readonly temporal: Client,
    private readonly reader: TicketReader,
  ) {}

  async comment(user: AuthUser, id: string, body: CommentBody, idempotencyKey?: string): Promise<{ seq: number }> {
    requireOnQueue(user, body.visibility === 'internal' ? 'note' : 'reply', (await this.reader.visibleRow(user, id)).queue);
    if (user.role === 'customer' && body.visibility === 'internal') throw forbidden('customers can only write public comments');
    if (user.role === 'customer' && body.timeSpent !== undefined) throw forbidden('only agents record time spent');
    if (body.ifSeenSeq !== undefined) await this.refuseIfMissed(user, id, body.ifSeenSeq);
    let done: { seq: number };
    try {
      done = await this.temporal.workflow
        .getHandle(ticketWorkflowId(id))
        .executeUpdate(commentUpdate, {
          args: [{ body: body.body, visibility: body.visibility ?? 'public', ...(body.timeSpent !== undefined ? { timeSpent: body.timeSpent } : {}), actor: actorOf(user) }],
          updateId: idempotentUpdateId('comment', id, user.id, idempotencyKey),
        });
    } catch (err) {
      throw toProblem(err) ?? err;
    }
    return user.role === 'customer' ? { seq: await this.publicNumber(id, done.seq) } : done;
  }

  /**
   * An internal note written by the desk itself (a mail that bounced): no caller, so no queue rights to check; once per
   * `key` however often the cause is received.
   */
  async systemNote(id: string, body: string, key: string): Promise<{ seq: number }> {
    try {
      return await this.temporal.workflow
        .getHandle(ticketWorkflowId(id))
        .executeUpdate(commentUpdate, { args: [{ body, visibility: 'internal', actor: { id: null, role: 'system' } }], updateId: idempotentUpdateId('system-note', id, 'system', key) });
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  /** So no one answers a customer twice without knowing: a reply or state change the writer has not seen stops the comment. */
  private async refuseIfMissed(user: AuthUser, id: string, seenSeq: number): Promise<void> {
    const customer = user.role === 'customer';
    // Customers count the events they see 1, 2, 3…; their n-th is the n-th public event.
    // Beyond the last one they see means after every event: nothing missed.
    const realSeq = customer ? ((await this.publicSeqs(id))[seenSeq - 1] ?? MAX_SEQ) : seenSeq;
    const missed = await this.repo.changesSince(id, seenSeq === 0 ? 0 : realSeq, user.id, !customer);
    if (!missed.length) return;
    const what = missed.map((e) => `${e.type === 'commented' ? 'a reply' : 'a state change'} from ${e.actor_name ?? 'the desk'}`);
    throw conflict(`since you last read this ticket there ${missed.length === 1 ? 'is' : 'are'} ${what.join(', ')}: read ${missed.length === 1 ? 'it' : 'them'}, then send again`, 'ticket-changed');
  }

  /** Comments carry their rendered HTML and their latest text; earlier texts stay as revisions, and every edit stays an event. */
  async timeline(user: AuthUser, id: string) {
    const row = await this.reader.visibleRow(user, id);
    const events = (await this.repo.timeline(id, user.role !== 'customer')).map(presentEvent);
    return presentTimeline(events, user.role === 'customer', (version) => this.defs.labels(row.definition_key, version), row.definition_version);
  }

  /** The real numbers of the events customers see, in order: their n-th event is the n-th of these. */
  private async publicSeqs(id: string): Promise<number[]> {
    return (await this.repo.timeline(id, false)).map((e) => e.seq);
  }

  /** How customers number the public event `seq` (its place among the public events). */
  private async publicNumber(id: string, seq: number): Promise<number> {
    const at = (await this.publicSeqs(id)).indexOf(seq);
    return at < 0 ? seq : at + 1;
  }

  /** `seq` is the comment's number as the caller sees it (for customers, its place among the public events). */
  async editComment(user: AuthUser, id: string, seq: number, body: string): Promise<{ seq: number }> {
    const row = await this.reader.visibleRow(user, id);
    if (!canOnQueue(user, 'reply', row.queue) && !canOnQueue(user, 'note', row.queue)) requireOnQueue(user, 'reply', row.queue);
    const customer = user.role === 'customer';
    const real = customer ? (await this.publicSeqs(id))[seq - 1] : seq;
    if (real === undefined) throw conflict(`there is no comment #${seq} on this ticket`, 'not-a-comment');
    let done: { seq: number };
    try {
      done = await this.temporal.workflow.getHandle(ticketWorkflowId(id)).executeUpdate(editCommentUpdate, { args: [{ seq: real, body, actor: actorOf(user) }] });
    } catch (err) {
      throw toProblem(err) ?? err;
    }
    return customer ? { seq: await this.publicNumber(id, done.seq) } : done;
  }
}
