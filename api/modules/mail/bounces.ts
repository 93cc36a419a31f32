// Delivery status notifications (RFC 3464): which recipients failed for good, and which of our messages bounced (from
// the returned headers), so the bounce lands on its ticket and the dead address stops being mailed.
import type { ParsedMail } from 'mailparser';

export interface Bounce {
  /** Recipients whose delivery failed permanently (Action: failed, status 5.x.x other than a full mailbox, 5.2.x). */
  failed: { address: string; status: string; diagnostic: string | null }[];
  /** Message-IDs of the returned message and the ones it referred to, in order (ours among them). */
  references: string[];
}

const fieldsOf = (block: string): Map<string, string> => {
  const fields = new Map<string, string>();
  // Folded lines continue the field above.
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
};

const addressOf = (field: string | undefined): string | null => {
  const value = field?.replace(/^rfc822\s*;/i, '').trim().replace(/^<|>$/g, '').toLowerCase();
  return value && /^[^\s@]+@[^\s@]+$/.test(value) ? value : null;
};

/**
 * The top-level parts of a multipart/report, each as its content type and body. mailparser folds the
 * message/delivery-status part into the text, so the report is read from the raw message (DSNs are 7-bit text).
 */
function reportParts(mail: ParsedMail, raw: Buffer): { type: string; body: string }[] {
  const contentType = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const boundary = contentType?.params?.boundary;
  if (contentType?.value?.toLowerCase() !== 'multipart/report' || !boundary) return [];
  const text = raw.toString('latin1');
  return text
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const body = part.replace(/^\r?\n/, '');
      const end = body.search(/\r?\n\r?\n/);
      const headers = fieldsOf(end < 0 ? body : body.slice(0, end));
      return { type: (headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase(), body: end < 0 ? '' : body.slice(end).replace(/^\r?\n\r?\n/, '') };
    });
}

/** The bounce a message reports, or null when it is no delivery status notification (or reports no permanent failure). */
export function bounceOf(mail: ParsedMail, raw: Buffer): Bounce | null {
  const parts = reportParts(mail, raw);
  const status = parts.find((p) => p.type === 'message/delivery-status' || p.type === 'message/global-delivery-status');
  if (!status) return null;
  // Per-message fields first, then one block per recipient, separated by blank lines.
  const [, ...recipients] = status.body.split(/\r?\n\s*\r?\n/).map(fieldsOf);
  const failed = recipients.flatMap((f) => {
    const address = addressOf(f.get('final-recipient') ?? f.get('original-recipient'));
    const code = f.get('status') ?? '';
    // 5.2.x (mailbox full, over quota) is permanent by the code but passing in practice: it stops no one's mail.
    return address && f.get('action')?.toLowerCase() === 'failed' && code.startsWith('5') && !code.startsWith('5.2.') ? [{ address, status: code, diagnostic: f.get('diagnostic-code')?.replace(/^smtp\s*;\s*/i, '').slice(0, 300) ?? null }] : [];
  });
  if (!failed.length) return null;
  const returned = parts.find((p) => p.type === 'text/rfc822-headers' || p.type === 'message/rfc822' || p.type === 'message/global');
  const headers = returned ? fieldsOf(returned.body.split(/\r?\n\r?\n/)[0] ?? '') : new Map<string, string>();
  const references = [headers.get('message-id'), headers.get('in-reply-to'), headers.get('references')]
    .flatMap((v) => v?.match(/<[^<>\s]+>/g) ?? [])
    .filter((v, i, all) => all.indexOf(v) === i);
  return { failed, references };
}
