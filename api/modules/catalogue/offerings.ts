// Catalogue offerings as admins edit them: each save checks the whole offering (form, organisations, queue, the
// definition's fields) before anything is written, and a changed form becomes a new version, so requests already
// submitted keep the form they were given.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { fieldErrors, layoutErrors, type FormLayout } from '../../../workflow-definitions/index';
import { iso, type DbTime } from '../../../platform/db/time';
import { conflict, notFound, ProblemError, unprocessable, type FieldError } from '../../http/problem';
import type { DefinitionService } from '../definitions/service';
import { compileForm } from './form-check';
import type { OfferingBody, OfferingPatch } from './schemas';

export interface OfferingRow {
  id: string;
  key: string;
  name: { en: string; fr: string };
  description: { en: string; fr: string };
  category: { en: string; fr: string };
  icon: string;
  organisation_ids: string[];
  ticket_type: string;
  queue: string | null;
  priority: string;
  field_values: Record<string, string | number | boolean>;
  published: boolean;
  version: number;
  layout: FormLayout;
  created_at: DbTime;
  updated_at: DbTime;
}

/** An offering with the layout of its current form version. */
export const OFFERING_SQL = `select o.*, v.layout from catalogue_offerings o
  join catalogue_form_versions v on v.offering_id = o.id and v.version = o.version`;

/** Offerings as admins see them: with how many requests came through each. */
const WITH_REQUESTS = `select x.*, (select count(*)::int from ticket_request_forms r where r.offering_id = x.id) as requests from (${OFFERING_SQL}) x`;

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
    const rows = await this.em.fork().execute<Array<OfferingRow & { requests: number }>>(`${WITH_REQUESTS} order by x.category->>'en', x.name->>'en'`);
    return rows.map(present);
  }

  async get(id: string) {
    const [row] = await this.em.fork().execute<Array<OfferingRow & { requests: number }>>(`${WITH_REQUESTS} where x.id = ?`, [id]);
    if (!row) throw notFound(`no offering ${id}`);
    return present(row);
  }

  async create(body: OfferingBody, by: string) {
    await this.check(body);
    const id = randomUUID();
    const em = this.em.fork();
    await em.transactional(async (tx) => {
      const [taken] = await tx.execute(`select 1 from catalogue_offerings where key = ?`, [body.key]);
      if (taken) throw new ProblemError(409, 'offering-key-taken', 'Conflict', `an offering is already called '${body.key}'`, [{ pointer: '/key', message: 'already used' }]);
      await tx.execute(
        `insert into catalogue_offerings (id, key, name, description, category, icon, organisation_ids, ticket_type, queue, priority, field_values, published)
         values (?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?::uuid[], ?, ?, ?, ?::jsonb, ?)`,
        [id, body.key, JSON.stringify(body.name), JSON.stringify(body.description), JSON.stringify(body.category), body.icon, toPgArray(body.organisationIds ?? []), body.ticketType, body.queue ?? null, body.priority, JSON.stringify(body.fields ?? {}), body.published ?? false],
      );
      await tx.execute(`insert into catalogue_form_versions (offering_id, version, layout, created_by) values (?, 1, ?::jsonb, ?)`, [id, JSON.stringify(body.form), by]);
    });
    return this.get(id);
  }

  async update(id: string, patch: OfferingPatch, by: string) {
    const current = await this.get(id);
    const next: OfferingBody = { ...stripView(current), ...patch } as OfferingBody;
    await this.check(next);
    const formChanged = patch.form !== undefined && canonical(patch.form) !== canonical(current.form);
    await this.em.fork().transactional(async (tx) => {
      if (next.key !== current.key) {
        const [taken] = await tx.execute(`select 1 from catalogue_offerings where key = ? and id <> ?`, [next.key, id]);
        if (taken) throw new ProblemError(409, 'offering-key-taken', 'Conflict', `an offering is already called '${next.key}'`, [{ pointer: '/key', message: 'already used' }]);
      }
      // The version moves under a row lock: two admins saving a new form at once make two versions, never one twice.
      const [row] = await tx.execute<Array<{ version: number }>>(`select version from catalogue_offerings where id = ? for update`, [id]);
      if (!row) throw notFound(`no offering ${id}`);
      const version = formChanged ? row.version + 1 : row.version;
      if (formChanged) await tx.execute(`insert into catalogue_form_versions (offering_id, version, layout, created_by) values (?, ?, ?::jsonb, ?)`, [id, version, JSON.stringify(next.form), by]);
      await tx.execute(
        `update catalogue_offerings set key = ?, name = ?::jsonb, description = ?::jsonb, category = ?::jsonb, icon = ?, organisation_ids = ?::uuid[], ticket_type = ?,
           queue = ?, priority = ?, field_values = ?::jsonb, published = ?, version = ?, updated_at = now() where id = ?`,
        [next.key, JSON.stringify(next.name), JSON.stringify(next.description), JSON.stringify(next.category), next.icon, toPgArray(next.organisationIds ?? []), next.ticketType, next.queue ?? null, next.priority, JSON.stringify(next.fields ?? {}), next.published ?? false, version, id],
      );
    });
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      const [row] = await tx.execute<Array<{ requests: number }>>(
        `select (select count(*)::int from ticket_request_forms r where r.offering_id = o.id) as requests from catalogue_offerings o where o.id = ? for update`,
        [id],
      );
      if (!row) throw notFound(`no offering ${id}`);
      if (row.requests > 0) throw conflict(`${row.requests} request(s) were submitted with this offering and keep its form: unpublish it instead`, 'offering-in-use');
      await tx.execute(`delete from catalogue_offerings where id = ?`, [id]);
    });
  }

  /** Every error of the offering at once, each at its pointer; nothing is written while one remains. */
  private async check(body: OfferingBody): Promise<void> {
    const errors: FieldError[] = layoutErrors(body.form).map((e) => ({ pointer: `/form${e.pointer}`, message: e.message }));
    if (!errors.length) compileForm(body.form);
    const em = this.em.fork();
    if (body.organisationIds?.length) {
      const found = await em.execute<Array<{ id: string }>>(`select id from organisations where id = any(?::uuid[])`, [toPgArray(body.organisationIds)]);
      const known = new Set(found.map((r) => r.id));
      body.organisationIds.forEach((o, i) => known.has(o) || errors.push({ pointer: `/organisationIds/${i}`, message: `no organisation ${o}` }));
    }
    if (body.queue) {
      const [queue] = await em.execute(`select 1 from queues where key = ?`, [body.queue]);
      if (!queue) errors.push({ pointer: '/queue', message: `no queue '${body.queue}'` });
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

const toPgArray = (ids: readonly string[]) => `{${ids.join(',')}}`;

function present(r: OfferingRow & { requests: number }) {
  return {
    id: r.id,
    key: r.key,
    name: r.name,
    description: r.description,
    category: r.category,
    icon: r.icon,
    organisationIds: r.organisation_ids,
    ticketType: r.ticket_type,
    queue: r.queue,
    priority: r.priority,
    fields: r.field_values,
    published: r.published,
    version: r.version,
    form: r.layout,
    requests: r.requests,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

function stripView(view: ReturnType<typeof present>): OfferingBody {
  const { key, name, description, category, icon, organisationIds, ticketType, queue, priority, fields, published, form } = view;
  return { key, name, description, category, icon, organisationIds, ticketType, queue, priority, fields, published, form } as OfferingBody;
}
