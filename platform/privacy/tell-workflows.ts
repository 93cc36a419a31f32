// After the read model's text of tickets is anonymised, their running workflows forget their own copy (the anonymised
// signal). A finished workflow has nothing left to write, so "not found" is the expected answer for most closed tickets.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { anonymisedSignal, ticketWorkflowId } from '../../workflows/ticket-messages';
import type { AnonymisedTicket } from './anonymise';

export type TellWorkflows = (tickets: readonly AnonymisedTicket[]) => Promise<void>;

/**
 * Best effort, after the commit: a signal that fails (Temporal away) is logged and skipped, never undoing or failing
 * the anonymisation, whose read model the workflow's later writes cannot bring back (see record-ticket-events).
 */
export function tellWorkflows(client: Client, warn: (message: string, err: unknown) => void = () => {}): TellWorkflows {
  return async (tickets) => {
    for (const t of tickets) {
      try {
        await client.workflow.getHandle(ticketWorkflowId(t.id)).signal(anonymisedSignal, { title: t.title });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) warn(`could not tell ticket ${t.id}'s workflow it was anonymised`, err);
      }
    }
  };
}
