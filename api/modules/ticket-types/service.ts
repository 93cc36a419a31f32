// Custom ticket types: admins name a kind of work (in French and English), pick the definition that runs it (its
// states, fields and SLA) and whether customers may open it. Built-in types are listed beside them and cannot change.
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound, unprocessable } from '../../http/problem';
import type { DefinitionService } from '../definitions/service';
import { BUILT_IN_TYPES, type CreateTicketTypeBody, type PatchTicketTypeBody } from './schemas';

/** Built-in types customers may open from the portal (problems and work orders are staff work). */
const CUSTOMER_BUILT_INS = new Set(['incident', 'service_request']);

interface Row {
  key: string;
  name_en: string;
  name_fr: string;
  definition_key: string;
  customers_may_open: boolean;
  tickets?: number;
}

export interface CustomType {
  key: string;
  definitionKey: string;
  customersMayOpen: boolean;
}

const present = (r: Row) => ({
  key: r.key,
  name: { en: r.name_en, fr: r.name_fr },
  builtIn: false,
  definitionKey: r.definition_key,
  customersMayOpen: r.customers_may_open,
  ...(r.tickets !== undefined ? { tickets: Number(r.tickets) } : {}),
});

export class TicketTypeService {
  constructor(
    private readonly em: EntityManager,
    private readonly defs: DefinitionService,
  ) {}

  async list() {
    const rows = await this.em
      .fork()
      .execute<Row[]>(`select k.*, (select count(*) from tickets t where t.type = k.key) as tickets from ticket_types k order by k.key`);
    return {
      items: [
        ...BUILT_IN_TYPES.map((key) => ({ key, name: null, builtIn: true, definitionKey: null, customersMayOpen: CUSTOMER_BUILT_INS.has(key) })),
        ...rows.map(present),
      ],
    };
  }

  /** A custom type, for opening a ticket of it (null for built-ins and unknown keys). */
  async custom(key: string): Promise<CustomType | null> {
    if ((BUILT_IN_TYPES as readonly string[]).includes(key)) return null;
    const [row] = await this.em.fork().execute<Row[]>(`select * from ticket_types where key = ?`, [key]);
    return row ? { key: row.key, definitionKey: row.definition_key, customersMayOpen: row.customers_may_open } : null;
  }

  /** Whether a customer may open tickets of `type` from the portal. */
  async customersMayOpen(type: string): Promise<boolean> {
    return CUSTOMER_BUILT_INS.has(type) || Boolean((await this.custom(type))?.customersMayOpen);
  }

  async create(body: CreateTicketTypeBody) {
    if ((BUILT_IN_TYPES as readonly string[]).includes(body.key)) throw conflict(`'${body.key}' is a built-in type`, 'type-taken');
    await this.requirePublished(body.definitionKey);
    const [row] = await this.em.fork().execute<Row[]>(
      `insert into ticket_types (key, name_en, name_fr, definition_key, customers_may_open) values (?, ?, ?, ?, ?) on conflict (key) do nothing returning *`,
      [body.key, body.name.en.trim(), body.name.fr.trim(), body.definitionKey, body.customersMayOpen ?? false],
    );
    if (!row) throw conflict(`a ticket type '${body.key}' exists already`, 'type-taken');
    return present(row);
  }

  async patch(key: string, body: PatchTicketTypeBody) {
    if ((BUILT_IN_TYPES as readonly string[]).includes(key)) throw conflict(`'${key}' is a built-in type: it cannot change`, 'built-in-type');
    if (body.definitionKey) await this.requirePublished(body.definitionKey);
    const [row] = await this.em.fork().execute<Row[]>(
      `update ticket_types set name_en = coalesce(?, name_en), name_fr = coalesce(?, name_fr), definition_key = coalesce(?, definition_key),
         customers_may_open = coalesce(?, customers_may_open) where key = ? returning *`,
      [body.name?.en.trim() ?? null, body.name?.fr.trim() ?? null, body.definitionKey ?? null, body.customersMayOpen ?? null, key],
    );
    if (!row) throw notFound(`no ticket type '${key}'`);
    return present(row);
  }

  /** A type with tickets or catalogue offerings stays: they would lose what they are. */
  async remove(key: string): Promise<void> {
    if ((BUILT_IN_TYPES as readonly string[]).includes(key)) throw conflict(`'${key}' is a built-in type: it cannot be deleted`, 'built-in-type');
    await this.em.fork().transactional(async (tx) => {
      const [used] = await tx.execute<Array<{ tickets: number; offerings: number }>>(
        `select (select count(*) from tickets where type = ?)::int as tickets, (select count(*) from catalogue_offerings where ticket_type = ?)::int as offerings`,
        [key, key],
      );
      if (used!.tickets || used!.offerings) throw conflict(`'${key}' is used by ${used!.tickets} ticket(s) and ${used!.offerings} catalogue offering(s)`, 'type-in-use');
      const done = await tx.execute(`delete from ticket_types where key = ?`, [key], 'run');
      if (!(done as { affectedRows?: number }).affectedRows) throw notFound(`no ticket type '${key}'`);
    });
  }

  private async requirePublished(definitionKey: string): Promise<void> {
    const published = await this.defs.published();
    const def = published.find((d) => d.key === definitionKey);
    if (!def) throw unprocessable(`no published definition '${definitionKey}'`, [{ pointer: '/definitionKey', message: 'no published definition with this key' }], 'unknown-definition');
    if ((def.body.types as readonly string[]).includes('maintenance')) {
      throw unprocessable('maintenance definitions run work orders of plans only', [{ pointer: '/definitionKey', message: 'a maintenance definition' }], 'unknown-definition');
    }
  }
}
