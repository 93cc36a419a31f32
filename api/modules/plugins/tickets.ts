// What `host.tickets` does in the API: a plug-in acts on a ticket as one staff member, through the ticket service, so
// that person's queues, role and the definition's rules decide; the desk's refusals reach the plug-in as PluginErrors.
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../../platform/db/entities/index';
import { ProblemError } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import type { TicketService } from '../tickets/service';
import { pluginTicketOf } from '../../../platform/plugins/ticket';
import { PluginError, type PluginActor, type PluginTicket, type PluginTickets } from '../../../platform/plugins/v1';

async function refusalsAsPluginErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ProblemError && err.status < 500) throw new PluginError(err.status, err.message);
    throw err;
  }
}

/** Transition fields are text, numbers and yes/no, as the console sends them. */
function scalars(fields: Record<string, unknown>): Record<string, string | number | boolean> {
  for (const [k, v] of Object.entries(fields)) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw new PluginError(422, `field ${k} must be text, a number or yes/no`);
  }
  return fields as Record<string, string | number | boolean>;
}

export function pluginTickets(em: EntityManager, tickets: TicketService): PluginTickets {
  /** Only an enabled staff account can be acted as: a chat user mapped to a customer or to nobody acts on nothing. */
  const staff = async (as: PluginActor): Promise<AuthUser> => {
    const email = typeof as?.email === 'string' ? as.email.trim().toLowerCase() : '';
    const row = email ? await em.fork().findOne(User, { email, role: { $in: ['agent', 'admin'] }, disabled: false }, { fields: ['id'] }) : null;
    const user = row ? await tickets.userById(row.id) : null;
    if (!user) throw new PluginError(404, `no enabled agent or admin has the e-mail ${email || '(none)'}`);
    return user;
  };
  const view = async (user: AuthUser, id: string): Promise<PluginTicket> => {
    const t = await tickets.get(user, id);
    return pluginTicketOf({ ...t, slaDueAt: null } as unknown as PluginTicket);
  };
  return {
    get: (id, as) => refusalsAsPluginErrors(async () => view(await staff(as), id)),
    transitions: (id, as) =>
      refusalsAsPluginErrors(async () => (await tickets.transitions(await staff(as), id)).map((t) => ({ name: t.name, label: { en: t.label.en, fr: t.label.fr }, to: t.to }))),
    act: (id, as, action) =>
      refusalsAsPluginErrors(async () => {
        const user = await staff(as);
        if (action?.action === 'take') await tickets.assign(user, id, { assigneeId: user.id });
        else if (action?.action === 'transition') await tickets.transition(user, id, { transition: String(action.transition), ...(action.fields ? { fields: scalars(action.fields) } : {}) });
        else if (action?.action === 'comment') await tickets.comment(user, id, { body: String(action.body), visibility: action.visibility === 'internal' ? 'internal' : 'public' });
        else throw new PluginError(422, `unknown ticket action ${JSON.stringify((action as { action?: unknown })?.action)}`);
        return view(user, id);
      }),
  };
}
