// Custom ticket types: admins name a kind of work (in French and English), pick the definition that runs it (its
// states, fields and SLA) and whether customers may open it. Built-in types are listed beside them and cannot change.
import { type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { countBy } from '../../../platform/db/count-by';
import { CatalogueOffering, Ticket, TicketType } from '../../../platform/db/entities/index';
import { conflict, notFound, unprocessable } from '../../http/problem';
import type { DefinitionService } from '../definitions/service';
import { BUILT_IN_TYPES, type CreateTicketTypeBody, type PatchTicketTypeBody } from './schemas';
import { unlessTaken } from '../../http/unique-conflict';

/** Built-in types customers may open from the portal (problems and work orders are staff work). */
const CUSTOMER_BUILT_INS = new Set(['incident', 'service_request']);

type Row = InferEntity<typeof TicketType>;

export interface CustomType {
  key: string;
  definitionKey: string;
  customersMayOpen: boolean;
}

const present = (r: Row, tickets?: number) => ({
  key: r.key,
  name: { en: r.nameEn, fr: r.nameFr },
  builtIn: false,
  definitionKey: r.definitionKey,
  customersMayOpen: r.customersMayOpen,
  ...(tickets !== undefined ? { tickets } : {}),
});

export class TicketTypeService {
  constructor(
    private readonly em: EntityManager,
    private readonly defs: DefinitionService,
  ) {}

  async list() {
    const em = this.em.fork();
    const rows = await em.findAll(TicketType, { orderBy: { key: 'asc' } });
    const counts = await countBy(em, Ticket, 'type', rows.map((r) => r.key));
    return {
      items: [
        ...BUILT_IN_TYPES.map((key) => ({ key, name: null, builtIn: true, definitionKey: null, customersMayOpen: CUSTOMER_BUILT_INS.has(key) })),
        ...rows.map((r) => present(r, counts.get(r.key) ?? 0)),
      ],
    };
  }

  /** A custom type, for opening a ticket of it (null for built-ins and unknown keys). */
  async custom(key: string): Promise<CustomType | null> {
    if ((BUILT_IN_TYPES as readonly string[]).includes(key)) return null;
    const row = await this.em.fork().findOne(TicketType, { key });
    return row ? { key: row.key, definitionKey: row.definitionKey, customersMayOpen: row.customersMayOpen } : null;
  }

  /** Whether a customer may open tickets of `type` from the portal. */
  async customersMayOpen(type: string): Promise<boolean> {
    return CUSTOMER_BUILT_INS.has(type) || Boolean((await this.custom(type))?.customersMayOpen);
  }

  async create(body: CreateTicketTypeBody) {
    if ((BUILT_IN_TYPES as readonly string[]).includes(body.key)) throw conflict(`'${body.key}' is a built-in type`, 'type-taken');
    await this.requirePublished(body.definitionKey);
    const em = this.em.fork();
    const row = em.create(TicketType, { key: body.key, nameEn: body.name.en.trim(), nameFr: body.name.fr.trim(), definitionKey: body.definitionKey, customersMayOpen: body.customersMayOpen ?? false });
    await unlessTaken(em.flush(), () => conflict(`a ticket type '${body.key}' exists already`, 'type-taken'));
    return present(row);
  }

  async patch(key: string, body: PatchTicketTypeBody) {
    if ((BUILT_IN_TYPES as readonly string[]).includes(key)) throw conflict(`'${key}' is a built-in type: it cannot change`, 'built-in-type');
    if (body.definitionKey) await this.requirePublished(body.definitionKey);
    const em = this.em.fork();
    const row = await em.findOne(TicketType, { key });
    if (!row) throw notFound(`no ticket type '${key}'`);
    // Only what the body names changes: the ORM writes just those columns.
    if (body.name) em.assign(row, { nameEn: body.name.en.trim(), nameFr: body.name.fr.trim() });
    if (body.definitionKey) row.definitionKey = body.definitionKey;
    if (body.customersMayOpen !== undefined) row.customersMayOpen = body.customersMayOpen;
    await em.flush();
    return present(row);
  }

  /** A type with tickets or catalogue offerings stays: they would lose what they are. */
  async remove(key: string): Promise<void> {
    if ((BUILT_IN_TYPES as readonly string[]).includes(key)) throw conflict(`'${key}' is a built-in type: it cannot be deleted`, 'built-in-type');
    await this.em.fork().transactional(async (tx) => {
      const tickets = await tx.count(Ticket, { type: key });
      const offerings = await tx.count(CatalogueOffering, { ticketType: key });
      if (tickets || offerings) throw conflict(`'${key}' is used by ${tickets} ticket(s) and ${offerings} catalogue offering(s)`, 'type-in-use');
      if (!(await tx.nativeDelete(TicketType, { key }))) throw notFound(`no ticket type '${key}'`);
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
