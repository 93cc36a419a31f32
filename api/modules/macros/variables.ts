// The variables a macro's reply may use, and filling them in for one ticket in the requester's language.

/** What a variable can be filled from: the ticket, its requester and the agent applying the macro. */
export interface MacroContext {
  locale: 'en' | 'fr';
  ticket: { number: string; title: string; priority: string; stateLabel: { en: string; fr: string }; fields: Record<string, unknown> };
  requester: { name: string; email: string };
  agent: { name: string; email: string };
}

const PRIORITY_WORDS: Record<string, { en: string; fr: string }> = {
  low: { en: 'low', fr: 'basse' },
  medium: { en: 'medium', fr: 'moyenne' },
  high: { en: 'high', fr: 'haute' },
  critical: { en: 'critical', fr: 'critique' },
};

const FIXED: Record<string, (c: MacroContext) => string> = {
  'ticket.number': (c) => c.ticket.number,
  'ticket.title': (c) => c.ticket.title,
  'ticket.priority': (c) => PRIORITY_WORDS[c.ticket.priority]?.[c.locale] ?? c.ticket.priority,
  'ticket.state': (c) => c.ticket.stateLabel[c.locale],
  'requester.name': (c) => c.requester.name,
  'requester.firstName': (c) => c.requester.name.trim().split(/\s+/)[0] ?? '',
  'requester.email': (c) => c.requester.email,
  'agent.name': (c) => c.agent.name,
  'agent.email': (c) => c.agent.email,
};

/** Every variable name a macro may use besides `fields.<name>` (a custom field of the ticket's definition). */
export const MACRO_VARIABLES = Object.keys(FIXED);

const VARIABLE = /\{\{\s*([A-Za-z][\w.]*)\s*\}\}/g;
const FIELD = /^fields\.[a-z][a-z0-9_]{0,62}$/;

/** The names in `text` that are not variables, so a typo is refused when the macro is saved rather than sent to a customer. */
export function unknownVariables(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => m[1]!).filter((name) => !(name in FIXED) && !FIELD.test(name));
}

/** `text` with each variable replaced; a custom field the ticket does not have is left empty. */
export function fillVariables(text: string, c: MacroContext): string {
  return text.replace(VARIABLE, (whole, name: string) => {
    const fixed = FIXED[name];
    if (fixed) return fixed(c);
    if (FIELD.test(name)) {
      const v = c.ticket.fields[name.slice('fields.'.length)];
      return v === undefined || v === null ? '' : String(v);
    }
    return whole;
  });
}
