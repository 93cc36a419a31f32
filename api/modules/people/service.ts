// The people agents serve: found by name, e-mail or organisation to open a ticket for them, or added on the spot for a
// first-time caller (a customer account without a password; they set one through "forgot password" when they want the portal).
import { randomUUID } from 'node:crypto';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Organisation, User } from '../../../platform/db/entities/index';
import { ProblemError, unprocessable } from '../../http/problem';
import { escapeLike } from '../../../platform/db/like';
import { lowered } from '../../../platform/db/case-fold';
import { organisationNames } from '../iam/organisation-names';

export interface Person {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  role: string;
  organisation: { id: string; name: string } | null;
}

type PersonRow = Pick<InferEntity<typeof User>, 'id' | 'name' | 'email' | 'phone' | 'role' | 'organisationId'>;

const PERSON_FIELDS = ['id', 'name', 'email', 'phone', 'role', 'organisationId'] as const;
/** Inbound endpoints act through a user of their own, nobody to open a ticket for; SQL as no relation links the two entities. */
const NOT_AN_ENDPOINT = 'not exists (select 1 from inbound_endpoints ie where ie.actor_id = u.id)';

export class PeopleService {
  constructor(private readonly em: EntityManager) {}

  /** Active people whose name, e-mail or organisation contains `q`; customers first, then by name. */
  async search(q: string | undefined, limit: number): Promise<Person[]> {
    const like = `%${escapeLike(q?.trim() ?? '')}%`;
    const em = this.em.fork();
    const organisations = em.createQueryBuilder(Organisation, 'o').select('id').where({ name: { $ilike: like } });
    const rows = await em
      .createQueryBuilder(User, 'u')
      .select([...PERSON_FIELDS])
      .where({ disabled: false, $or: [{ name: { $ilike: like } }, { email: { $ilike: like } }, { organisationId: { $in: organisations.getNativeQuery(false) } }] })
      .andWhere(NOT_AN_ENDPOINT)
      // lower(): names sort whatever their case, in the database's collation.
      .orderBy([{ [raw(`u.role = 'customer'`)]: 'desc' }, { [raw((alias) => `lower(${alias}.name)`)]: 'asc' }, { id: 'asc' }])
      .limit(limit)
      .getResult();
    return this.withOrganisations(em, rows);
  }

  async get(id: string): Promise<Person | null> {
    const em = this.em.fork();
    const row = await em.findOne(User, id, { fields: [...PERSON_FIELDS] });
    return row ? (await this.withOrganisations(em, [row]))[0] : null;
  }

  async createCustomer(input: { name: string; email: string; phone?: string | null; organisationId?: string | null; locale?: 'en' | 'fr' }): Promise<Person> {
    const em = this.em.fork();
    if (await em.count(User, { email: lowered(input.email) })) {
      throw new ProblemError(409, 'email-taken', 'Conflict', `${input.email.toLowerCase()} already has an account: pick it instead`, [{ pointer: '/email', message: 'already has an account' }]);
    }
    if (input.organisationId && !(await em.count(Organisation, { id: input.organisationId }))) {
      throw unprocessable(`no organisation ${input.organisationId}`, [{ pointer: '/organisationId', message: 'unknown organisation' }]);
    }
    const id = randomUUID();
    await em
      .createQueryBuilder(User)
      .insert({ id, email: lowered(input.email), name: input.name.trim(), role: 'customer', passwordHash: null, locale: input.locale ?? 'en', organisationId: input.organisationId ?? null, phone: input.phone?.trim() || null })
      .onConflict('email')
      .ignore()
      .execute();
    const created = await this.get(id);
    // Two agents adding the same caller at once: the second learns who won.
    if (!created) return this.createCustomer(input);
    return created;
  }

  private async withOrganisations(em: EntityManager, rows: PersonRow[]): Promise<Person[]> {
    const names = await organisationNames(em, rows);
    return rows.map((r) => ({
      id: r.id, name: r.name, email: r.email, phone: r.phone ?? null, role: r.role,
      organisation: r.organisationId ? { id: r.organisationId, name: names.get(r.organisationId)! } : null,
    }));
  }
}
