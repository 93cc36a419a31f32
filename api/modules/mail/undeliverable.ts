// Addresses a bounce said are dead (see bounces.ts): the admin sees which, why and on which ticket, and mails one again
// once it is fixed. Until then the outbox does not mail it.
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../http/problem';
import { MailUndeliverable, Ticket, User } from '../../../platform/db/entities/index';

export const undeliverableView = {
  title: 'UndeliverableAddress',
  type: 'object',
  required: ['email', 'status', 'diagnostic', 'ticketId', 'ticketNumber', 'userName', 'bouncedAt'],
  properties: {
    email: { type: 'string' },
    /** The enhanced status code the server gave (5.1.1: no such user). */
    status: { type: 'string' },
    diagnostic: { type: ['string', 'null'], description: "the receiving server's own words" },
    ticketId: { type: ['string', 'null'] },
    ticketNumber: { type: ['string', 'null'] },
    userName: { type: ['string', 'null'], description: 'the account with that address, if any' },
    bouncedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const undeliverableQuery = { type: 'object', additionalProperties: false, properties: { q: { type: 'string', maxLength: 200 } } } as const;

/** At most this many, newest first: a desk with more dead addresses searches. */
const LIMIT = 200;

export class UndeliverableAddresses {
  constructor(private readonly em: EntityManager) {}

  async list(q?: string) {
    const em = this.em.fork();
    const rows = await em.find(MailUndeliverable, q ? { email: { $ilike: `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } } : {}, { orderBy: { bouncedAt: 'desc' }, limit: LIMIT });
    const ticketIds = [...new Set(rows.flatMap((r) => (r.ticketId ? [r.ticketId] : [])))];
    const tickets = ticketIds.length ? await em.find(Ticket, { id: { $in: ticketIds } }, { fields: ['id', 'number'] }) : [];
    const users = rows.length ? await em.find(User, { email: { $in: rows.map((r) => r.email) } }, { fields: ['email', 'name'] }) : [];
    const numbers = new Map(tickets.map((t) => [t.id, t.number]));
    const names = new Map(users.map((u) => [u.email, u.name]));
    return {
      items: rows.map((r) => ({
        email: r.email,
        status: r.status,
        diagnostic: r.diagnostic ?? null,
        ticketId: r.ticketId ?? null,
        ticketNumber: (r.ticketId && numbers.get(r.ticketId)) ?? null,
        userName: names.get(r.email) ?? null,
        bouncedAt: r.bouncedAt.toISOString(),
      })),
    };
  }

  /** The address may be mailed again; mail already given up on stays given up. */
  async clear(email: string): Promise<void> {
    const cleared = await this.em.fork().nativeDelete(MailUndeliverable, { email: email.toLowerCase() });
    if (!cleared) throw notFound(`${email} is not among the undeliverable addresses`);
  }
}
