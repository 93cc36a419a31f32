// Turns article markdown into the plain text that search indexes and snippets quote, and snippets into HTML that is safe to show.
import { renderMarkdown } from '../tickets/markdown';

/** ts_headline wraps matches in these private-use characters; nothing else may contain them, so they are stripped from stored text. */
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';
const MARKERS = /[\uE000\uE001]/g;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The words a reader sees: markdown rendered, tags dropped, block ends kept as line breaks. */
export function plainText(markdown: string): string {
  return renderMarkdown(markdown.replace(MARKERS, ''))
    .replace(/<\/(p|h[1-6]|li|pre|blockquote|tr|td|th)>/g, '\n')
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m])
    // Line by line rather than /[ \t]+\n/: that regex backtracks quadratically over a long run of spaces.
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Escapes the whole snippet first, then turns the (escaped-through) markers into <mark> tags: text can never become markup. */
export function snippetHtml(headline: string): string {
  let open = false;
  let out = escapeHtml(headline.replace(/\s+/g, ' ').trim()).replace(MARKERS, (m) => {
    if (m === MARK_START && !open) {
      open = true;
      return '<mark>';
    }
    if (m === MARK_END && open) {
      open = false;
      return '</mark>';
    }
    return '';
  });
  if (open) out += '</mark>';
  return out;
}

/** A short excerpt for results without a query: the summary, else the beginning of the text. */
export function excerpt(summary: string, text: string, max = 220): string {
  const source = summary.trim() || text;
  const flat = source.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

/**
 * An OR of the words typed (stemmed by PostgreSQL with each configuration; stop words drop out), the last word as a prefix
 * while it is still being typed. Only letters and digits reach to_tsquery, so its syntax cannot be injected.
 */
export function orQuery(text: string, maxWords = 16): string {
  const words = (text.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, maxWords);
  if (!words.length) return '';
  const typing = !/\s$/.test(text) && words[words.length - 1].length >= 3;
  return words.map((w, i) => (i === words.length - 1 && typing ? `${w}:*` : w)).join(' | ');
}
