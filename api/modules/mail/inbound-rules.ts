// Pure rules for inbound mail: is it an automatic message (never answered), and which part of a reply is new text.
import { REPLY_MARKER } from '../../../mail/addresses';

/** Header name (lower case) to value(s), as mailparser's headers map gives them once flattened to strings. */
export type HeaderLookup = (name: string) => string | undefined;

/**
 * Why a message must not open or feed a ticket: RFC 3834 Auto-Submitted, the common vendor auto-reply headers,
 * bulk/list precedence, mailing lists, bounces, and our own address (a loop through a forwarding rule).
 */
export function automaticReason(header: HeaderLookup, sender: string, envelopeFrom: string | false | undefined, ownAddresses: string[], ownDomain: string): string | undefined {
  const autoSubmitted = header('auto-submitted')?.trim().toLowerCase();
  if (autoSubmitted && !autoSubmitted.startsWith('no')) return `auto-submitted: ${autoSubmitted}`;
  if (header('x-autoreply') !== undefined) return 'x-autoreply';
  if (header('x-autorespond') !== undefined) return 'x-autorespond';
  const precedence = header('precedence')?.trim().toLowerCase();
  if (precedence && ['bulk', 'auto_reply', 'junk', 'list'].includes(precedence)) return `precedence: ${precedence}`;
  if (header('list-id') !== undefined) return 'list-id';
  if (envelopeFrom === '') return 'bounce (empty return path)';
  const s = sender.toLowerCase();
  if (/^(mailer-daemon|postmaster)@/.test(s)) return 'bounce (mailer-daemon)';
  if (ownAddresses.includes(s)) return 'our own address';
  const [local, domain] = [s.slice(0, s.lastIndexOf('@')), s.slice(s.lastIndexOf('@') + 1)];
  if (domain === ownDomain && ownAddresses.some((a) => local.startsWith(a.slice(0, a.lastIndexOf('@')) + '+'))) return 'our own reply address';
  return undefined;
}

const QUOTE_HEADERS = [
  /^On .{1,200} wrote:\s*$/i, // Gmail, Apple Mail, Thunderbird (en)
  /^Le .{1,200} a écrit\s*:\s*$/i, // the same in French
  /^-{2,}\s*(Original Message|Message d'origine|Message original)\s*-{2,}\s*$/i, // Outlook
  /^_{10,}\s*$/, // Outlook's separator line before From:
  /^(From|De)\s*:\s.+$/, // Outlook's quoted header block
];

/** The new text of a reply: everything above our marker, a quote header or the first block of `>` lines; signatures after "-- " go too. */
export function trimQuotedReply(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const marker = REPLY_MARKER.slice(0, 12);
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.includes(marker) || QUOTE_HEADERS.some((re) => re.test(line.trim())) || line.startsWith('>') || line === '-- ') {
      end = i;
      break;
    }
    // "On Mon, 3 Nov 2026 at 10:00, Desk <x@y>\nwrote:" — clients wrap the quote header over two lines.
    if (i + 1 < lines.length && /^(On|Le)\s/.test(line.trim()) && /^(wrote|a écrit)\s*:\s*$/i.test(lines[i + 1].trim())) {
      end = i;
      break;
    }
  }
  const kept = lines.slice(0, end).join('\n').trim();
  return kept || text.trim();
}
