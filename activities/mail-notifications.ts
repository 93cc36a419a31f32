// Turns each committed batch of ticket events into outbox rows: who hears what, in their language, as they asked.
import { randomUUID } from 'node:crypto';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MailConfig } from '../platform/config';
import type { TicketEvent } from '../workflows/ticket-messages';
import type { RecordTicketEventsInput, TicketEventListener } from './record-ticket-events';
import { loadTemplates, mailLocale, type MailLocale, type NotificationKind, renderText, type Template, type Vars } from '../mail/templates';
import { domainOf, messageIdFor, newReplyToken, replyAddress, REPLY_MARKER } from '../mail/addresses';
import { USER_SEES_TICKET_SQL } from '../platform/access/ticket-visibility';
import { Definition, GroupMember, MailOutboxMessage, MailReplyToken, NotificationPreference, TicketWatcher, User } from '../platform/db/entities/index';
import { approvalNotices } from './approval-mail';
import { among } from '../platform/db/among';
import { lowered } from '../platform/db/case-fold';

export type Recipient = Pick<InferEntity<typeof User>, (typeof RECIPIENT_FIELDS)[number]>;

export interface Notice {
  seq: number;
  kind: NotificationKind | 'approval_request' | 'rule';
  recipients: Recipient[];
  vars: (locale: MailLocale, to: Recipient) => Vars;
  /** The mail's own words (an automation rule's), instead of the admin's template for its kind. */
  text?: (locale: MailLocale) => Template;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RECIPIENT_FIELDS = ['id', 'email', 'name', 'role', 'locale'] as const;
/** A list of user ids as one bound parameter: a batch may name more people than PostgreSQL takes parameters. */

/**
 * The listener enqueues idempotently (unique per ticket, seq, recipient and kind) and only then wakes the sender:
 * a slow or absent SMTP server never holds up the ticket's workflow, and a replayed batch enqueues nothing twice.
 */
export function mailNotifier(em: EntityManager, config: MailConfig, wake: () => void): TicketEventListener {
  const domain = domainOf(config.replyAddress);
  return async function notifyByMail(batch: RecordTicketEventsInput): Promise<void> {
    const interesting = batch.events.filter((e) => ['created', 'commented', 'transitioned', 'notification', 'reminder', 'approval_requested', 'approval_reminder'].includes(e.type));
    if (!interesting.length) return;
    const db = em.fork();
    const t = batch.row;
    const person = async (id: string): Promise<Recipient | undefined> => (await db.findOne(User, { id, disabled: false }, { fields: RECIPIENT_FIELDS })) ?? undefined;
    const requester = await person(t.requesterId);
    const watching = db.createQueryBuilder(TicketWatcher, 'w').select('userId').where({ ticketId: batch.ticketId });
    const watchers: Recipient[] = await db.find(User, { id: { $in: watching.getNativeQuery(false) }, disabled: false }, { fields: RECIPIENT_FIELDS });
    const assignee = t.assigneeId ? await person(t.assigneeId) : undefined;
    const names = new Map<string, string>();
    const nameOf = async (id: string | null): Promise<string> => {
      if (!id) return 'Guichet';
      if (!names.has(id)) names.set(id, (await db.findOne(User, id, { fields: ['name'] }))?.name ?? '');
      return names.get(id)!;
    };
    const states = await stateLabels(db, t.definitionKey, t.definitionVersion);
    // Customers follow their tickets in the portal, staff in the agent console.
    const base = (_locale: MailLocale, to: Recipient): Vars => ({
      ticket: { number: t.number, title: t.title, description: t.description, priority: t.priority, url: `${config.publicUrl}/${to.role === 'customer' ? 'portal/' : ''}tickets/${t.id}` },
    });
    const people = (...lists: Array<Recipient | undefined | Recipient[]>): Recipient[] => {
      const seen = new Map<string, Recipient>();
      for (const r of lists.flat()) if (r) seen.set(r.id, r);
      return [...seen.values()];
    };

    const notices: Notice[] = [];
    for (const e of interesting) {
      const notAuthor = (r: Recipient) => r.id !== e.actor.id;
      if (e.type === 'created' && requester) {
        notices.push({ seq: e.seq, kind: 'ticket_created', recipients: [requester], vars: base });
      } else if (e.type === 'commented' && e.data.mergedFrom === undefined) {
        // A comment copied in by a merge was mailed when it was first written. Internal notes go to staff only: a customer never receives one, whatever list they are on.
        const audience = people(requester, watchers, assignee).filter(notAuthor).filter((r) => e.visibility === 'public' || r.role !== 'customer');
        const author = await nameOf(e.actor.id);
        notices.push({
          seq: e.seq,
          kind: 'comment',
          recipients: audience,
          vars: (l, to) => ({ ...base(l, to), comment: { author, body: commentBody(e, l) } }),
        });
      } else if (e.type === 'transitioned' && e.visibility === 'public') {
        const to = String(e.data.to ?? '');
        const actor = await nameOf(e.actor.id);
        notices.push({
          seq: e.seq,
          kind: 'state_change',
          recipients: people(requester, watchers, assignee).filter(notAuthor),
          vars: (l, r) => ({ ...base(l, r), state: { label: states.get(to)?.[l] ?? to }, actor: { name: actor } }),
        });
      } else if (e.type === 'notification' && e.data.mail) {
        // An automation rule's mail: its own words, to the people it names (customers hear only of public tickets' news they may see, below).
        const mail = e.data.mail as { to: 'requester' | 'assignee' | 'watchers'; subject: Record<MailLocale, string>; body: Record<MailLocale, string> };
        const to = mail.to === 'requester' ? requester : mail.to === 'assignee' ? assignee : watchers;
        notices.push({ seq: e.seq, kind: 'rule', recipients: people(to), vars: base, text: (l) => ({ subject: mail.subject[l], body: mail.body[l] }) });
      } else if (e.type === 'notification') {
        const staff = (await escalationRecipients(db, e)).filter((r) => r.role !== 'customer');
        notices.push({ seq: e.seq, kind: 'escalation', recipients: staff, vars: (l, r) => ({ ...base(l, r), escalation: { name: String(e.data.escalation ?? '') } }) });
      } else if (e.type === 'reminder' && e.visibility === 'public') {
        // A definition's reminder speaks to the people the ticket waits on: its requester and watchers.
        notices.push({
          seq: e.seq,
          kind: 'reminder',
          recipients: people(requester, watchers),
          vars: (l, r) => ({ ...base(l, r), reminder: { text: String((l === 'fr' ? e.data.textFr : undefined) ?? e.data.text ?? '') } }),
        });
      }
    }
    // Lists, roles and groups name candidates; only those who may see the ticket now hear about it.
    const allowed = await mayHear(db, batch.ticketId, [...new Set(notices.flatMap((n) => n.recipients.map((r) => r.id)))]);
    for (const n of notices) n.recipients = n.recipients.filter((r) => allowed.has(r.id));
    // Approvers are asked whether or not they may see the ticket: the request carries what they decide on.
    const asked = await approvalNotices(db, config, batch, await nameOf(t.requesterId), RECIPIENT_FIELDS);
    notices.push(...asked);
    const recipientIds = [...new Set([...allowed, ...asked.flatMap((n) => n.recipients.map((r) => r.id))])];
    if (!recipientIds.length) return;
    const prefs = new Map((await db.find(NotificationPreference, { userId: among(recipientIds, 'uuid') })).map((p) => [`${p.userId}:${p.kind}`, p.mode]));
    const template = await loadTemplates(db);
    let queued = 0;
    for (const n of notices) {
      for (const r of n.recipients) {
        const mode = prefs.get(`${r.id}:${n.kind}`) ?? 'immediate';
        if (mode === 'off') continue;
        const locale = mailLocale(r.locale);
        const vars = { ...n.vars(locale, r), recipient: { name: r.name } };
        const tpl = n.text ? n.text(locale) : template(n.kind as Exclude<Notice['kind'], 'rule'>, locale);
        const key = `${batch.ticketId}:${n.seq}:${r.id}:${n.kind}`;
        const token = await replyToken(db, batch.ticketId, r.id);
        const res = await db
          .createQueryBuilder(MailOutboxMessage)
          .insert({
            id: randomUUID(),
            dedupeKey: key,
            messageId: messageIdFor(key, domain),
            ticketId: batch.ticketId,
            seq: n.seq,
            recipientId: r.id,
            toAddress: r.email,
            kind: n.kind,
            locale,
            mode,
            subject: renderText(tpl.subject, vars).replace(/[\r\n]+/g, ' ').slice(0, 400),
            body: `${REPLY_MARKER}\n\n${renderText(tpl.body, vars)}`,
            replyTo: replyAddress(config.replyAddress, token),
          })
          .onConflict('dedupeKey')
          .ignore()
          .execute('run');
        queued += res.affectedRows;
      }
    }
    if (queued) wake();
  };
}

/** The candidates who may see the ticket: the API's visibility rule, minus disabled users and service accounts. */
async function mayHear(db: EntityManager, ticketId: string, candidates: string[]): Promise<Set<string>> {
  if (!candidates.length) return new Set();
  // SQL: the visibility rule is written once, in SQL over users `u` and tickets `t`, for the API and the worker alike.
  const rows = await db.execute<Array<Pick<InferEntity<typeof User>, 'id'>>>(
    `select u.id from users u join tickets t on t.id = ?
      where u.id in (select value::uuid from jsonb_array_elements_text(?::jsonb)) and ${USER_SEES_TICKET_SQL}`,
    [ticketId, JSON.stringify(candidates)],
  );
  return new Set(rows.map((r) => r.id));
}

function commentBody(e: TicketEvent, locale: MailLocale): string {
  const fr = e.data.bodyFr;
  return String(locale === 'fr' && typeof fr === 'string' ? fr : (e.data.body ?? ''));
}

/** One token per (ticket, recipient), reused for every mail of that thread. */
async function replyToken(db: EntityManager, ticketId: string, userId: string): Promise<string> {
  await db.createQueryBuilder(MailReplyToken).insert({ token: newReplyToken(), ticketId, userId }).onConflict(['ticketId', 'userId']).ignore().execute();
  return (await db.findOneOrFail(MailReplyToken, { ticketId, userId }, { fields: ['token'] })).token;
}

/** An escalation's notify action names a user (id or email), an agent group or a role. */
async function escalationRecipients(db: EntityManager, e: TicketEvent): Promise<Recipient[]> {
  const { user, group, role } = e.data as { user?: string | null; group?: string | null; role?: string | null };
  const active = (where: object) => db.find(User, { ...where, disabled: false }, { fields: RECIPIENT_FIELDS });
  const out: Recipient[] = [];
  if (user) out.push(...(await active(UUID.test(user) ? { id: user } : { email: lowered(user) })));
  if (group) out.push(...(await active({ id: { $in: db.createQueryBuilder(GroupMember, 'g').select('userId').where({ groupKey: group }).getNativeQuery(false) } })));
  if (role) out.push(...(await active({ role })));
  return [...new Map(out.map((r) => [r.id, r])).values()];
}

async function stateLabels(db: EntityManager, key: string, version: number): Promise<Map<string, { en: string; fr: string }>> {
  // Only the states of the definition's body, not the whole workflow.
  const row = await db
    .createQueryBuilder(Definition, 'd')
    .select(raw(`d.body->'states' as states`))
    .where({ key, version })
    .execute<{ states: Array<{ name: string; label: { en: string; fr: string } }> | null } | undefined>('get');
  return new Map((row?.states ?? []).map((s) => [s.name, s.label]));
}
