// fast-check generators of valid workflow definitions and of commands on them, for the machine's property tests.
// Definitions are valid by construction (a chain of transitions reaches every state, closed states leave only
// within a window); the tests still pass each through validateDefinition, so a generator slip cannot go unseen.
import fc from 'fast-check';
import { DEFAULT_DEFINITIONS } from '../defaults/index';
import { PRIORITIES, type Role, type WorkflowDefinition } from '../schema';
import type { TicketCommand } from './commands';
import type { Actor } from './contract';

const ROLES: readonly Role[] = ['admin', 'agent', 'customer', 'system'];
const CATEGORIES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
const ESCALATION_ON = ['firstResponse.warning', 'firstResponse.breach', 'resolution.warning', 'resolution.breach', 'unassigned', 'noAgentUpdate'] as const;
const label = (text: string) => ({ en: text, fr: text });
const BUSINESS = { timeZone: 'Europe/Paris', weekly: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']], thu: [['09:00', '18:00']], fri: [['09:00', '18:00']] } };

const subsetOf = <T>(items: readonly T[]) => fc.subarray([...items], { minLength: 1 });
const minutes = fc.integer({ min: 1, max: 3 * 24 * 60 });

const field = (i: number) =>
  fc.record({
    name: fc.constant(`f${i}`),
    label: fc.constant(label(`Field ${i}`)),
    schema: fc.constantFrom({ type: 'string' }, { type: 'integer' }, { type: 'boolean' }, { type: 'string', enum: ['a', 'b'] }),
    customerEditable: fc.boolean(),
  });

/** A definition built from random parts, valid by construction. */
export const generatedDefinition: fc.Arbitrary<WorkflowDefinition> = fc
  .record({ stateCount: fc.integer({ min: 2, max: 6 }), fieldCount: fc.integer({ min: 0, max: 3 }) })
  .chain(({ stateCount, fieldCount }) => {
    const names = Array.from({ length: stateCount }, (_, i) => `s${i}`);
    const fields = Array.from({ length: fieldCount }, (_, i) => `f${i}`);
    const state = (i: number) =>
      fc.record({
        name: fc.constant(names[i]!),
        // The initial state is never closed: a ticket must be able to start somewhere it can leave.
        category: i === 0 ? fc.constantFrom('new' as const, 'open' as const) : fc.constantFrom(...CATEGORIES),
        label: fc.constant(label(names[i]!)),
        slaPaused: fc.boolean(),
      });
    const transition = (i: number) =>
      fc.record(
        {
          from: subsetOf(names),
          to: fc.constantFrom(...names),
          roles: subsetOf(ROLES),
          withinMinutes: minutes,
          requiredFields: fields.length ? fc.subarray(fields, { maxLength: 1 }) : fc.constant([]),
          requiresTimeSpent: fc.boolean(),
        },
        { requiredKeys: ['from', 'to', 'roles'] },
      ).map((t) => ({ name: `t${i}`, label: label(`t${i}`), ...t }));
    const action = fc.oneof(
      fc.constant({ type: 'notify' as const, role: 'agent' as const }),
      fc.constant({ type: 'raisePriority' as const }),
      fc.constant({ type: 'reassign' as const, queue: 'second_line' }),
      fc.constant({ type: 'addNote' as const, text: label('note') }),
      fc.constant({ type: 'emit' as const, event: 'custom.escalated' }),
    );
    return fc.record({
      states: fc.tuple(...names.map((_, i) => state(i))),
      fields: fc.tuple(...fields.map((_, i) => field(i))),
      extra: fc.array(fc.nat(), { maxLength: 8 }).chain((xs) => fc.tuple(...xs.map((_, i) => transition(i)))),
      chainRoles: fc.array(subsetOf(ROLES), { minLength: stateCount, maxLength: stateCount }),
      policies: fc.dictionary(
        fc.constantFrom(...PRIORITIES),
        fc.record({ calendar: fc.constantFrom('24x7', 'business'), firstResponseMinutes: minutes, resolutionMinutes: minutes, warnAtPercent: fc.integer({ min: 1, max: 99 }) }, { requiredKeys: ['calendar', 'resolutionMinutes'] }),
      ),
      escalations: fc.array(fc.record({ on: fc.constantFrom(...ESCALATION_ON), afterMinutes: minutes, actions: fc.array(action, { minLength: 1, maxLength: 3 }) }), { maxLength: 3 }),
      automations: fc.array(fc.record({ inState: fc.constantFrom(...names), afterMinutes: minutes, calendar: fc.constantFrom('24x7', 'business'), transition: fc.option(fc.nat(), { nil: undefined }), remind: fc.boolean() }), { maxLength: 2 }),
      followers: fc.record({ children: fc.option(fc.nat(), { nil: undefined }), problem: fc.option(fc.nat(), { nil: undefined }) }),
      customerReplied: fc.option(fc.tuple(subsetOf(names), fc.constantFrom(...names)), { nil: undefined }),
    }).map((p) => {
      const states = p.states.map((s, i) => ({ ...s, ...(i === 0 ? { initial: true } : {}) }));
      const closed = new Set(states.filter((s) => s.category === 'closed').map((s) => s.name));
      /** Leaving a closed state is a reopening: it needs a window. */
      const windowed = <T extends { from: string[]; withinMinutes?: number }>(t: T): T => (t.from.some((f) => closed.has(f)) ? { ...t, withinMinutes: t.withinMinutes ?? 60 } : t);
      const chain = names.slice(1).map((to, i) => windowed({ name: `go_${to}`, label: label(`to ${to}`), from: [names[i]!], to, roles: p.chainRoles[i]! }));
      const extra = p.extra.map(windowed);
      const replied = p.customerReplied ? [windowed({ name: 'customer_replied', label: label('replied'), from: p.customerReplied[0], to: p.customerReplied[1], roles: ['customer', 'system'] as Role[] })] : [];
      const transitions = [...chain, ...extra, ...replied].map((t) => JSON.parse(JSON.stringify(t)) as typeof t);
      const bySystem = transitions.filter((t) => t.roles.includes('system'));
      return {
        key: 'generated',
        name: label('Generated'),
        types: ['incident', 'problem'],
        numberPrefix: 'GEN',
        fields: p.fields,
        states,
        transitions,
        calendars: { business: BUSINESS },
        sla: { policies: p.policies },
        escalations: p.escalations.map((e, i) => ({ name: `e${i}`, ...e })),
        automations: p.automations.map((a, i) => {
          // The desk takes an automation's transition as 'system', from the state the automation watches.
          const usable = bySystem.filter((t) => t.from.includes(a.inState));
          const transition = a.transition !== undefined && usable.length ? usable[a.transition % usable.length]!.name : undefined;
          return {
            name: `a${i}`,
            inState: a.inState,
            afterMinutes: a.afterMinutes,
            calendar: a.calendar,
            ...(transition ? { transition } : {}),
            ...(a.remind || !transition ? { remind: label('reminder') } : {}),
          };
        }),
        ...(p.followers.children !== undefined && bySystem.length ? { onChildrenDone: { transition: bySystem[p.followers.children % bySystem.length]!.name } } : {}),
        ...(p.followers.problem !== undefined
          ? {
              onProblemResolved: {
                comment: label('Solved by {number}: {solution}'),
                solutionFrom: ['fix'],
                ...(bySystem.length ? { transition: bySystem[p.followers.problem % bySystem.length]!.name } : {}),
                ...(fields.length ? { setField: fields[p.followers.problem % fields.length] } : {}),
              },
            }
          : {}),
      } as unknown as WorkflowDefinition;
    });
  });

/** The definitions the desk ships and random ones. */
export const anyDefinition: fc.Arbitrary<WorkflowDefinition> = fc.oneof(fc.constantFrom(...DEFAULT_DEFINITIONS), generatedDefinition);

const fieldValue = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -5, max: 5 }), fc.boolean(), fc.constantFrom('a', 'b'));

/** One thing that can happen to a ticket: a command from someone, or time passing. */
export type Happening = { kind: 'wait'; minutes: number } | { kind: 'command'; command: TicketCommand };

export function happenings(def: WorkflowDefinition, maxLength = 25): fc.Arbitrary<Happening[]> {
  const actor = fc.constantFrom(...ROLES).map((role): Actor => ({ id: role === 'system' ? null : `user-${role}`, role }));
  const transitions = [...def.transitions.map((t) => t.name), 'no_such_transition'];
  const fields = [...(def.fields ?? []).map((f) => f.name), 'bogus'];
  const someFields = fc.dictionary(fc.constantFrom(...fields), fieldValue, { maxKeys: 2 });
  const tags = fc.array(fc.constantFrom('vpn', 'printer', 'urgent'), { maxLength: 2 });
  const link = fc.record({ kind: fc.constantFrom('child' as const, 'incident' as const, 'related' as const, 'parent' as const), ticketId: fc.constantFrom('other-1', 'other-2'), number: fc.constant('X-1') });
  const command: fc.Arbitrary<TicketCommand> = fc.oneof(
    fc.record({ kind: fc.constant('transition' as const), transition: fc.constantFrom(...transitions), fields: someFields, actor, timeSpent: fc.option(fc.integer({ min: 1, max: 90 }), { nil: undefined }) }),
    fc.record({ kind: fc.constant('comment' as const), body: fc.constant('hello'), visibility: fc.constantFrom('public' as const, 'internal' as const), actor }),
    fc.record({ kind: fc.constant('assign' as const), assigneeId: fc.constantFrom('agent-1', null), actor }),
    fc.record({ kind: fc.constant('priority' as const), priority: fc.constantFrom(...PRIORITIES), actor }),
    fc.record({ kind: fc.constant('fields' as const), fields: someFields, actor }),
    fc.record({ kind: fc.constant('tags' as const), add: tags, remove: tags, actor }),
    fc.record({ kind: fc.constant('link' as const), link, actor }),
    fc.record({ kind: fc.constant('unlink' as const), link, actor }),
    fc.record({ kind: fc.constant('editComment' as const), seq: fc.integer({ min: 1, max: 10 }), body: fc.constant('edited'), actor }),
    fc.record({ kind: fc.constant('checklist' as const), open: fc.subarray([{ id: 'filters', label: 'Filters' }, { id: 'pressure', label: 'Pressure' }]), actor }),
    fc.record({ kind: fc.constant('childFinished' as const), child: fc.record({ childId: fc.constantFrom('other-1', 'other-2'), number: fc.constant('X-1'), state: fc.constant('done') }) }),
    fc.record({ kind: fc.constant('problemResolved' as const), problem: fc.record({ problemId: fc.constant('other-1'), number: fc.constant('PRB-1'), fields: someFields.map((f) => f as Record<string, string | number | boolean>) }) }),
  );
  const happening: fc.Arbitrary<Happening> = fc.oneof(
    { weight: 3, arbitrary: command.map((c) => ({ kind: 'command' as const, command: c })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 * 24 * 60 }).map((m) => ({ kind: 'wait' as const, minutes: m })) },
  );
  return fc.array(happening, { minLength: 1, maxLength });
}
