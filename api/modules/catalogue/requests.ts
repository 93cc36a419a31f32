// The catalogue as requesters use it: the offerings they may see, a form and its compiled check, the people and assets a
// picker offers, a submission (checked with the same compiled code the console ran, then opened as a ticket pinned to
// the form version), and a ticket's answers as its readers see them.
import type { EntityManager } from '@mikro-orm/postgresql';
import { summaryLines, summaryText, answerErrors, tidyAnswers, type Answers, type FormField, type FormLayout, type FormLocale, type Priority } from '../../../workflow-definitions/index';
import { escapeLike } from '../../../platform/db/like';
import { iso, type DbTime } from '../../../platform/db/time';
import { ProblemError, notFound, unprocessable, type FieldError } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import type { TicketService } from '../tickets/service';
import { CompiledForms } from './form-check';
import { OFFERING_SQL, type OfferingRow } from './offerings';
import type { RequestBody } from './schemas';

const isStaff = (user: Pick<AuthUser, 'role'>) => user.role === 'agent' || user.role === 'admin';

/** Published offerings this person may see: staff every one, a customer those open to everyone or to their organisation. */
function audience(user: Pick<AuthUser, 'role' | 'organisationId'>): { sql: string; params: unknown[] } {
  if (isStaff(user)) return { sql: 'o.published', params: [] };
  return { sql: `o.published and (cardinality(o.organisation_ids) = 0 or ?::uuid = any(o.organisation_ids))`, params: [user.organisationId] };
}

/** Active accounts people can be: never disabled, never an integration's service account. */
const ACTIVE_PERSON = `not u.disabled and not exists (select 1 from inbound_endpoints ie where ie.actor_id = u.id)`;

/** A ticket's description holds 20,000 characters; the answers themselves are kept whole with the request form. */
const DESCRIPTION_MAX = 20_000;
const clip = (text: string) => (text.length <= DESCRIPTION_MAX ? text : `${text.slice(0, DESCRIPTION_MAX - 1)}…`);

const item = (r: OfferingRow) => ({ key: r.key, name: r.name, description: r.description, category: r.category, icon: r.icon, ticketType: r.ticket_type, version: r.version });

export class CatalogueRequests {
  private readonly forms = new CompiledForms();

  constructor(
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
  ) {}

  async list(user: AuthUser, q?: string) {
    const scope = audience(user);
    const params: unknown[] = [...scope.params];
    let where = scope.sql;
    if (q?.trim()) {
      const like = `%${escapeLike(q.trim())}%`;
      where += ` and (o.name->>'en' ilike ? or o.name->>'fr' ilike ? or o.description->>'en' ilike ? or o.description->>'fr' ilike ? or o.category->>'en' ilike ? or o.category->>'fr' ilike ?)`;
      params.push(like, like, like, like, like, like);
    }
    const rows = await this.em.fork().execute<OfferingRow[]>(`${OFFERING_SQL} where ${where} order by o.category->>'en', o.name->>'en'`, params);
    return rows.map(item);
  }

  async form(user: AuthUser, key: string) {
    const row = await this.visible(user, key);
    return { ...item(row), form: row.layout, checkUrl: `/api/catalogue/items/${row.key}/forms/${row.version}/check.js` };
  }

  /** The version's compiled check as an ES module (any version a ticket was submitted with, or the current one). */
  async checkModule(user: AuthUser, key: string, version: number): Promise<string> {
    const row = await this.visible(user, key);
    const layout = version === row.version ? row.layout : await this.layoutOf(row.id, version);
    return this.forms.get(row.id, version, layout).module;
  }

  async choices(user: AuthUser, key: string, fieldName: string, q?: string) {
    const row = await this.visible(user, key);
    const field = row.layout.fields.find((f) => f.name === fieldName);
    if (!field || (field.kind !== 'user' && field.kind !== 'asset')) throw notFound(`the form has no picker '${fieldName}'`);
    const like = `%${escapeLike(q?.trim() ?? '')}%`;
    if (field.kind === 'asset') {
      // Where an asset stands is for staff: a customer picks by name alone.
      const detail = isStaff(user) ? `coalesce(nullif(a.location, ''), '')` : `''`;
      return this.em.fork().execute<Array<{ id: string; name: string; detail: string }>>(
        `select a.id, a.name, ${detail} as detail from assets a where a.category = ? and a.name ilike ? order by lower(a.name), a.id limit 20`,
        [field.assetCategory ?? '', like],
      );
    }
    const who = this.pickable(user);
    return this.em.fork().execute<Array<{ id: string; name: string; detail: string }>>(
      `select u.id, u.name, coalesce(o.name, '') as detail from users u left join organisations o on o.id = u.organisation_id
       where ${ACTIVE_PERSON} and ${who.sql} and (u.name ilike ? or u.email ilike ?) order by lower(u.name), u.id limit 20`,
      [...who.params, like, like],
    );
  }

  /** Checks the answers against the version the requester was shown, then opens the ticket with the offering's settings. */
  async submit(user: AuthUser, key: string, body: RequestBody, idempotencyKey?: string) {
    const row = await this.visible(user, key);
    const requester = await this.requesterOf(user, body.requesterId);
    if (requester.id !== user.id && !(await this.visibleTo(requester, row.id))) {
      throw unprocessable(`this offering is not open to the requester's organisation`, [{ pointer: '/requesterId', message: 'may not request this' }], 'offering-not-open');
    }
    if (body.version !== row.version) {
      throw new ProblemError(409, 'form-changed', 'Conflict', `the form changed (version ${row.version}, the answers are for ${body.version}): reload it and submit again`, [{ pointer: '/version', message: `now ${row.version}` }]);
    }
    const answers = tidyAnswers(row.layout, body.answers as Record<string, unknown>);
    const check = this.forms.get(row.id, row.version, row.layout).check;
    const errors: FieldError[] = check(answers) ? [] : answerErrors(row.layout, check.errors ?? []).map((e) => ({ pointer: `/answers/${e.field}`, message: e.message }));
    const names = errors.length ? {} : await this.picked(row.layout, answers as Answers, requester, errors);
    if (errors.length) throw unprocessable(errors.map((e) => e.message).join('; '), errors, 'invalid-answers');
    const locale: FormLocale = requester.locale === 'fr' ? 'fr' : 'en';
    const { ticket, replayed } = await this.tickets.create(
      user,
      {
        type: row.ticket_type as 'service_request',
        title: row.name[locale],
        description: clip(summaryText(summaryLines(row.layout, answers as Answers, locale, names), locale)),
        priority: row.priority as Priority,
        ...(body.requesterId ? { requesterId: body.requesterId } : {}),
      },
      idempotencyKey,
      undefined,
      { operatorPriority: true, offering: { queue: row.queue, presetFields: row.field_values } },
    );
    // A replayed submission writes nothing new; a first one that failed here is completed by its retry (same key).
    await this.em.fork().execute(
      `insert into ticket_request_forms (ticket_id, offering_id, version, answers) values (?, ?, ?, ?::jsonb) on conflict (ticket_id) do nothing`,
      [ticket.id, row.id, row.version, JSON.stringify(answers)],
    );
    return { ticket, replayed };
  }

  /** The answers a ticket was opened with, to whoever may see the ticket. */
  async ofTicket(user: AuthUser, ticketId: string) {
    await this.tickets.get(user, ticketId);
    return this.formOf(ticketId);
  }

  /** The answers a ticket was requested with, for a reader already allowed them (the ticket's viewers, its approvers). */
  async formOf(ticketId: string) {
    const [row] = await this.em.fork().execute<Array<{ key: string; name: { en: string; fr: string }; icon: string; version: number; layout: FormLayout; answers: Answers; created_at: DbTime }>>(
      `select o.key, o.name, o.icon, r.version, v.layout, r.answers, r.created_at from ticket_request_forms r
       join catalogue_offerings o on o.id = r.offering_id
       join catalogue_form_versions v on v.offering_id = r.offering_id and v.version = r.version
       where r.ticket_id = ?`,
      [ticketId],
    );
    if (!row) return { request: null };
    return {
      request: {
        offering: { key: row.key, name: row.name, icon: row.icon },
        version: row.version,
        form: row.layout,
        answers: row.answers,
        names: await this.names(row.layout, row.answers),
        submittedAt: iso(row.created_at),
      },
    };
  }

  private async visible(user: AuthUser, key: string): Promise<OfferingRow> {
    const scope = audience(user);
    const [row] = await this.em.fork().execute<OfferingRow[]>(`${OFFERING_SQL} where o.key = ? and ${scope.sql}`, [key, ...scope.params]);
    if (!row) throw notFound(`no offering '${key}' in your catalogue`);
    return row;
  }

  private async visibleTo(person: Pick<AuthUser, 'role' | 'organisationId'>, offeringId: string): Promise<boolean> {
    const scope = audience(person);
    const [row] = await this.em.fork().execute(`select 1 from catalogue_offerings o where o.id = ? and ${scope.sql}`, [offeringId, ...scope.params]);
    return !!row;
  }

  private async layoutOf(offeringId: string, version: number): Promise<FormLayout> {
    const [row] = await this.em.fork().execute<Array<{ layout: FormLayout }>>(`select layout from catalogue_form_versions where offering_id = ? and version = ?`, [offeringId, version]);
    if (!row) throw notFound(`no version ${version} of this form`);
    return row.layout;
  }

  private async requesterOf(user: AuthUser, requesterId: string | undefined): Promise<Pick<AuthUser, 'id' | 'role' | 'organisationId' | 'locale'>> {
    if (!requesterId || requesterId === user.id) return user;
    // Opening checks it again (customers only for themselves); here it decides whose catalogue and language apply.
    const [row] = await this.em.fork().execute<Array<{ id: string; role: AuthUser['role']; organisation_id: string | null; locale: string }>>(
      `select u.id, u.role, u.organisation_id, u.locale from users u where u.id = ? and ${ACTIVE_PERSON}`,
      [requesterId],
    );
    if (!row || !isStaff(user)) return user;
    return { id: row.id, role: row.role, organisationId: row.organisation_id, locale: row.locale };
  }

  /** Whom a person may pick in a form: staff anyone, a customer the people of their organisation (or only themselves). */
  private pickable(person: Pick<AuthUser, 'id' | 'role' | 'organisationId'>): { sql: string; params: unknown[] } {
    if (isStaff(person)) return { sql: 'true', params: [] };
    if (!person.organisationId) return { sql: 'u.id = ?', params: [person.id] };
    return { sql: `u.organisation_id = ? and u.role = 'customer'`, params: [person.organisationId] };
  }

  /** The names of the people and assets the answers picked; a pick the requester may not make is an error at its field. */
  private async picked(layout: FormLayout, answers: Answers, requester: Pick<AuthUser, 'id' | 'role' | 'organisationId'>, errors: FieldError[]): Promise<Record<string, string>> {
    const names: Record<string, string> = {};
    const em = this.em.fork();
    for (const field of layout.fields) {
      const id = answers[field.name];
      if (typeof id !== 'string' || (field.kind !== 'user' && field.kind !== 'asset')) continue;
      const [row] =
        field.kind === 'user'
          ? await em.execute<Array<{ name: string }>>(`select u.name from users u where u.id = ? and ${ACTIVE_PERSON} and ${this.pickable(requester).sql}`, [id, ...this.pickable(requester).params])
          : await em.execute<Array<{ name: string }>>(`select a.name from assets a where a.id = ? and a.category = ?`, [id, field.assetCategory ?? '']);
      if (row) names[id] = row.name;
      else errors.push({ pointer: `/answers/${field.name}`, message: `${field.name} is not one you may pick` });
    }
    return names;
  }

  /** Names as they read now (a person erased since reads as erased); a pick that no longer exists keeps its id. */
  private async names(layout: FormLayout, answers: Answers): Promise<Record<string, string>> {
    const ids = (kind: FormField['kind']) => layout.fields.filter((f) => f.kind === kind).map((f) => answers[f.name]).filter((v): v is string => typeof v === 'string');
    const users = ids('user');
    const assets = ids('asset');
    const em = this.em.fork();
    const rows = [
      ...(users.length ? await em.execute<Array<{ id: string; name: string }>>(`select id, name from users where id = any(?::uuid[])`, [`{${users.join(',')}}`]) : []),
      ...(assets.length ? await em.execute<Array<{ id: string; name: string }>>(`select id, name from assets where id = any(?::uuid[])`, [`{${assets.join(',')}}`]) : []),
    ];
    return Object.fromEntries(rows.map((r) => [r.id, r.name]));
  }
}
