// Catalogue offerings as admins edit them: each save checks the whole offering (form, organisations, queue, the
// definition's fields) before anything is written, and a changed form becomes a new version, so requests already
// submitted keep the form they were given.
import { randomUUID } from 'node:crypto';
import { LockMode, raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { fieldErrors, layoutErrors, type FormLayout } from '../../../workflow-definitions/index';
import { countBy } from '../../../platform/db/count-by';
import { CatalogueFormVersion, CatalogueOffering, Organisation, Queue, TicketRequestForm } from '../../../platform/db/entities/index';
import { conflict, notFound, ProblemError, unprocessable, type FieldError } from '../../http/problem';
import type { DefinitionService } from '../definitions/service';
import { compileForm } from './form-check';
import type { OfferingBody, OfferingPatch } from './schemas';

type Offering = InferEntity<typeof CatalogueOffering>;
/** An offering with the layout of its current form version. */
export type OfferingWithForm = Offering & { layout: FormLayout };

/** A name, description or category as stored (the JSON columns are untyped on the entity; the offering's schema wrote them). */
export const localised = (v: unknown) => v as { en: string; fr: string };

/** Offerings in catalogue order: by category, then name, in English. */
export const CATALOGUE_ORDER = [{ [raw((alias) => `${alias}.category->>'en'`)]: 'asc' }, { [raw((alias) => `${alias}.name->>'en'`)]: 'asc' }] as const;

/** The offerings with the layout of their current form version; one deleted meanwhile is left out. */
export async function withForms(em: EntityManager, offerings: Offering[]): Promise<OfferingWithForm[]> {
  if (!offerings.length) return [];
  const versions = await em.find(CatalogueFormVersion, { $or: offerings.map((o) => ({ offeringId: o.id, version: o.version })) });
  const layouts = new Map(versions.map((v) => [`${v.offeringId}:${v.version}`, v.layout as FormLayout]));
  return offerings.flatMap((o) => {
    const layout = layouts.get(`${o.id}:${o.version}`);
    return layout ? [{ ...o, layout }] : [];
  });
}

const keyTaken = (key: string) => new ProblemError(409, 'offering-key-taken', 'Conflict', `an offering is already called '${key}'`, [{ pointer: '/key', message: 'already used' }]);

/** JSON with keys in a fixed order, so a layout read back from jsonb compares equal to the same layout sent again. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export class OfferingService {
  constructor(
    private readonly em: EntityManager,
    private readonly definitions: DefinitionService,
  ) {}

  async list() {
    const em = this.em.fork();
    return this.presented(em, await withForms(em, await em.findAll(CatalogueOffering, { orderBy: [...CATALOGUE_ORDER] })));
  }

  async get(id: string) {
    const em = this.em.fork();
    const offering = await em.findOne(CatalogueOffering, id);
    const [view] = await this.presented(em, await withForms(em, offering ? [offering] : []));
    if (!view) throw notFound(`no offering ${id}`);
    return view;
  }

  /** Offerings as admins see them: with how many requests came through each. */
  private async presented(em: EntityManager, offerings: OfferingWithForm[]) {
    const requests = await countBy(em, TicketRequestForm, 'offeringId', offerings.map((o) => o.id));
    return offerings.map((o) => present(o, requests.get(o.id) ?? 0));
  }

  async create(body: OfferingBody, by: string) {
    await this.check(body);
    const id = randomUUID();
    const em = this.em.fork();
    await em.transactional(async (tx) => {
      if (await tx.count(CatalogueOffering, { key: body.key })) throw keyTaken(body.key);
      await tx.insert(CatalogueOffering, { id, ...columns(body) });
      await tx.insert(CatalogueFormVersion, { offeringId: id, version: 1, layout: body.form, createdBy: by });
    });
    return this.get(id);
  }

  async update(id: string, patch: OfferingPatch, by: string) {
    const current = await this.get(id);
    const next: OfferingBody = { ...stripView(current), ...patch } as OfferingBody;
    await this.check(next);
    const formChanged = patch.form !== undefined && canonical(patch.form) !== canonical(current.form);
    await this.em.fork().transactional(async (tx) => {
      if (next.key !== current.key && (await tx.count(CatalogueOffering, { key: next.key, id: { $ne: id } }))) throw keyTaken(next.key);
      // The version moves under a row lock: two admins saving a new form at once make two versions, never one twice.
      const row = await tx.findOne(CatalogueOffering, id, { fields: ['version'], lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) throw notFound(`no offering ${id}`);
      const version = formChanged ? row.version + 1 : row.version;
      if (formChanged) await tx.insert(CatalogueFormVersion, { offeringId: id, version, layout: next.form, createdBy: by });
      // now(): the database's clock, as created_at's default, not this process's.
      await tx.nativeUpdate(CatalogueOffering, { id }, { ...columns(next), version, updatedAt: raw('now()') });
    });
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      // Locked first: a request being submitted with it waits, then finds it gone.
      if (!(await tx.findOne(CatalogueOffering, id, { fields: ['id'], lockMode: LockMode.PESSIMISTIC_WRITE }))) throw notFound(`no offering ${id}`);
      const requests = await tx.count(TicketRequestForm, { offeringId: id });
      if (requests > 0) throw conflict(`${requests} request(s) were submitted with this offering and keep its form: unpublish it instead`, 'offering-in-use');
      await tx.nativeDelete(CatalogueOffering, { id });
    });
  }

  /** Every error of the offering at once, each at its pointer; nothing is written while one remains. */
  private async check(body: OfferingBody): Promise<void> {
    const errors: FieldError[] = layoutErrors(body.form).map((e) => ({ pointer: `/form${e.pointer}`, message: e.message }));
    if (!errors.length) compileForm(body.form);
    const em = this.em.fork();
    if (body.organisationIds?.length) {
      const found = await em.find(Organisation, { id: { $in: body.organisationIds } }, { fields: ['id'] });
      const known = new Set(found.map((r) => r.id));
      body.organisationIds.forEach((o, i) => known.has(o) || errors.push({ pointer: `/organisationIds/${i}`, message: `no organisation ${o}` }));
    }
    if (body.queue) {
      if (!(await em.count(Queue, { key: body.queue }))) errors.push({ pointer: '/queue', message: `no queue '${body.queue}'` });
    }
    const def = body.ticketType === 'maintenance' ? undefined : await this.definitions.forType(body.ticketType);
    if (body.ticketType === 'maintenance') errors.push({ pointer: '/ticketType', message: 'work orders come from maintenance plans, not from requests' });
    else if (!def) {
      errors.push({ pointer: '/ticketType', message: `no published workflow definition serves '${body.ticketType}'` });
    } else {
      const fields = body.fields ?? {};
      errors.push(...fieldErrors(def.body, fields));
      for (const f of def.body.fields ?? []) {
        if (f.requiredOnCreate && (fields[f.name] === undefined || fields[f.name] === '')) {
          errors.push({ pointer: `/fields/${f.name}`, message: `${def.body.key} needs ${f.name} when a ticket opens: give it a value here` });
        }
      }
    }
    if (errors.length) throw unprocessable(errors.map((e) => e.message).join('; '), errors, 'invalid-offering');
  }
}

/** The offering's columns as the body gives them. */
function columns(body: OfferingBody) {
  return {
    key: body.key,
    name: body.name,
    description: body.description,
    category: body.category,
    icon: body.icon,
    organisationIds: body.organisationIds ?? [],
    ticketType: body.ticketType,
    queue: body.queue ?? null,
    priority: body.priority,
    fieldValues: body.fields ?? {},
    published: body.published ?? false,
  };
}

function present(r: OfferingWithForm, requests: number) {
  return {
    id: r.id,
    key: r.key,
    name: localised(r.name),
    description: localised(r.description),
    category: localised(r.category),
    icon: r.icon,
    organisationIds: r.organisationIds,
    ticketType: r.ticketType,
    queue: r.queue ?? null,
    priority: r.priority,
    fields: r.fieldValues as Record<string, string | number | boolean>,
    published: r.published,
    version: r.version,
    form: r.layout,
    requests,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function stripView(view: ReturnType<typeof present>): OfferingBody {
  const { key, name, description, category, icon, organisationIds, ticketType, queue, priority, fields, published, form } = view;
  return { key, name, description, category, icon, organisationIds, ticketType, queue, priority, fields, published, form } as OfferingBody;
}
