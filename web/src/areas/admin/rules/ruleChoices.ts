// What a rule may name, loaded once for the editor: the published definitions' states, transitions and fields (with
// their labels), queues, ticket types, people, groups, organisations, shared macros and plug-ins' actions.
import { http } from '../../../api/http';

export interface Named {
  value: string;
  label: string;
}
export interface FieldChoice extends Named {
  /** The field's JSON Schema type and its choices, so the editor offers a fitting input. */
  type: string;
  options: string[];
}

export interface RuleChoices {
  states: Named[];
  transitions: Named[];
  fields: FieldChoice[];
  queues: Named[];
  types: string[];
  agents: Named[];
  groups: Named[];
  organisations: Named[];
  macros: Named[];
  /** Actions of loaded plug-ins (value `plugin/name`), with the schema their values follow. */
  pluginActions: Array<Named & { plugin: string; name: string; schema: Record<string, unknown> | null }>;
}

type Labelled = { name: string; label?: { en: string; fr: string } };
type Doc = { states: Labelled[]; transitions: Labelled[]; fields?: Array<Labelled & { schema: { type?: string; enum?: string[] } }> };

/** The choices in the reader's language; a name two definitions share is listed once. */
export async function loadRuleChoices(locale: 'en' | 'fr'): Promise<RuleChoices> {
  const [defs, queues, directory, macros, types, actions] = await Promise.all([
    http.get('/definitions'),
    http.get('/queues'),
    http.get('/directory'),
    http.get('/macros'),
    http.get('/ticket-types'),
    http.get('/plugins/actions'),
  ]);
  const docs = (await Promise.all(defs.items.filter((d) => d.status === 'published').map((d) => http.get('/definitions/{key}/versions/{version}', { path: { key: d.key, version: d.version } })))) as unknown as Doc[];
  const once = <T extends Named>(list: T[]) => [...new Map(list.map((x) => [x.value, x])).values()].sort((a, b) => a.label.localeCompare(b.label));
  const named = (x: Labelled) => ({ value: x.name, label: x.label?.[locale] ? `${x.label[locale]} (${x.name})` : x.name });
  return {
    states: once(docs.flatMap((d) => d.states.map(named))),
    transitions: once(docs.flatMap((d) => d.transitions.map(named))),
    fields: once(docs.flatMap((d) => (d.fields ?? []).map((f) => ({ ...named(f), type: f.schema.type ?? 'string', options: f.schema.enum ?? [] })))),
    queues: queues.items.map((q) => ({ value: q.key, label: q.name })),
    types: types.items.map((x) => x.key),
    agents: directory.agents.map((a) => ({ value: a.id, label: a.name })),
    groups: directory.groups.map((g) => ({ value: g.key, label: g.name })),
    organisations: directory.organisations.map((o) => ({ value: o.id, label: o.name })),
    macros: macros.items.filter((m) => m.shared).map((m) => ({ value: m.id, label: m.name })),
    pluginActions: actions.items.map((a) => ({ value: `${a.plugin}/${a.name}`, label: `${a.title} (${a.plugin})`, plugin: a.plugin, name: a.name, schema: a.schema as Record<string, unknown> | null })),
  };
}
