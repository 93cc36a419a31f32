// The catalogue as requesters use it: the offerings they may see, a form and its compiled check, the people and assets a
// picker offers, a submission (checked with the same compiled code the console ran, then opened as a ticket pinned to
// the form version), and a ticket's answers as its readers see them.
import { raw, type FilterQuery, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { summaryLines, summaryText, answerErrors, tidyAnswers, type Answers, type FormField, type FormLayout, type FormLocale, type Priority } from '../../../workflow-definitions/index';
import { Asset, CatalogueFormVersion, CatalogueOffering, InboundEndpoint, TicketRequestForm, User } from '../../../platform/db/entities/index';
import { escapeLike } from '../../../platform/db/like';
import { ProblemError, notFound, unprocessable, type FieldError } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import type { OpeningOptions } from '../tickets/opening';
import type { TicketService } from '../tickets/service';
import { CompiledForms } from './form-check';
import { CATALOGUE_ORDER, localised, withForms, type OfferingWithForm } from './offerings';
import type { RequestBody } from './schemas';
import { organisationNames } from '../iam/organisation-names';

const isStaff = (user: Pick<AuthUser, 'role'>) => user.role === 'agent' || user.role === 'admin';

/** Published offerings this person may see: staff every one, a customer those open to everyone or to their organisation. */
function audience(user: Pick<AuthUser, 'role' | 'organisationId'>): FilterQuery<InferEntity<typeof CatalogueOffering>> {
  if (isStaff(user)) return { published: true };
  const everyone = { [raw((alias) => `cardinality(${alias}.organisation_ids)`)]: 0 };
  return { published: true, $or: user.organisationId ? [everyone, { organisationIds: { $contains: [user.organisationId] } }] : [everyone] };
}

/** Offerings whose name, description or category matches `like` in either language. */
const mentioning = (like: string) =>
  (['name', 'description', 'category'] as const).flatMap((column) => (['en', 'fr'] as const).map((locale) => ({ [raw((alias) => `${alias}.${column}->>'${locale}'`)]: { $ilike: like } })));

/** Active accounts people can be: never disabled, never an integration's service account. */
const activePerson = (em: EntityManager): FilterQuery<InferEntity<typeof User>> => ({ disabled: false, id: { $nin: em.createQueryBuilder(InboundEndpoint, 'ie').select('actorId') } });

/** Names are sorted whatever their case, in the database's collation. */
const BY_NAME = [{ [raw((alias) => `lower(${alias}.name)`)]: 'asc' }, { id: 'asc' }] as const;

/** A ticket's description holds 20,000 characters; the answers themselves are kept whole with the request form. */
const DESCRIPTION_MAX = 20_000;
const clip = (text: string) => (text.length <= DESCRIPTION_MAX ? text : `${text.slice(0, DESCRIPTION_MAX - 1)}…`);

const item = (r: OfferingWithForm) => ({ key: r.key, name: localised(r.name), description: localised(r.description), category: localised(r.category), icon: r.icon, ticketType: r.ticketType, version: r.version });

export class CatalogueRequests {
  private readonly forms = new CompiledForms();

  constructor(
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
  ) {}

  async list(user: AuthUser, q?: string) {
    const em = this.em.fork();
    const rows = await em.find(CatalogueOffering, q?.trim() ? { $and: [audience(user), { $or: mentioning(`%${escapeLike(q.trim())}%`) }] } : audience(user), { orderBy: [...CATALOGUE_ORDER] });
    return (await withForms(em, rows)).map(item);
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
    const em = this.em.fork();
    if (field.kind === 'asset') {
      const assets = await em.find(Asset, { category: field.assetCategory ?? '', name: { $ilike: like } }, { fields: ['id', 'name', 'location'], orderBy: [...BY_NAME], limit: 20 });
      // Where an asset stands is for staff: a customer picks by name alone.
      return assets.map((a) => ({ id: a.id, name: a.name, detail: isStaff(user) ? a.location : '' }));
    }
    const people = await em.find(User, { $and: [activePerson(em), this.pickable(user), { $or: [{ name: { $ilike: like } }, { email: { $ilike: like } }] }] }, {
      fields: ['id', 'name', 'organisationId'],
      orderBy: [...BY_NAME],
      limit: 20,
    });
    const orgs = await organisationNames(em, people);
    return people.map((u) => ({ id: u.id, name: u.name, detail: (u.organisationId && orgs.get(u.organisationId)) || '' }));
  }

  /** Checks the answers against the version the requester was shown, then opens the ticket with the offering's settings. */
  /** `admit`: backpressure on the ticket's timers (OpeningOptions). */
  async submit(user: AuthUser, key: string, body: RequestBody, idempotencyKey?: string, admit?: OpeningOptions['admit']) {
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
        type: row.ticketType as 'service_request',
        title: localised(row.name)[locale],
        description: clip(summaryText(summaryLines(row.layout, answers as Answers, locale, names), locale)),
        priority: row.priority as Priority,
        ...(body.requesterId ? { requesterId: body.requesterId } : {}),
      },
      idempotencyKey,
      undefined,
      { operatorPriority: true, offering: { queue: row.queue ?? null, presetFields: row.fieldValues as Record<string, string | number | boolean> }, admit },
    );
    // A replayed submission writes nothing new; a first one that failed here is completed by its retry (same key).
    await this.em
      .fork()
      .createQueryBuilder(TicketRequestForm)
      .insert({ ticketId: ticket.id, offeringId: row.id, version: row.version, answers })
      .onConflict('ticketId')
      .ignore()
      .execute();
    return { ticket, replayed };
  }

  /** The answers a ticket was opened with, to whoever may see the ticket. */
  async ofTicket(user: AuthUser, ticketId: string) {
    await this.tickets.get(user, ticketId);
    return this.formOf(ticketId);
  }

  /** The answers a ticket was requested with, for a reader already allowed them (the ticket's viewers, its approvers). */
  async formOf(ticketId: string) {
    const em = this.em.fork();
    const row = await em.findOne(TicketRequestForm, ticketId);
    const offering = row && (await em.findOne(CatalogueOffering, row.offeringId, { fields: ['key', 'name', 'icon'] }));
    const form = row && (await em.findOne(CatalogueFormVersion, { offeringId: row.offeringId, version: row.version }));
    if (!row || !offering || !form) return { request: null };
    const layout = form.layout as FormLayout;
    const answers = row.answers as Answers;
    return {
      request: {
        offering: { key: offering.key, name: localised(offering.name), icon: offering.icon },
        version: row.version,
        form: layout,
        answers,
        names: await this.names(layout, answers),
        submittedAt: row.createdAt.toISOString(),
      },
    };
  }

  private async visible(user: AuthUser, key: string): Promise<OfferingWithForm> {
    const em = this.em.fork();
    const offering = await em.findOne(CatalogueOffering, { $and: [{ key }, audience(user)] });
    const [row] = await withForms(em, offering ? [offering] : []);
    if (!row) throw notFound(`no offering '${key}' in your catalogue`);
    return row;
  }

  private async visibleTo(person: Pick<AuthUser, 'role' | 'organisationId'>, offeringId: string): Promise<boolean> {
    return (await this.em.fork().count(CatalogueOffering, { $and: [{ id: offeringId }, audience(person)] })) > 0;
  }

  private async layoutOf(offeringId: string, version: number): Promise<FormLayout> {
    const row = await this.em.fork().findOne(CatalogueFormVersion, { offeringId, version });
    if (!row) throw notFound(`no version ${version} of this form`);
    return row.layout as FormLayout;
  }

  private async requesterOf(user: AuthUser, requesterId: string | undefined): Promise<Pick<AuthUser, 'id' | 'role' | 'organisationId' | 'locale'>> {
    if (!requesterId || requesterId === user.id) return user;
    // Opening checks it again (customers only for themselves); here it decides whose catalogue and language apply.
    const em = this.em.fork();
    const row = await em.findOne(User, { $and: [{ id: requesterId }, activePerson(em)] }, { fields: ['id', 'role', 'organisationId', 'locale'] });
    if (!row || !isStaff(user)) return user;
    return { id: row.id, role: row.role as AuthUser['role'], organisationId: row.organisationId ?? null, locale: row.locale };
  }

  /** Whom a person may pick in a form: staff anyone, a customer the people of their organisation (or only themselves). */
  private pickable(person: Pick<AuthUser, 'id' | 'role' | 'organisationId'>): FilterQuery<InferEntity<typeof User>> {
    if (isStaff(person)) return {};
    if (!person.organisationId) return { id: person.id };
    return { organisationId: person.organisationId, role: 'customer' };
  }

  /** The names of the people and assets the answers picked; a pick the requester may not make is an error at its field. */
  private async picked(layout: FormLayout, answers: Answers, requester: Pick<AuthUser, 'id' | 'role' | 'organisationId'>, errors: FieldError[]): Promise<Record<string, string>> {
    const names: Record<string, string> = {};
    const em = this.em.fork();
    for (const field of layout.fields) {
      const id = answers[field.name];
      if (typeof id !== 'string' || (field.kind !== 'user' && field.kind !== 'asset')) continue;
      const row =
        field.kind === 'user'
          ? await em.findOne(User, { $and: [{ id }, activePerson(em), this.pickable(requester)] }, { fields: ['name'] })
          : await em.findOne(Asset, { id, category: field.assetCategory ?? '' }, { fields: ['name'] });
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
      ...(users.length ? await em.find(User, { id: { $in: users } }, { fields: ['id', 'name'] }) : []),
      ...(assets.length ? await em.find(Asset, { id: { $in: assets } }, { fields: ['id', 'name'] }) : []),
    ];
    return Object.fromEntries(rows.map((r) => [r.id, r.name]));
  }
}
