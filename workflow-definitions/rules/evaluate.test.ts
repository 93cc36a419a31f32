// The rules' pure parts: which events trigger which rules, conditions judged on the ticket right after the event,
// the chain's depth limit, and the shape errors the schema cannot catch.
import { evaluateRules, holds, ticketAfterEach, type LiveRule, type RuleTicket } from './evaluate';
import { MAX_RULE_DEPTH, type RuleCondition } from './schema';
import { ruleShapeErrors } from './validate';
import type { TicketEvent } from '../ticket-machine/contract';

const ticket: RuleTicket = { priority: 'high', queue: 'network', type: 'incident', state: 'in_progress', organisationId: 'org-1', requesterId: 'req-1', assigneeId: null, assignedGroup: null, tags: ['vpn'], fields: { category: 'network', cost: 120 } };
const rule = (id: string, when: LiveRule['when'], conditions: RuleCondition[] = []): LiveRule => ({ ref: { id, name: id, version: 1 }, when, if: conditions, steps: [{ action: 'add_tags', tags: ['x'] }] });
let seq = 0;
const ev = (type: TicketEvent['type'], data: Record<string, unknown> = {}, role: TicketEvent['actor']['role'] = 'agent'): TicketEvent => ({ seq: ++seq, type, actor: { id: 'a', role }, visibility: 'public', at: '2026-12-07T10:00:00.000Z', data });

describe('evaluateRules', () => {
  it('should fire each rule whose trigger matches the event, in list order, once per event', () => {
    const rules = [rule('created', { event: 'created' }), rule('prio', { event: 'field_changed', field: 'priority' }), rule('any-field', { event: 'field_changed' }), rule('customer', { event: 'commented', by: 'customer' })];
    const events = [ev('created'), ev('priority_changed', { from: 'low', to: 'high' }), ev('commented', { body: 'hi' }, 'customer'), ev('commented', { body: 'note' }, 'system')];
    expect(evaluateRules(rules, events, ticket).map((f) => [f.rule.id, f.trigger])).toEqual([
      ['created', events[0]!.seq],
      ['prio', events[1]!.seq],
      ['any-field', events[1]!.seq],
      ['customer', events[2]!.seq],
    ]);
  });

  it('should judge conditions on the ticket right after the event, not after the whole batch', () => {
    const waiting = rule('waiting', { event: 'commented', by: 'customer' }, [{ subject: 'state', op: 'is', value: 'pending_customer' }]);
    // The customer's reply moved the ticket on in the same batch: the rule still sees it waiting when the reply came.
    const events = [ev('commented', { body: 'here' }, 'customer'), ev('transitioned', { transition: 'customer_replied', from: 'pending_customer', to: 'in_progress' }, 'system')];
    expect(evaluateRules([waiting], events, ticket)).toHaveLength(1);
    const after = ticketAfterEach(ticket, events);
    expect(after.map((t) => t.state)).toEqual(['pending_customer', 'in_progress']);
  });

  it('should stop a chain past the documented depth, once per rule and batch', () => {
    const tagger = rule('tagger', { event: 'field_changed', field: 'tags' });
    const deep = [ev('tags_changed', { added: ['a'], removed: [], byRule: { id: 'r', name: 'r', depth: MAX_RULE_DEPTH } }), ev('tags_changed', { added: ['b'], removed: [], byRule: { id: 'r', name: 'r', depth: MAX_RULE_DEPTH } })];
    expect(evaluateRules([tagger], deep, ticket)).toEqual([expect.objectContaining({ rule: expect.objectContaining({ id: 'tagger' }), depth: MAX_RULE_DEPTH + 1, stopped: true, steps: [] })]);
    const shallow = [ev('tags_changed', { added: ['a'], removed: [], byRule: { id: 'r', name: 'r', depth: 2 } })];
    expect(evaluateRules([tagger], shallow, ticket)).toEqual([expect.objectContaining({ depth: 3, steps: [{ action: 'add_tags', tags: ['x'] }] })]);
  });

  it('should fire an idle rule only on its own timer', () => {
    const idle = rule('idle-1', { event: 'idle', minutes: 60 });
    expect(evaluateRules([idle], [ev('idle_elapsed', { rule: 'idle-2' }, 'system')], ticket)).toHaveLength(0);
    expect(evaluateRules([idle], [ev('idle_elapsed', { rule: 'idle-1' }, 'system')], ticket)).toHaveLength(1);
  });
});

describe('holds', () => {
  const at = Date.parse('2026-12-07T10:00:00.000Z'); // a Monday, 11:00 in Paris
  it.each<[RuleCondition, boolean]>([
    [{ subject: 'priority', op: 'is', value: 'HIGH' }, true],
    [{ subject: 'priority', op: 'in', value: ['low', 'medium'] }, false],
    [{ subject: 'tags', op: 'contains', value: 'vpn' }, true],
    [{ subject: 'tags', op: 'not_contains', value: 'vpn' }, false],
    [{ subject: 'assignee', op: 'is_not_set' }, true],
    [{ subject: 'field', field: 'cost', op: 'greater_than', value: 100 }, true],
    [{ subject: 'field', field: 'category', op: 'is', value: 'hardware' }, false],
    [{ subject: 'field', field: 'missing', op: 'is_set' }, false],
    [{ subject: 'time', op: 'within', days: ['mon', 'tue'], from: '09:00', to: '18:00', timeZone: 'Europe/Paris' }, true],
    [{ subject: 'time', op: 'within', days: ['sat', 'sun'], from: '09:00', to: '18:00', timeZone: 'Europe/Paris' }, false],
    [{ subject: 'time', op: 'outside', days: ['mon'], from: '12:00', to: '18:00', timeZone: 'Europe/Paris' }, true],
  ])('%j → %s', (c, expected) => expect(holds(c, ticket, at)).toBe(expected));
});

describe('ruleShapeErrors', () => {
  const then = [{ action: 'add_tags' as const, tags: ['x'] }];
  it('should name the element at fault', () => {
    expect(ruleShapeErrors({ when: { event: 'created', minutes: 5 }, then })).toEqual([expect.objectContaining({ pointer: '/when/minutes' })]);
    expect(ruleShapeErrors({ when: { event: 'idle' }, then })).toEqual([expect.objectContaining({ pointer: '/when/minutes' })]);
    expect(ruleShapeErrors({ when: { event: 'created' }, if: [{ subject: 'field', op: 'is', value: 1 }], then })).toEqual([expect.objectContaining({ pointer: '/if/0/field' })]);
    expect(ruleShapeErrors({ when: { event: 'created' }, if: [{ subject: 'priority', op: 'in', value: 'high' }], then })).toEqual([expect.objectContaining({ pointer: '/if/0/value' })]);
    expect(ruleShapeErrors({ when: { event: 'created' }, if: [{ subject: 'time', op: 'within', timeZone: 'Nowhere/City' }], then })).toEqual([expect.objectContaining({ pointer: '/if/0/timeZone' })]);
    expect(ruleShapeErrors({ when: { event: 'created' }, if: [{ subject: 'queue', op: 'is_set', value: 'x' }], then })).toEqual([expect.objectContaining({ pointer: '/if/0/value' })]);
    expect(ruleShapeErrors({ when: { event: 'created' }, if: [{ subject: 'priority', op: 'is', value: 'high' }], then })).toEqual([]);
  });
});
