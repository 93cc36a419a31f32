// Addresses a bounce said are dead (see bounces.ts): the admin sees which, why and on which ticket, and mails one again
// once it is fixed. Until then the outbox does not mail it.
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../http/problem';
import { iso } from '../../../platform/db/time';

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

interface Row {
  email: string;
  status: string;
  diagnostic: string | null;
  ticket_id: string | null;
  number: string | null;
  name: string | null;
  bounced_at: Date | string;
}

/** At most this many, newest first: a desk with more dead addresses searches. */
const LIMIT = 200;

export class UndeliverableAddresses {
  constructor(private readonly em: EntityManager) {}

  async list(q?: string) {
    const rows = await this.em.fork().execute<Row[]>(
      `select m.email, m.status, m.diagnostic, m.ticket_id, t.number, u.name, m.bounced_at
         from mail_undeliverable m left join tickets t on t.id = m.ticket_id left join users u on u.email = m.email
        where ?::text is null or m.email ilike '%' || ? || '%'
        order by m.bounced_at desc limit ${LIMIT}`,
      [q ?? null, q?.replace(/[\\%_]/g, (c) => `\\${c}`) ?? null],
    );
    return {
      items: rows.map((r) => ({ email: r.email, status: r.status, diagnostic: r.diagnostic, ticketId: r.ticket_id, ticketNumber: r.number, userName: r.name, bouncedAt: iso(r.bounced_at) })),
    };
  }

  /** The address may be mailed again; mail already given up on stays given up. */
  async clear(email: string): Promise<void> {
    const rows = await this.em.fork().execute<Array<{ email: string }>>('delete from mail_undeliverable where email = ? returning email', [email.toLowerCase()]);
    if (!rows.length) throw notFound(`${email} is not among the undeliverable addresses`);
  }
}
