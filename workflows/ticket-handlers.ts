// The ticket workflow's messages: its queries, the updates that change it (each validated before it is accepted,
// answered once its events are in the read model) and the signals from other tickets.
import { patched, setHandler } from '@temporalio/workflow';
import {
  availableTransitions,
  customerReplyTransition,
  fieldErrors,
  lockedFields,
  pauseClock,
  PRIORITIES,
  refuseTransition,
  resumeClock,
  retargetClock,
  stateOf,
} from '../workflow-definitions/engine';
import {
  absorbUpdate,
  anonymisedSignal,
  assignUpdate,
  childFinishedSignal,
  commentUpdate,
  editCommentUpdate,
  fieldsUpdate,
  linkUpdate,
  macroUpdate,
  MAX_TAGS,
  migrateUpdate,
  priorityUpdate,
  problemResolvedSignal,
  recordedUpdate,
  snapshotQuery,
  tagsUpdate,
  transitionsQuery,
  transitionUpdate,
  unlinkUpdate,
} from './ticket-messages';
import { CUSTOMER_REPLY_RESUMES, isAgent, MIGRATION_RESUMES_CLOCKS, reject, SYSTEM, type TicketRun } from './ticket-run';

export function registerTicketHandlers(run: TicketRun): void {
  const {
    s, t, input, comments, links, openChildren, emit, projection, persisted, applyTransition, setPriority, mergeInto, onChildFinished, onProblemResolved,
    logTime, addComment, changeTags, tagsChange, assignTo, setFields, refuseFinishingParent, refuseTimeFromNonAgent, ctx, now, cal, category, isFinished,
  } = run;

  setHandler(snapshotQuery, projection);
  setHandler(transitionsQuery, (role) => availableTransitions(run.def, ctx(role)));

  setHandler(
    transitionUpdate,
    async (req) => {
      const seq = logTime(req.timeSpent, req.actor, applyTransition(req.transition, req.fields ?? {}, req.actor));
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        refuseTimeFromNonAgent(req.actor, req.timeSpent);
        const refusal = refuseTransition(run.def, { ...ctx(req.actor.role), timeSpent: req.timeSpent }, req.transition, req.fields ?? {});
        if (refusal) reject(refusal);
        refuseFinishingParent(req.transition);
      },
    },
  );

  setHandler(
    commentUpdate,
    async (req) => {
      const seq = addComment(req.body, req.visibility, req.actor);
      if (req.actor.role === 'customer' && req.visibility === 'public') {
        const resume = customerReplyTransition(run.def, ctx('system'));
        if (resume && patched(CUSTOMER_REPLY_RESUMES)) applyTransition(resume, {}, SYSTEM);
      }
      await persisted(logTime(req.timeSpent, req.actor, seq));
      return { seq };
    },
    {
      validator: (req) => {
        refuseTimeFromNonAgent(req.actor, req.timeSpent);
        if (req.actor.role === 'customer' && req.visibility !== 'public') {
          reject({ kind: 'conflict', code: 'internal-note-forbidden', message: 'customers can only write public comments' });
        }
        if (category() === 'closed' && !run.def.transitions.some((x) => x.from.includes(s.state))) {
          reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed' });
        }
      },
    },
  );

  setHandler(
    editCommentUpdate,
    async (req) => {
      const seq = emit('comment_edited', req.actor, { seq: req.seq, body: req.body }, comments[req.seq].visibility);
      await persisted(seq);
      return { seq };
    },
    {
      validator: (req) => {
        const c = comments[req.seq];
        if (!c) reject({ kind: 'conflict', code: 'no-such-comment', message: `event ${req.seq} is not a comment that can be edited` });
        if (c.authorId !== req.actor.id && req.actor.role !== 'admin') reject({ kind: 'conflict', code: 'not-author', message: 'only its author or an admin edits a comment' });
        if (req.actor.role === 'customer' && c.visibility !== 'public') reject({ kind: 'conflict', code: 'no-such-comment', message: `event ${req.seq} is not a comment that can be edited` });
      },
    },
  );

  setHandler(
    assignUpdate,
    async (req) => {
      const seq = assignTo(req.assigneeId, req.actor, { queue: req.queue, group: req.group });
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (!isAgent(req.actor) && req.actor.role !== 'system') reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents assign tickets' });
        if (category() === 'closed') reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed' });
      },
    },
  );

  setHandler(
    priorityUpdate,
    async (req) => {
      const seq = setPriority(req.priority, req.actor);
      if (isAgent(req.actor)) s.lastAgentUpdateAt = now();
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (!isAgent(req.actor)) reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents change the priority' });
        if (!PRIORITIES.includes(req.priority)) reject({ kind: 'invalid', code: 'invalid-priority', message: `unknown priority '${req.priority}'` });
        if (req.priority === s.priority) reject({ kind: 'conflict', code: 'unchanged', message: `the priority is already ${s.priority}` });
        if (isFinished()) reject({ kind: 'conflict', code: 'ticket-finished', message: 'the ticket is resolved or closed' });
      },
    },
  );

  setHandler(
    fieldsUpdate,
    async (req) => {
      const seq = setFields(req.fields, req.actor);
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        const errors = fieldErrors(run.def, req.fields);
        if (errors.length) reject({ kind: 'invalid', code: 'invalid-fields', message: errors.map((e) => e.message).join('; '), errors });
        const locked = lockedFields(run.def, req.actor.role, req.fields);
        if (locked.length) reject({ kind: 'conflict', code: 'field-not-editable', message: `customers cannot change ${locked.join(', ')}` });
        if (category() === 'closed') reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed' });
      },
    },
  );

  setHandler(
    tagsUpdate,
    async (req) => {
      const seq = changeTags(req.add, req.remove, req.actor);
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (!isAgent(req.actor) && req.actor.role !== 'system') reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents tag tickets' });
        const { changes, tooMany } = tagsChange(req.add, req.remove);
        if (tooMany) reject({ kind: 'invalid', code: 'too-many-tags', message: `a ticket holds at most ${MAX_TAGS} tags` });
        if (!changes) reject({ kind: 'conflict', code: 'unchanged', message: 'the ticket already has these tags' });
      },
    },
  );

  setHandler(
    macroUpdate,
    async (req) => {
      let seq = emit('macro_applied', req.actor, { macro: req.macro });
      if (req.fields && Object.keys(req.fields).length) seq = setFields(req.fields, req.actor);
      if (req.priority !== undefined && req.priority !== s.priority) seq = setPriority(req.priority, req.actor);
      if (req.tags && tagsChange(req.tags.add, req.tags.remove).changes) seq = changeTags(req.tags.add, req.tags.remove, req.actor);
      if (req.assign && req.assign.assigneeId !== s.assigneeId) seq = assignTo(req.assign.assigneeId, req.actor);
      if (req.comment) seq = addComment(req.comment.body, req.comment.visibility, req.actor);
      seq = logTime(req.timeSpent, req.actor, seq);
      if (req.transition) seq = applyTransition(req.transition, {}, req.actor);
      s.lastAgentUpdateAt = now();
      await persisted(seq);
      return projection();
    },
    {
      // Every part is checked here, before any is applied: a refused part changes nothing on the ticket.
      validator: (req) => {
        if (!isAgent(req.actor)) reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents apply macros' });
        const closed = category() === 'closed';
        const fields = req.fields ?? {};
        if (Object.keys(fields).length) {
          if (closed) reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed: its fields cannot change' });
          const errors = fieldErrors(run.def, fields);
          if (errors.length) reject({ kind: 'invalid', code: 'invalid-fields', message: errors.map((e) => e.message).join('; '), errors });
        }
        if (req.priority !== undefined && req.priority !== s.priority) {
          if (!PRIORITIES.includes(req.priority)) reject({ kind: 'invalid', code: 'invalid-priority', message: `unknown priority '${req.priority}'` });
          if (isFinished()) reject({ kind: 'conflict', code: 'ticket-finished', message: 'the ticket is resolved or closed: its priority cannot change' });
        }
        const tags = req.tags ? tagsChange(req.tags.add, req.tags.remove) : { changes: false, tooMany: false };
        if (tags.tooMany) reject({ kind: 'invalid', code: 'too-many-tags', message: `a ticket holds at most ${MAX_TAGS} tags` });
        const reassigns = req.assign !== undefined && req.assign.assigneeId !== s.assigneeId;
        if (reassigns && closed) reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed: it cannot be assigned' });
        if (req.comment && closed && !run.def.transitions.some((x) => x.from.includes(s.state))) reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed' });
        if (req.timeSpent !== undefined && !req.comment && !req.transition) reject({ kind: 'invalid', code: 'time-without-work', message: 'time is recorded with a comment or a transition' });
        if (req.transition) {
          const refusal = refuseTransition(run.def, { ...ctx(req.actor.role), fields: { ...s.fields, ...fields }, timeSpent: req.timeSpent }, req.transition, {});
          if (refusal) reject(refusal);
          refuseFinishingParent(req.transition);
        }
        const changes = Object.keys(fields).length > 0 || (req.priority !== undefined && req.priority !== s.priority) || tags.changes || reassigns || req.comment || req.transition;
        if (!changes) reject({ kind: 'conflict', code: 'unchanged', message: 'the macro would change nothing on this ticket' });
      },
    },
  );

  setHandler(
    absorbUpdate,
    async (req) => {
      for (const c of req.comments) {
        const seq = emit('commented', { id: c.authorId, role: c.authorRole }, { body: c.body, mergedFrom: req.from.number, originalAt: c.at }, c.visibility);
        comments[seq] = { authorId: c.authorId, visibility: c.visibility };
      }
      const seq = emit('merged_in', req.actor, { from: req.from, comments: req.comments.length });
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (!isAgent(req.actor)) reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents merge tickets' });
        if (!links.some((l) => l.kind === 'duplicated_by' && l.ticketId === req.from.ticketId)) {
          reject({ kind: 'conflict', code: 'not-a-duplicate', message: `${req.from.number} is not merged into this ticket` });
        }
      },
    },
  );

  setHandler(anonymisedSignal, ({ title }) => {
    s.title = title;
    s.description = '';
    s.anonymised = true;
  });
  setHandler(problemResolvedSignal, onProblemResolved);
  setHandler(childFinishedSignal, onChildFinished);

  setHandler(
    linkUpdate,
    async (req) => {
      links.push(req.link);
      if (req.link.kind === 'child') openChildren.push(req.link.ticketId);
      let seq = emit('linked', req.actor, { ...req.link });
      if (req.link.kind === 'duplicate_of') seq = mergeInto(req.link.number, req.actor);
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (!isAgent(req.actor) && req.actor.role !== 'system') reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents link tickets' });
        if (req.link.ticketId === t.id) reject({ kind: 'conflict', code: 'self-link', message: 'a ticket cannot be linked to itself' });
        if (links.some((l) => l.ticketId === req.link.ticketId && l.kind === req.link.kind)) reject({ kind: 'conflict', code: 'already-linked', message: `already linked to ${req.link.number}` });
        if (req.link.kind === 'problem' && links.some((l) => l.kind === 'problem')) reject({ kind: 'conflict', code: 'one-problem', message: 'an incident links to one problem at most' });
        if (req.link.kind === 'parent' && links.some((l) => l.kind === 'parent')) reject({ kind: 'conflict', code: 'one-parent', message: 'a ticket has one parent at most' });
        if (req.link.kind === 'parent' && isFinished()) reject({ kind: 'conflict', code: 'ticket-finished', message: 'a resolved ticket cannot become a child' });
        if (req.link.kind === 'duplicate_of' && links.some((l) => l.kind === 'duplicate_of')) reject({ kind: 'conflict', code: 'already-merged', message: 'the ticket is already merged' });
        if (req.link.kind === 'duplicate_of' && !run.def.states.some((x) => x.category === 'closed')) reject({ kind: 'conflict', code: 'no-closed-state', message: `${run.def.key} has no closed state to merge into` });
        if (category() === 'closed') reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed' });
      },
    },
  );

  setHandler(
    unlinkUpdate,
    async (req) => {
      const i = links.findIndex((l) => l.ticketId === req.link.ticketId && l.kind === req.link.kind);
      links.splice(i, 1);
      const c = openChildren.indexOf(req.link.ticketId);
      if (req.link.kind === 'child' && c >= 0) openChildren.splice(c, 1);
      const seq = emit('unlinked', req.actor, { ...req.link });
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (!isAgent(req.actor) && req.actor.role !== 'system') reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents unlink tickets' });
        if (!links.some((l) => l.ticketId === req.link.ticketId && l.kind === req.link.kind)) reject({ kind: 'conflict', code: 'not-linked', message: `not linked to ${req.link.number}` });
      },
    },
  );

  setHandler(
    migrateUpdate,
    async (req) => {
      const from = { version: run.defVersion, state: s.state };
      const to = req.stateMapping[s.state] ?? s.state;
      run.migrate(req.definition, req.version);
      input.definition = run.def;
      input.definitionVersion = run.defVersion;
      s.state = to;
      const at = now();
      s.clocks = s.clocks.map((c) => retargetClock(c, run.def, s.priority, at, cal(c.calendar)));
      // The clocks follow the new version's rule for the state the ticket lands in, whichever way it went.
      const target = stateOf(run.def, to);
      const waiting = s.clocks.some((c) => c.runningSince === null && c.stoppedAt === null);
      if (target?.slaPaused) s.clocks = s.clocks.map((c) => pauseClock(c, at, cal(c.calendar)));
      else if (waiting && target?.category !== 'resolved' && target?.category !== 'closed' && patched(MIGRATION_RESUMES_CLOCKS)) {
        s.clocks = s.clocks.map((c) => resumeClock(c, at));
      }
      const seq = emit('migrated', req.actor, { from, to: { version: run.defVersion, state: to } });
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (req.actor.role !== 'admin') reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only admins migrate tickets' });
        if (req.definition.key !== run.def.key) reject({ kind: 'conflict', code: 'other-definition', message: `the ticket runs ${run.def.key}, not ${req.definition.key}` });
        if (req.version <= run.defVersion) reject({ kind: 'conflict', code: 'not-newer', message: `the ticket already runs version ${run.defVersion}` });
        const to = req.stateMapping[s.state] ?? s.state;
        if (!req.definition.states.some((x: { name: string }) => x.name === to)) {
          reject({ kind: 'invalid', code: 'unmapped-state', message: `state '${s.state}' has no counterpart in version ${req.version}`, errors: [{ pointer: `/stateMapping/${s.state}`, message: 'map this state' }] });
        }
      },
    },
  );

  // The API created tickets with this update until it began answering from the start alone; tickets opened that way
  // replay it, and integrators may still ask for a ticket as recorded.
  setHandler(recordedUpdate, async () => {
    await persisted(1);
    return projection();
  });
}
