// A request's answers as people read them: each shown field's label and its answer in words (option labels, names of
// the people and assets picked), in the reader's language. Also the plain text the ticket's description carries.
import type { Answers } from './answers';
import type { FormLayout } from './layout';

export type FormLocale = 'en' | 'fr';

export interface SummaryLine {
  name: string;
  label: string;
  /** The answer in words; lists are joined with ", ". */
  text: string;
}

/** Names of the people and assets an answer picked, by id; an id missing here reads as the id itself. */
export type NameLookup = Record<string, string>;

export function summaryLines(layout: FormLayout, answers: Answers, locale: FormLocale, names: NameLookup = {}): SummaryLine[] {
  const lines: SummaryLine[] = [];
  for (const field of layout.fields) {
    const value = answers[field.name];
    if (value === undefined) continue;
    const option = (v: string) => field.options?.find((o) => o.value === v)?.label[locale] ?? v;
    const words = (v: string | number): string => {
      if (typeof v === 'number') return String(v);
      if (field.kind === 'choice' || field.kind === 'multiChoice') return option(v);
      if (field.kind === 'user' || field.kind === 'asset') return names[v] ?? v;
      return v;
    };
    lines.push({ name: field.name, label: field.label[locale], text: Array.isArray(value) ? value.map(words).join(', ') : words(value) });
  }
  return lines;
}

/** Plain text, one "label: answer" per line (with the French space before the colon): the ticket's description. */
export function summaryText(lines: SummaryLine[], locale: FormLocale): string {
  const colon = locale === 'fr' ? ' : ' : ': ';
  return lines.map((l) => `${l.label}${colon}${l.text}`).join('\n');
}
