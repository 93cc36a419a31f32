// Properties of the ticket machine alone (no Temporal): on any valid definition, any sequence of commands and waits
// never throws, never leaves the definition's states, never runs a clock where the definition pauses or stops them,
// numbers its events without gaps, changes nothing when it refuses, and `step` (the function) agrees with the driven machine.
import fc from 'fast-check';
import { stateOf } from '../lifecycle';
import { validateDefinition } from '../validate';
import type { TicketEvent } from './contract';
import { openingState } from './core';
import { step, ticketMachine, type TicketMachine } from './machine';
import { anyDefinition, happenings, type Happening } from './definitions.arbitrary';
import type { WorkflowDefinition } from '../schema';
import { DEFAULT_DEFINITIONS } from '../defaults/index';

const CREATED = Date.parse('2026-11-27T16:00:00.000Z');
const TICKET = { id: 'ticket-1', number: 'GEN-1' };
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

function open(def: WorkflowDefinition, priority: 'low' | 'medium' | 'high' | 'critical') {
  const clock = { now: CREATED };
  const events: TicketEvent[] = [];
  const machine = ticketMachine(
    { definition: def, version: 1, ticket: TICKET, state: openingState(def, { priority, queue: null, fields: {}, title: 't', description: '' }, CREATED) },
    { now: () => clock.now, patched: () => true, record: (e) => events.push(e), signal: () => undefined },
  );
  machine.created({ id: 'user-customer', role: 'customer' }, { title: 't', type: def.types[0]!, priority });
  return { machine, events, clock };
}

/** Lets time pass as the workflow's main loop does: wake at each due timer, fire what is due, stop once the ticket is final. */
function wait(machine: TicketMachine, clock: { now: number }, until: number): boolean {
  for (let i = 0; i < 10_000; i++) {
    const end = machine.finalAfter();
    if (end !== null && end <= clock.now) return false;
    const timers = machine.dueTimers().sort((a, b) => a.at - b.at);
    const next = timers[0];
    if (!next || next.at > until) {
      clock.now = Math.max(clock.now, until);
      return true;
    }
    clock.now = Math.max(clock.now, next.at);
    for (const d of timers.filter((x) => x.at <= clock.now)) machine.fire(d);
  }
  throw new Error('timers fire without end');
}

function checkInvariants(machine: TicketMachine, events: TicketEvent[]): void {
  const s = machine.state;
  const here = stateOf(machine.def, s.state);
  expect(here).toBeDefined();
  if (here!.slaPaused || here!.category === 'resolved' || here!.category === 'closed') {
    expect(s.clocks.filter((c) => c.runningSince !== null)).toEqual([]);
  }
  if (here!.category === 'resolved' || here!.category === 'closed') expect(s.clocks.every((c) => c.stoppedAt !== null)).toBe(true);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(s.seq).toBe(events.length);
  expect(new Set(s.tags).size).toBe(s.tags.length);
}

function play(def: WorkflowDefinition, priority: 'low' | 'medium' | 'high' | 'critical', script: Happening[]): void {
  const { machine, events, clock } = open(def, priority);
  for (const h of script) {
    if (h.kind === 'wait') {
      if (!wait(machine, clock, clock.now + h.minutes * 60_000)) return;
    } else {
      const before = structuredClone(machine.carried());
      const pure = step({ definition: machine.def, version: machine.version, ticket: TICKET, state: before, now: clock.now }, h.command);
      const refusal = machine.refuse(h.command);
      expect(pure.refused).toEqual(refusal);
      if (refusal) {
        expect(machine.carried()).toEqual(before);
      } else {
        const recorded = events.length;
        machine.apply(h.command);
        expect(pure.refused === null && pure.state).toEqual(machine.carried());
        expect(pure.refused === null && pure.events).toEqual(events.slice(recorded));
      }
    }
    checkInvariants(machine, events);
  }
}

const priority = fc.constantFrom('low' as const, 'medium' as const, 'high' as const, 'critical' as const);

it('should only generate definitions the validator accepts', () => {
  fc.assert(
    fc.property(anyDefinition, (def) => {
      expect(validateDefinition(def).errors).toEqual([]);
    }),
    { numRuns: RUNS },
  );
});

it('should keep every invariant through random commands and waits on any valid definition', () => {
  fc.assert(
    fc.property(anyDefinition.chain((def) => fc.tuple(fc.constant(def), priority, happenings(def))), ([def, p, script]) => play(def, p, script)),
    { numRuns: RUNS },
  );
});

it('should give the same answer from step as from the driven machine, and leave the given state untouched', () => {
  fc.assert(
    fc.property(anyDefinition.chain((def) => fc.tuple(fc.constant(def), happenings(def, 1))), ([def, [h]]) => {
      if (h!.kind !== 'command') return;
      const state = openingState(def, { priority: 'high', queue: null, fields: {}, title: 't', description: '' }, CREATED);
      const copy = structuredClone(state);
      step({ definition: def, version: 1, ticket: TICKET, state, now: CREATED + 60_000 }, h!.command);
      expect(state).toEqual(copy);
    }),
    { numRuns: RUNS },
  );
});

describe('a work order and its checklist', () => {
  const maintenance = DEFAULT_DEFINITIONS.find((d) => d.key === 'maintenance')!;
  const agent = { id: 'user-agent', role: 'agent' as const };
  const at = (state: ReturnType<typeof openingState>, now = CREATED) => ({ definition: maintenance, version: 1, ticket: TICKET, state, now });
  const opened = openingState(maintenance, { priority: 'medium', queue: null, fields: {}, title: 'PM', description: '', checklist: [{ id: 'filters', label: 'Filters' }] }, CREATED);

  function started() {
    const r = step(at(opened), { kind: 'transition', transition: 'start', actor: agent });
    if (r.refused) throw new Error(r.refused.message);
    return r.state;
  }

  it('should refuse completion while a mandatory item is open, by the item, from a person or a macro alike', () => {
    const state = started();
    const complete = step(at(state), { kind: 'transition', transition: 'complete', fields: { completion_note: 'done' }, actor: agent });
    expect(complete.refused).toMatchObject({ kind: 'invalid', code: 'checklist-incomplete', errors: [{ pointer: '/checklist/filters', message: 'Filters is mandatory' }] });
    const macro = step(at(state), { kind: 'macro', macro: { id: 'm', name: 'Finish' }, fields: { completion_note: 'done' }, transition: 'complete', actor: agent });
    expect(macro.refused).toMatchObject({ code: 'checklist-incomplete' });
  });

  it('should let it be cancelled whatever its checklist, and completed once the items are done', () => {
    expect(step(at(opened), { kind: 'transition', transition: 'cancel', actor: { id: 'admin', role: 'admin' } }).refused).toBeNull();
    const state = started();
    const ticked = step(at(state), { kind: 'checklist', open: [], actor: agent });
    if (ticked.refused) throw new Error(ticked.refused.message);
    expect(ticked.events).toEqual([]);
    expect(step(at(ticked.state), { kind: 'transition', transition: 'complete', fields: { completion_note: 'done' }, actor: agent }).refused).toBeNull();
  });

  it('should refuse a checklist change from a customer or on a finished work order', () => {
    expect(step(at(started()), { kind: 'checklist', open: [], actor: { id: 'c', role: 'customer' } }).refused).toMatchObject({ code: 'role-not-allowed' });
    const done = step(at(opened), { kind: 'transition', transition: 'cancel', actor: { id: 'admin', role: 'admin' } });
    if (done.refused) throw new Error(done.refused.message);
    expect(step(at(done.state), { kind: 'checklist', open: [], actor: agent }).refused).toMatchObject({ code: 'ticket-finished' });
  });
});

describe('an assignment the desk chose itself', () => {
  const incident = DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')!;
  const SYSTEM_ACTOR = { id: null, role: 'system' as const };
  const at = (state: ReturnType<typeof openingState>) => ({ definition: incident, version: 1, ticket: TICKET, state, now: CREATED });
  const inQueue = openingState(incident, { priority: 'medium', queue: 'desk', fields: {}, title: 't', description: '' }, CREATED);
  const auto = { policy: 'round_robin' as const, queue: 'desk', openTickets: 3 };

  it('should record why, and stand only on the unheld ticket of the queue it was made for', () => {
    const r = step(at(inQueue), { kind: 'assign', assigneeId: 'ann', actor: SYSTEM_ACTOR, auto });
    if (r.refused) throw new Error(r.refused.message);
    expect(r.events.at(-1)).toMatchObject({ type: 'assigned', actor: SYSTEM_ACTOR, data: { to: { assigneeId: 'ann', queue: 'desk' }, auto } });
    // Taken by someone meanwhile, or moved to another queue: the desk's choice is refused.
    expect(step(at(r.state), { kind: 'assign', assigneeId: 'cid', actor: SYSTEM_ACTOR, auto }).refused?.code).toBe('assignment-changed');
    expect(step(at({ ...inQueue, queue: 'other' }), { kind: 'assign', assigneeId: 'cid', actor: SYSTEM_ACTOR, auto }).refused?.code).toBe('assignment-changed');
    // Handing on from an agent who went away expects that agent to hold it still.
    expect(step(at(r.state), { kind: 'assign', assigneeId: 'cid', actor: SYSTEM_ACTOR, auto: { ...auto, awayFrom: 'ann' } }).refused).toBeNull();
    // A person's assignment carries no reason and needs none.
    const manual = step(at(inQueue), { kind: 'assign', assigneeId: 'bob', actor: { id: 'bob', role: 'agent' } });
    if (manual.refused) throw new Error(manual.refused.message);
    expect(manual.events.at(-1)?.data).not.toHaveProperty('auto');
  });
});
