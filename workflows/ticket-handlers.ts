// The ticket workflow's messages: its queries, the updates that change it (each checked by the machine before it is
// accepted, answered once its events are in the read model) and the signals from other tickets.
import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { TicketCommand, TicketMachine, TransitionRefusal } from '../workflow-definitions/engine';
import {
  absorbUpdate,
  anonymisedSignal,
  assignUpdate,
  checklistUpdate,
  childFinishedSignal,
  commentUpdate,
  decideApprovalUpdate,
  editCommentUpdate,
  fieldsUpdate,
  linkUpdate,
  macroUpdate,
  migrateUpdate,
  priorityUpdate,
  problemResolvedSignal,
  recordedUpdate,
  REJECTION_TYPES,
  snapshotQuery,
  tagsUpdate,
  transitionsQuery,
  transitionUpdate,
  unlinkUpdate,
  type TicketProjection,
} from './ticket-messages';

/** A refusal travels to the API as a non-retryable failure whose type it maps to problem+json (409 or 422). */
function reject(r: TransitionRefusal): never {
  throw ApplicationFailure.create({
    type: REJECTION_TYPES[r.kind],
    message: r.message,
    details: [{ code: r.code, errors: r.errors ?? [] }],
    nonRetryable: true,
  });
}

type Commanded<K extends TicketCommand['kind']> = Omit<Extract<TicketCommand, { kind: K }>, 'kind'>;

export function registerTicketHandlers(machine: TicketMachine, io: { projection(): TicketProjection; persisted(seq: number): Promise<void> }): void {
  const { projection, persisted } = io;

  /** One update: the machine refuses it in the validator (so a refused update leaves no trace) or runs it. */
  function accept<K extends TicketCommand['kind'], R>(update: UpdateDefinition<R, [Commanded<K>]>, kind: K, answer: (seq: number) => R): void {
    // The request is the command without its kind; TypeScript cannot see that adding `kind` gives the union member K.
    const command = (req: Commanded<K>) => ({ ...req, kind }) as unknown as TicketCommand;
    setHandler(
      update,
      async (req) => {
        const seq = machine.apply(command(req));
        await persisted(machine.state.seq);
        return answer(seq);
      },
      {
        validator: (req) => {
          const refusal = machine.refuse(command(req));
          if (refusal) reject(refusal);
        },
      },
    );
  }

  setHandler(snapshotQuery, projection);
  setHandler(transitionsQuery, (role) => machine.available(role));

  accept(transitionUpdate, 'transition', projection);
  accept(commentUpdate, 'comment', (seq) => ({ seq }));
  accept(editCommentUpdate, 'editComment', (seq) => ({ seq }));
  accept(assignUpdate, 'assign', projection);
  accept(priorityUpdate, 'priority', projection);
  accept(fieldsUpdate, 'fields', projection);
  accept(tagsUpdate, 'tags', projection);
  accept(macroUpdate, 'macro', projection);
  accept(absorbUpdate, 'absorb', projection);
  // Registered in the order of earlier versions: messages buffered before registration are handed over in it.
  setHandler(anonymisedSignal, ({ title }) => void machine.apply({ kind: 'anonymise', title }));
  setHandler(problemResolvedSignal, (problem) => void machine.apply({ kind: 'problemResolved', problem }));
  setHandler(childFinishedSignal, (child) => void machine.apply({ kind: 'childFinished', child }));
  accept(linkUpdate, 'link', projection);
  accept(unlinkUpdate, 'unlink', projection);
  accept(migrateUpdate, 'migrate', projection);
  accept(checklistUpdate, 'checklist', projection);
  accept(decideApprovalUpdate, 'decideApproval', projection);

  // The API created tickets with this update until it began answering from the start alone; tickets opened that way
  // replay it, and integrators may still ask for a ticket as recorded.
  setHandler(recordedUpdate, async () => {
    await persisted(1);
    return projection();
  });
}
