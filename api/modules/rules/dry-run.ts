// The dry run: a rule played over the last days of real ticket events, changing nothing. Each ticket touched in the
// window is walked back from its row through its events (each records what it replaced), so a condition is judged on
// the ticket as it stood right after the event, as the worker would have judged it; an idle rule looks at the quiet
// spells between people's events. It lists the tickets the rule would have fired on and what it would have changed.
import type { InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Ticket } from '../../../platform/db/entities/index';
import { addBusinessMinutes } from '../../../workflow-definitions/calendar';
import { evaluateRules, ticketAfterEach, type LiveRule, type RuleTicket } from '../../../workflow-definitions/rules/evaluate';
import type { RuleActionBody, RuleBody } from '../../../workflow-definitions/rules/schema';
import type { TicketEvent } from '../../../workflow-definitions/ticket-machine/contract';
import type { WorkflowDefinition } from '../../../workflow-definitions/schema';

const LISTED = 500;

/** A ticket touched in the window as rules see it, with its events in the window (oldest first). */
type TicketRow = RuleTicket & Pick<InferEntity<typeof Ticket>, 'id' | 'number' | 'title' | 'stateCategory' | 'definitionKey' | 'definitionVersion'> & { events: TicketEvent[] | null };

/** The rule's actions that would have changed the ticket as it stood (a tag it already had is not a change). */
function changes(actions: readonly RuleActionBody[], t: RuleTicket): RuleActionBody[] {
  return actions.flatMap((a): RuleActionBody[] => {
    switch (a.action) {
      case 'assign':
        return a.assigneeId === t.assigneeId ? [] : [a];
      case 'set_queue':
        return a.queue === t.queue ? [] : [a];
      case 'set_priority':
        return a.priority === t.priority ? [] : [a];
      case 'set_field':
        return JSON.stringify(t.fields[a.field] ?? null) === JSON.stringify(a.value) ? [] : [a];
      case 'add_tags': {
        const tags = a.tags.filter((x) => !t.tags.includes(x));
        return tags.length ? [{ ...a, tags }] : [];
      }
      case 'remove_tags': {
        const tags = a.tags.filter((x) => t.tags.includes(x));
        return tags.length ? [{ ...a, tags }] : [];
      }
      default:
        return [a];
    }
  });
}

export async function dryRun(em: EntityManager, definitionOf: (key: string, version: number) => Promise<WorkflowDefinition | null>, rule: RuleBody, days: number) {
  const started = performance.now();
  const now = Date.now();
  const since = new Date(now - days * 86_400_000).toISOString();
  // Stays SQL: a measured hot path (bench/rules.ts, the dry run over 100,000 events), each ticket's events gathered in the one statement.
  const rows = await em.execute<TicketRow[]>(
    `select t.id, t.number, t.title, t.type, t.priority, t.state, t.state_category as "stateCategory", t.queue, t.organisation_id as "organisationId", t.requester_id as "requesterId",
            t.assignee_id as "assigneeId", t.assigned_group as "assignedGroup", t.tags, t.fields, t.definition_key as "definitionKey", t.definition_version as "definitionVersion",
            (select json_agg(json_build_object('seq', e.seq, 'type', e.type, 'actor', json_build_object('id', e.actor_id, 'role', e.actor_role), 'visibility', e.visibility,
                     'at', e.at, 'data', e.data) order by e.seq) from ticket_events e where e.ticket_id = t.id and e.at >= ?) as events
       from tickets t where t.updated_at >= ? order by t.created_at`,
    [since, since],
  );
  const live: LiveRule = { ref: { id: 'dry-run', name: rule.name, version: 0 }, when: rule.when, if: rule.if ?? [], steps: [] };
  const calendars = new Map<string, Promise<WorkflowDefinition | null>>();
  let events = 0;
  let firings = 0;
  const matches: Array<{ ticketId: string; number: string; title: string; trigger: { seq: number; type: string; at: string }; changes: RuleActionBody[] }> = [];
  const matched = new Set<string>();
  const fired = (row: TicketRow, t: RuleTicket, trigger: { seq: number; type: string; at: string }) => {
    const would = changes(rule.then, t);
    if (!would.length) return;
    firings += 1;
    matched.add(row.id);
    if (matches.length < LISTED) matches.push({ ticketId: row.id, number: row.number, title: row.title, trigger, changes: would });
  };
  for (const row of rows) {
    const evs = row.events ?? [];
    events += evs.length;
    const after = ticketAfterEach({ ...row, tags: row.tags ?? [], fields: row.fields ?? {} }, evs);
    if (rule.when.event !== 'idle') {
      evs.forEach((e, i) => {
        if (evaluateRules([live], [e], after[i]!, [after[i]!]).length) fired(row, after[i]!, { seq: e.seq, type: e.type, at: new Date(e.at).toISOString() });
      });
      continue;
    }
    // Idle: each person's event starts a quiet spell that ends at the next one (or now, or when the ticket finished).
    const key = `${row.definitionKey}:${row.definitionVersion}`;
    if (!calendars.has(key)) calendars.set(key, definitionOf(row.definitionKey, row.definitionVersion));
    const def = await calendars.get(key)!;
    const first = Object.keys(def?.calendars ?? {})[0];
    const cal = rule.when.businessHours !== false && first ? def!.calendars![first]! : null;
    const people = evs.map((e, i) => ({ e, i })).filter(({ e }) => e.actor.role !== 'system');
    const finished = row.stateCategory === 'resolved' || row.stateCategory === 'closed';
    people.forEach(({ e, i }, n) => {
      const start = Date.parse(e.at);
      const end = people[n + 1] ? Date.parse(people[n + 1]!.e.at) : finished ? Date.parse(evs[evs.length - 1]!.at) : now;
      const due = addBusinessMinutes(start, rule.when.minutes!, cal);
      if (due >= end) return;
      // Judged on the ticket as it stood when the spell ended: the last event before the timer.
      let j = i;
      while (j + 1 < evs.length && Date.parse(evs[j + 1]!.at) <= due) j++;
      const probe: TicketEvent = { seq: e.seq, type: 'idle_elapsed', actor: { id: null, role: 'system' }, visibility: 'internal', at: new Date(due).toISOString(), data: { rule: 'dry-run' } };
      if (evaluateRules([live], [probe], after[j]!, [after[j]!]).length) fired(row, after[j]!, { seq: e.seq, type: 'idle_elapsed', at: probe.at });
    });
  }
  return { days, events, tickets: rows.length, matchedTickets: matched.size, firings, matches, truncated: firings > matches.length, seconds: Math.round(performance.now() - started) / 1000 };
}
