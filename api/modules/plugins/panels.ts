// Ticket-side panels plug-ins add to the agent's ticket page: which ones a ticket has, and one's content (loaded and
// checked by content.ts), with the ticket's visibility applied first.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Organisation, Ticket, User } from '../../../platform/db/entities/index';
import { ProblemError } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import type { TicketService } from '../tickets/service';
import type { PluginSet } from '../../../platform/plugins/loader';
import { pluginTicketOf } from '../../../platform/plugins/ticket';
import { loadContent, panelContentSchema, runningPlugins, titleIn } from './content';

export class PluginPanels {
  constructor(
    private readonly set: PluginSet | null,
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
  ) {}

  private staffOnly(user: AuthUser): void {
    if (user.role === 'customer') throw new ProblemError(403, 'forbidden', 'Forbidden', 'plug-in panels are for agents and admins');
  }

  async list(user: AuthUser, ticketId: string) {
    this.staffOnly(user);
    await this.tickets.get(user, ticketId);
    const plugins = await runningPlugins(this.set, (p) => p.panels.length > 0);
    return { items: plugins.flatMap((p) => p.panels.map((panel) => ({ plugin: p.name, key: panel.key, title: titleIn(panel.title, user.locale) }))) };
  }

  async content(user: AuthUser, ticketId: string, pluginName: string, key: string) {
    this.staffOnly(user);
    const ticket = await this.tickets.get(user, ticketId);
    const plugin = (await runningPlugins(this.set, (p) => p.name === pluginName))[0];
    const panel = plugin?.panels.find((p) => p.key === key);
    if (!plugin || !panel) throw new ProblemError(404, 'not-found', 'Not found', `no running plug-in ${pluginName} has a panel ${key}`);
    const em = this.em.fork();
    const [row, requester, organisation] = await Promise.all([
      em.findOne(Ticket, ticketId, { fields: ['slaDueAt'] }),
      em.findOne(User, ticket.requesterId, { fields: ['email', 'name'] }),
      ticket.organisationId ? em.findOne(Organisation, ticket.organisationId, { fields: ['name'] }) : null,
    ]);
    const content = await loadContent(
      this.set!,
      plugin,
      `panel ${key}`,
      () =>
        panel.load({
          ticket: pluginTicketOf({ ...ticket, slaDueAt: row?.slaDueAt?.toISOString() ?? null }),
          requester: requester ? { id: ticket.requesterId, email: requester.email, name: requester.name } : null,
          organisation: ticket.organisationId && organisation ? { id: ticket.organisationId, name: organisation.name } : null,
          caller: { id: user.id, email: user.email, role: user.role },
          locale: user.locale === 'fr' ? 'fr' : 'en',
        }),
      panelContentSchema,
    );
    return { plugin: pluginName, key, title: titleIn(panel.title, user.locale), content };
  }
}
