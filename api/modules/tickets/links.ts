// Links between tickets, written on both tickets' workflows: problem and incidents, parent and children, related, and
// merging a duplicate into its original (which brings its conversation, files and followers over).
import type { Client } from '@temporalio/client';
import { absorbUpdate, linkUpdate, ticketWorkflowId, unlinkUpdate, type Actor, type TicketLink } from '../../../workflows/ticket-messages';
import { iso } from '../../../platform/db/time';
import { conflict, forbidden, unprocessable } from '../../http/problem';
import { toProblem } from '../../temporal-errors';
import type { AuthUser } from '../auth/types';
import { requireOnQueue } from '../iam/permissions';
import { presentProjection, type TicketView } from './present';
import type { TicketReader } from './reader';
import type { TicketRepository, TicketRow } from './repository';
import { actorOf } from './workflow-calls';

/** problem: a problem and an incident; child: ticketId becomes a child of this ticket; related: both ways; duplicate: this ticket merges into ticketId. */
export type LinkRelation = 'problem' | 'child' | 'related' | 'duplicate';

export class TicketLinks {
  constructor(
    private readonly repo: TicketRepository,
    private readonly temporal: Client,
    private readonly reader: TicketReader,
  ) {}

  /**
   * Links two tickets both ways: a problem and an incident (the problem tells its incidents when it is resolved),
   * or a parent and a child (the parent cannot finish before its children).
   */
  async link(user: AuthUser, id: string, otherId: string, relation: LinkRelation, unlink = false): Promise<TicketView> {
    if (user.role === 'customer') throw forbidden('only agents link tickets');
    const [a, b] = await Promise.all([this.reader.visibleRow(user, id), this.reader.visibleRow(user, otherId)]);
    requireOnQueue(user, 'edit', a.queue);
    requireOnQueue(user, 'edit', b.queue);
    let first: { row: typeof a; link: TicketLink };
    let second: { row: typeof a; link: TicketLink };
    if (a.id === b.id) throw unprocessable('a ticket cannot be linked to itself', [{ pointer: '/ticketId', message: 'same ticket' }], 'invalid-link');
    if (relation === 'related') {
      first = { row: a, link: { kind: 'related', ticketId: b.id, number: b.number } };
      second = { row: b, link: { kind: 'related', ticketId: a.id, number: a.number } };
    } else if (relation === 'duplicate') {
      // The original records the duplicate first; the duplicate then merges (closes) itself into it.
      if (unlink) throw conflict('a merge cannot be undone; reopen the duplicate instead', 'merge-final');
      // One level only: a ticket merged elsewhere is closed, and a chain could lead back to the duplicate.
      const onward = b.links.find((l) => l.kind === 'duplicate_of');
      if (onward) throw conflict(`${b.number} is itself merged into ${onward.number}: merge into ${onward.number} instead`, 'merge-chain');
      const absorbed = a.links.find((l) => l.kind === 'duplicated_by' && l.ticketId === b.id);
      if (absorbed) throw conflict(`${b.number} was merged into ${a.number}: the merge cannot go back`, 'merge-chain');
      first = { row: b, link: { kind: 'duplicated_by', ticketId: a.id, number: a.number } };
      second = { row: a, link: { kind: 'duplicate_of', ticketId: b.id, number: b.number } };
    } else if (relation === 'child') {
      if (!unlink && (b.state_category === 'resolved' || b.state_category === 'closed')) throw conflict(`${b.number} is already ${b.state}`, 'ticket-finished');
      first = { row: a, link: { kind: 'child', ticketId: b.id, number: b.number } };
      second = { row: b, link: { kind: 'parent', ticketId: a.id, number: a.number } };
    } else {
      const problem = a.type === 'problem' ? a : b.type === 'problem' ? b : null;
      const incident = a.type === 'incident' ? a : b.type === 'incident' ? b : null;
      if (!problem || !incident) {
        throw unprocessable('problem links join a problem and an incident', [{ pointer: '/ticketId', message: `cannot link a ${a.type} to a ${b.type}` }], 'invalid-link');
      }
      first = { row: problem, link: { kind: 'incident', ticketId: incident.id, number: incident.number } };
      second = { row: incident, link: { kind: 'problem', ticketId: problem.id, number: problem.number } };
    }
    const update = unlink ? unlinkUpdate : linkUpdate;
    const actor = actorOf(user);
    const handle = (row: typeof a) => this.temporal.workflow.getHandle(ticketWorkflowId(row.id));
    try {
      const one = await handle(first.row).executeUpdate(update, { args: [{ link: first.link, actor }] });
      try {
        const two = await handle(second.row).executeUpdate(update, { args: [{ link: second.link, actor }] });
        if (relation === 'duplicate' && !unlink) await this.absorb(user, a, b);
        return this.reader.labelled(user, presentProjection(first.row.id === a.id ? one : two));
      } catch (err) {
        // Keep both sides consistent: undo the first half when the second ticket refuses.
        await handle(first.row)
          .executeUpdate(unlink ? linkUpdate : unlinkUpdate, { args: [{ link: first.link, actor }] })
          .catch(() => undefined);
        throw err;
      }
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  /** Copies the duplicate's conversation into the survivor (once, however often retried) and moves its files and followers. */
  private async absorb(user: AuthUser, duplicate: TicketRow, survivor: TicketRow): Promise<void> {
    const events = await this.repo.timeline(duplicate.id, true);
    const latest = new Map<number, string>();
    for (const e of events) if (e.type === 'comment_edited') latest.set(Number(e.data.seq), String(e.data.body));
    // A Temporal payload has a size limit: the first comments up to about 1.5 MB come over; the rest stay readable on the duplicate.
    let size = 0;
    const comments = events
      .filter((e) => e.type === 'commented' && e.actor_role !== 'system')
      .map((e) => ({ authorId: e.actor_id, authorRole: e.actor_role as Actor['role'], visibility: e.visibility as 'public' | 'internal', body: latest.get(e.seq) ?? String(e.data.body), at: iso(e.at) }))
      .filter((c) => (size += c.body.length) <= 1_500_000);
    try {
      await this.temporal.workflow.getHandle(ticketWorkflowId(survivor.id)).executeUpdate(absorbUpdate, {
        args: [{ from: { ticketId: duplicate.id, number: duplicate.number }, comments, actor: actorOf(user) }],
        updateId: `absorb-${duplicate.id}`,
      });
    } catch (err) {
      throw toProblem(err) ?? err;
    }
    await this.repo.moveMerged(duplicate.id, survivor.id);
  }
}
