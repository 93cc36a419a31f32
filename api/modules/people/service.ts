// The people agents serve: found by name, e-mail or organisation to open a ticket for them, or added on the spot for a
// first-time caller (a customer account without a password; they set one through "forgot password" when they want the portal).
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProblemError, unprocessable } from '../../http/problem';
import { escapeLike } from '../../../platform/db/like';

export interface Person {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  role: string;
  organisation: { id: string; name: string } | null;
}

interface PersonRow {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  role: string;
  organisation_id: string | null;
  organisation_name: string | null;
}

const PERSON_SQL = `select u.id, u.name, u.email, u.phone, u.role, o.id as organisation_id, o.name as organisation_name
  from users u left join organisations o on o.id = u.organisation_id`;
const ACTIVE = `not u.disabled and not exists (select 1 from inbound_endpoints ie where ie.actor_id = u.id)`;

const toPerson = (r: PersonRow): Person => ({
  id: r.id, name: r.name, email: r.email, phone: r.phone, role: r.role,
  organisation: r.organisation_id ? { id: r.organisation_id, name: r.organisation_name! } : null,
});

export class PeopleService {
  constructor(private readonly em: EntityManager) {}

  /** Active people whose name, e-mail or organisation contains `q`; customers first, then by name. */
  async search(q: string | undefined, limit: number): Promise<Person[]> {
    const like = `%${escapeLike(q?.trim() ?? '')}%`;
    const rows = await this.em.fork().execute<PersonRow[]>(
      `${PERSON_SQL} where ${ACTIVE} and (u.name ilike ? or u.email ilike ? or o.name ilike ?)
       order by (u.role = 'customer') desc, lower(u.name), u.id limit ?`,
      [like, like, like, limit],
    );
    return rows.map(toPerson);
  }

  async get(id: string): Promise<Person | null> {
    const [row] = await this.em.fork().execute<PersonRow[]>(`${PERSON_SQL} where u.id = ?`, [id]);
    return row ? toPerson(row) : null;
  }

  async createCustomer(input: { name: string; email: string; phone?: string | null; organisationId?: string | null; locale?: 'en' | 'fr' }): Promise<Person> {
    const [taken] = await this.em.fork().execute<Array<{ id: string }>>('select id from users where email = lower(?)', [input.email]);
    if (taken) throw new ProblemError(409, 'email-taken', 'Conflict', `${input.email.toLowerCase()} already has an account: pick it instead`, [{ pointer: '/email', message: 'already has an account' }]);
    if (input.organisationId) {
      const [org] = await this.em.fork().execute('select 1 from organisations where id = ?', [input.organisationId]);
      if (!org) throw unprocessable(`no organisation ${input.organisationId}`, [{ pointer: '/organisationId', message: 'unknown organisation' }]);
    }
    const id = randomUUID();
    await this.em.fork().execute(
      `insert into users (id, email, name, role, password_hash, locale, organisation_id, phone) values (?, lower(?), ?, 'customer', null, ?, ?, ?)
       on conflict (email) do nothing`,
      [id, input.email, input.name.trim(), input.locale ?? 'en', input.organisationId ?? null, input.phone?.trim() || null],
    );
    const created = await this.get(id);
    // Two agents adding the same caller at once: the second learns who won.
    if (!created) return this.createCustomer(input);
    return created;
  }
}
