// A ticket's timeline as a reader sees it: every state, transition and field by its label in both languages, edited
// comments folded into the comment they revise (with its revisions), comments rendered, and, for customers, events
// numbered 1, 2, 3… among those they see.
import type { DefinitionLabels } from '../definitions/service';
import { renderMarkdown } from './markdown';
import type { presentEvent } from './present';

type TimelineEvent = ReturnType<typeof presentEvent>;

/**
 * `labelsOf(version)` gives the labels of one version of the ticket's definition: each event takes its words from the
 * version in force when it happened, so a ticket migrated to a later version keeps its earlier events' labels.
 */
export async function presentTimeline(events: TimelineEvent[], forCustomer: boolean, labelsOf: (version: number) => Promise<DefinitionLabels>, version: number) {
  await label(events, labelsOf, version);
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  for (const e of events) {
    if (e.type !== 'comment_edited') continue;
    const original = bySeq.get(e.data.seq as number);
    if (!original) continue;
    const revisions = (original.data.revisions as unknown[] | undefined) ?? [];
    original.data = { ...original.data, revisions: [...revisions, { body: original.data.body, replacedAt: e.at }], body: e.data.body, edited: true };
  }
  for (const e of events) {
    if (e.type === 'commented' && typeof e.data.body === 'string') e.data = { ...e.data, html: renderMarkdown(e.data.body) };
  }
  if (!forCustomer) return events;
  // Customers count what they see 1, 2, 3…: the real numbers would show where internal events sit between them.
  const number = new Map(events.map((e, i) => [e.seq, i + 1]));
  return events.map((e) => ({
    ...e,
    seq: number.get(e.seq)!,
    ...(e.type === 'comment_edited' ? { data: { ...e.data, seq: number.get(e.data.seq as number) ?? null } } : {}),
  }));
}

async function label(events: TimelineEvent[], labelsOf: (version: number) => Promise<DefinitionLabels>, version: number): Promise<void> {
  const firstMigration = events.find((e) => e.type === 'migrated')?.data.from as { version?: number } | undefined;
  let inForce = firstMigration?.version ?? version;
  for (const e of events) {
    if (e.type === 'migrated') {
      const from = e.data.from as { version: number; state: string };
      const to = e.data.to as { version: number; state: string };
      const [before, after] = await Promise.all([labelsOf(from.version), labelsOf(to.version)]);
      e.data = { ...e.data, fromLabel: before.states.get(from.state) ?? null, toLabel: after.states.get(to.state) ?? null };
      inForce = to.version;
      continue;
    }
    const { states, transitions, fields } = await labelsOf(inForce);
    if (e.data.fields && typeof e.data.fields === 'object') {
      e.data = { ...e.data, fieldLabels: Object.fromEntries(Object.keys(e.data.fields).flatMap((name) => (fields.has(name) ? [[name, fields.get(name)]] : []))) };
    }
    if (e.type === 'created') e.data = { ...e.data, stateLabel: states.get(String(e.data.state)) ?? null };
    else if (e.type === 'transitioned') {
      e.data = {
        ...e.data,
        fromLabel: states.get(String(e.data.from)) ?? null,
        toLabel: states.get(String(e.data.to)) ?? null,
        transitionLabel: transitions.get(String(e.data.transition)) ?? null,
      };
    }
  }
}
