// Ticket-side panels plug-ins add to the agent's ticket page: which ones a ticket has, and one's content, checked
// before it reaches the console (plain text, http(s) links only), within a time limit, a plug-in's fault its own.
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProblemError } from '../../http/problem';
import { ajv } from '../../http/validation';
import type { AuthUser } from '../auth/types';
import type { TicketService } from '../tickets/service';
import type { LoadedPlugin, PluginSet } from '../../../platform/plugins/loader';
import { pluginTicketOf } from '../../../platform/plugins/ticket';
import { withinTime } from '../../../platform/plugins/time-limit';
import type { PluginPanelContent, PluginTicketPanel } from '../../../platform/plugins/v1';

/** How long a panel may take: the agent is waiting for the page. */
const PANEL_TIMEOUT_MS = 5000;

const link = { type: 'string', maxLength: 2000, pattern: '^https?://' } as const;
export const panelContentSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    summary: { type: 'string', maxLength: 2000 },
    rows: {
      type: 'array',
      maxItems: 50,
      items: { type: 'object', required: ['label', 'value'], additionalProperties: false, properties: { label: { type: 'string', maxLength: 200 }, value: { type: 'string', maxLength: 2000 }, href: link } },
    },
    links: { type: 'array', maxItems: 20, items: { type: 'object', required: ['label', 'href'], additionalProperties: false, properties: { label: { type: 'string', maxLength: 200 }, href: link } } },
  },
} as const;
const checkContent = ajv.compile(panelContentSchema);

const titleIn = (panel: PluginTicketPanel, locale: string) => (typeof panel.title === 'string' ? panel.title : locale === 'fr' ? panel.title.fr : panel.title.en);

export class PluginPanels {
  constructor(
    private readonly set: PluginSet | null,
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
  ) {}

  private staffOnly(user: AuthUser): void {
    if (user.role === 'customer') throw new ProblemError(403, 'forbidden', 'Forbidden', 'plug-in panels are for agents and admins');
  }

  /** Panels of plug-ins that run now (loaded, settings complete). */
  private async running(): Promise<LoadedPlugin[]> {
    const loaded = this.set?.loaded() ?? [];
    const ready = await Promise.all(loaded.map(async (p) => (p.panels.length && !(await this.set!.settings.current(p.manifest!)).problems.length ? p : null)));
    return ready.filter((p): p is LoadedPlugin => p !== null);
  }

  async list(user: AuthUser, ticketId: string) {
    this.staffOnly(user);
    await this.tickets.get(user, ticketId);
    const plugins = await this.running();
    return { items: plugins.flatMap((p) => p.panels.map((panel) => ({ plugin: p.name, key: panel.key, title: titleIn(panel, user.locale) }))) };
  }

  async content(user: AuthUser, ticketId: string, pluginName: string, key: string) {
    this.staffOnly(user);
    const ticket = await this.tickets.get(user, ticketId);
    const plugin = (await this.running()).find((p) => p.name === pluginName);
    const panel = plugin?.panels.find((p) => p.key === key);
    if (!plugin || !panel) throw new ProblemError(404, 'not-found', 'Not found', `no running plug-in ${pluginName} has a panel ${key}`);
    const [row] = await this.em.fork().execute<{ sla_due_at: Date | string | null; requester_email: string | null; requester_name: string | null; organisation_name: string | null }[]>(
      `select t.sla_due_at, u.email as requester_email, u.name as requester_name, o.name as organisation_name
       from tickets t left join users u on u.id = t.requester_id left join organisations o on o.id = t.organisation_id where t.id = ?`,
      [ticketId],
    );
    let content: PluginPanelContent;
    try {
      content = await withinTime(
        () =>
          panel.load({
            ticket: pluginTicketOf({ ...ticket, slaDueAt: row?.sla_due_at ? new Date(row.sla_due_at).toISOString() : null }),
            requester: row?.requester_email ? { id: ticket.requesterId, email: row.requester_email, name: row.requester_name ?? '' } : null,
            organisation: ticket.organisationId && row?.organisation_name ? { id: ticket.organisationId, name: row.organisation_name } : null,
            caller: { id: user.id, email: user.email, role: user.role },
            locale: user.locale === 'fr' ? 'fr' : 'en',
          }),
        PANEL_TIMEOUT_MS,
        `panel ${key} did not answer within ${PANEL_TIMEOUT_MS / 1000} s`,
      );
    } catch (err) {
      if ((err as Error)?.name === 'PluginNotConfigured') throw new ProblemError(503, 'plugin-not-configured', 'Service unavailable', `the plug-in ${pluginName} is not configured yet`);
      await this.set!.report(plugin, 'route', err);
      throw new ProblemError(502, 'plugin-failed', 'Bad gateway', `the panel ${key} of ${pluginName} failed; the error is on the plug-in's admin page`);
    }
    if (!checkContent(content)) {
      await this.set!.report(plugin, 'route', new Error(`panel ${key} answered content the console cannot show: ${ajv.errorsText(checkContent.errors)}`));
      throw new ProblemError(502, 'plugin-failed', 'Bad gateway', `the panel ${key} of ${pluginName} answered content the console cannot show`);
    }
    return { plugin: pluginName, key, title: titleIn(panel, user.locale), content };
  }
}
