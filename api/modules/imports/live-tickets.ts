// Open imported tickets become live: their workflow starts from the imported state (a carried state, so it records no
// second creation) once the run that wrote them has committed. The input waits with the ticket's key until Temporal
// has it, so a start that failed (Temporal away) is made again by the next run of the same source or the API's next
// start (startPendingImports).
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ImportKey } from '../../../platform/db/entities/index';
import { TICKET_WORKFLOW, ticketWorkflowId, type TicketWorkflowInput } from '../../../workflows/ticket-messages';
import type { ticketWorkflow } from '../../../workflows/ticket';
import type { Logger } from '../../../platform/logger';
import { ticketSearchAttributes } from '../tickets/opening';

const CONCURRENCY = 8;
const PAGE = 500;

export async function startImportedTickets(em: EntityManager, temporal: Client, taskQueue: string, source: string, log?: Logger): Promise<{ started: number; failed: number }> {
  let started = 0;
  let failed = 0;
  let after = '';
  for (;;) {
    const page = await em
      .fork()
      .find(ImportKey, { source, kind: 'ticket', startInput: { $ne: null }, externalId: { $gt: after } }, { fields: ['externalId', 'localId', 'startInput'], orderBy: { externalId: 'asc' }, limit: PAGE });
    if (!page.length) break;
    after = page[page.length - 1].externalId;
    const queue = [...page];
    const done: string[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const input = next.startInput as TicketWorkflowInput;
          try {
            await temporal.workflow.start<typeof ticketWorkflow>(TICKET_WORKFLOW, {
              workflowId: ticketWorkflowId(input.ticket.id),
              taskQueue,
              args: [input],
              workflowIdConflictPolicy: 'FAIL',
              workflowIdReusePolicy: 'REJECT_DUPLICATE',
              typedSearchAttributes: ticketSearchAttributes(input.ticket.type, { key: input.definition.key, version: input.definitionVersion }, input.ticket.number),
            });
            started += 1;
            done.push(next.localId);
          } catch (err) {
            // Started by an earlier attempt whose answer was lost: it runs, which is all that was wanted.
            if (err instanceof WorkflowExecutionAlreadyStartedError) done.push(next.localId);
            else {
              failed += 1;
              log?.warn({ err, ticketId: input.ticket.id }, 'imported open ticket: its workflow could not be started; the next run of this import starts it');
            }
          }
        }
      }),
    );
    if (done.length) {
      await em.fork().nativeUpdate(ImportKey, { source, kind: 'ticket', localId: { $in: done } }, { startInput: null });
    }
  }
  return { started, failed };
}

/** At the API's start: the open tickets of every import whose workflows are still to start (Temporal was away then). */
export async function startPendingImports(em: EntityManager, temporal: Client, taskQueue: string, log?: Logger): Promise<number> {
  const sources = await em.fork().createQueryBuilder(ImportKey).select('source', true).where({ startInput: { $ne: null } }).execute<{ source: string }[]>();
  let started = 0;
  for (const { source } of sources) started += (await startImportedTickets(em, temporal, taskQueue, source, log)).started;
  return started;
}
