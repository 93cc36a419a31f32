// The mails of approval rounds: each approver gets a request with their own signed link when a round opens, and again
// (marked as a reminder) to those who have not decided when the definition's reminder falls due.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MailConfig } from '../platform/config';
import { linkKey, LINK_LIFETIME_SECONDS, signLink } from '../platform/approvals/links';
import type { RecordTicketEventsInput } from './record-ticket-events';
import type { Notice, Recipient } from './mail-notifications';
import type { MailLocale } from '../mail/templates';
import { TicketApproval, User } from '../platform/db/entities/index';
import { among } from '../platform/db/among';

const REMINDER: Record<MailLocale, string> = { en: 'Reminder: ', fr: 'Rappel : ' };

function deadlineText(deadline: unknown, locale: MailLocale): string {
  if (typeof deadline !== 'string') return '';
  const when = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(deadline));
  return locale === 'fr' ? `Décision attendue avant le ${when} (UTC).` : `Please decide by ${when} (UTC).`;
}

export async function approvalNotices(db: EntityManager, config: MailConfig, batch: RecordTicketEventsInput, requester: string, fields: ReadonlyArray<keyof Recipient>): Promise<Notice[]> {
  const events = batch.events.filter((e) => e.type === 'approval_requested' || e.type === 'approval_reminder');
  if (!events.length) return [];
  const key = await linkKey(db);
  const t = batch.row;
  const notices: Notice[] = [];
  for (const e of events) {
    const reminder = e.type === 'approval_reminder';
    const ids = (reminder ? e.data.pending : e.data.approvers) as string[];
    if (!ids?.length) continue;
    const recipients: Recipient[] = await db.find(User, { id: among(ids, 'uuid'), disabled: false, erasedAt: null }, { fields });
    const round = Number(e.data.round);
    const opened = await db.findOne(TicketApproval, { ticketId: batch.ticketId, round }, { fields: ['deadline'] });
    const deadline = e.data.deadline ?? opened?.deadline?.toISOString();
    const expiresAt = Math.floor(Date.parse(e.at) / 1000) + LINK_LIFETIME_SECONDS;
    notices.push({
      seq: e.seq,
      kind: 'approval_request',
      recipients,
      vars: (l, to) => ({
        ticket: { number: t.number, title: t.title, description: t.description },
        approval: {
          requester,
          url: `${config.publicUrl}/approve/${signLink(key, { ticketId: batch.ticketId, round, userId: to.id, expiresAt })}`,
          deadline: deadlineText(deadline, l),
          reminder: reminder ? REMINDER[l] : '',
        },
      }),
    });
  }
  return notices;
}
