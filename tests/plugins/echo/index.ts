// A plug-in that uses every extension point of the plug-in API v1: its own migrations and table, settings with a
// secret, public, user and admin routes (validated bodies, a refusal, a fault), a ticket-event listener, panels,
// pages, an action, and a schedule that writes through the desk's directory.
import { definePlugin } from '../../../platform/plugins/v1';

interface EchoSettings {
  greeting: string;
  apiToken?: string;
  maxItems?: number;
  mode?: 'quiet' | 'chatty';
  enabled?: boolean;
  tallyEveryMinutes?: number;
}

export default definePlugin({
  register(host) {
    host.route({
      method: 'get',
      path: '/ping',
      summary: 'Answers pong to anyone',
      access: 'public',
      response: { type: 'object', properties: { pong: { type: 'boolean' } } },
      handler: () => ({ body: { pong: true } }),
    });
    host.route({
      method: 'get',
      path: '/hello',
      summary: 'Greets the caller with the configured greeting',
      access: 'user',
      handler: async ({ caller }) => {
        const settings = await host.settings<EchoSettings>();
        return { body: { greeting: `${settings.greeting}, ${caller!.email}`, tokenSet: Boolean(settings.apiToken), role: caller!.role } };
      },
    });
    host.route({
      method: 'post',
      path: '/echo',
      summary: 'Echoes a message (admins only)',
      access: 'admin',
      body: { type: 'object', required: ['message'], additionalProperties: false, properties: { message: { type: 'string', minLength: 1, maxLength: 50 } } },
      handler: ({ body, caller }) => ({ status: 201, body: { message: (body as { message: string }).message, by: caller!.email } }),
    });
    host.route({
      method: 'get',
      path: '/heard/:ticketId',
      summary: 'The ticket events the plug-in heard',
      access: 'user',
      handler: async ({ params }) => {
        const { maxItems = 20 } = await host.settings<EchoSettings>();
        const rows = await host.db.query<{ seq: number; type: string; event_types: string[]; actor_role: string }>(
          'select seq, type, event_types, actor_role from plugin_echo_heard where ticket_id = $1 order by seq limit $2',
          [params.ticketId, maxItems],
        );
        return { body: { items: rows.map((r) => ({ seq: r.seq, type: r.type, eventTypes: r.event_types, actorRole: r.actor_role })) } };
      },
    });
    host.route({
      method: 'get',
      path: '/refuse',
      summary: 'Always refuses',
      access: 'user',
      handler: () => host.refuse(409, 'the echo is busy'),
    });
    host.route({
      method: 'get',
      path: '/boom',
      summary: 'Always fails',
      access: 'user',
      handler: () => {
        throw new Error('kaboom');
      },
    });
    host.ticketPanel({
      key: 'heard',
      title: { en: 'Echo', fr: 'Écho' },
      load: async ({ ticket, requester, organisation, caller, locale }) => {
        const { greeting } = await host.settings<EchoSettings>();
        const [{ n }] = await host.db.query<{ n: number }>('select count(*)::int as n from plugin_echo_heard where ticket_id = $1', [ticket.id]);
        return {
          summary: locale === 'fr' ? `${n} événements entendus pour ${ticket.number}` : `${n} events heard for ${ticket.number}`,
          rows: [
            { label: 'Requester', value: requester ? `${requester.name} <${requester.email}>` : '—', ...(requester ? { href: `https://crm.example.test/contacts?email=${encodeURIComponent(requester.email)}` } : {}) },
            { label: 'Organisation', value: organisation?.name ?? '—' },
            { label: 'Greeting', value: `${greeting}, ${caller.email}` },
          ],
          links: [{ label: 'Open in the CRM', href: `https://crm.example.test/tickets/${ticket.number}` }],
        };
      },
    });
    host.ticketPanel({
      key: 'faulty',
      title: 'Faulty',
      // Markup is not plain text: the desk refuses to pass it to the console.
      load: async () => ({ html: '<script>alert(1)</script>' }) as never,
    });
    host.action({
      name: 'page',
      title: { en: 'Page a channel', fr: 'Alerter un canal' },
      schema: {
        type: 'object',
        required: ['channel'],
        additionalProperties: false,
        properties: { channel: { type: 'string', title: 'Channel', pattern: '^#[a-z0-9-]+$' }, urgent: { type: 'boolean', title: 'Urgent' }, flaky: { type: 'boolean', title: 'Fail the first attempt' } },
      },
      run: async ({ id, ticket, with: values, attempt, cause }) => {
        const { channel, urgent = false, flaky = false } = values as { channel: string; urgent?: boolean; flaky?: boolean };
        if (flaky && attempt === 1) throw new Error('the pager is busy, try again');
        await host.db.query('insert into plugin_echo_paged (id, ticket_id, channel, urgent, attempt, cause) values ($1, $2, $3, $4, $5, $6) on conflict (id) do nothing', [
          id,
          ticket.id,
          channel,
          urgent,
          attempt,
          JSON.stringify(cause),
        ]);
      },
    });
    host.route({
      method: 'get',
      path: '/paged/:ticketId',
      summary: 'The pages the plug-in sent for a ticket',
      access: 'user',
      handler: async ({ params }) => ({
        body: { items: await host.db.query('select id, channel, urgent, attempt, cause from plugin_echo_paged where ticket_id = $1 order by id', [params.ticketId]) },
      }),
    });
    host.page({
      key: 'stats',
      title: { en: 'Echo statistics', fr: 'Statistiques de l’écho' },
      access: 'staff',
      load: async ({ locale }) => {
        const rows = await host.db.query<{ type: string; n: number }>('select type, count(*)::int as n from plugin_echo_heard group by type order by type');
        return {
          summary: locale === 'fr' ? 'Événements entendus, par type.' : 'Events heard, by type.',
          table: { columns: [locale === 'fr' ? 'Type' : 'Type', locale === 'fr' ? 'Nombre' : 'Count'], rows: rows.map((r) => [r.type, String(r.n)]) },
          links: [{ label: 'Echo documentation', href: 'https://echo.example.test/docs' }],
        };
      },
    });
    host.page({
      key: 'admin-only',
      title: 'Echo maintenance',
      access: 'admin',
      load: async () => ({ rows: [{ label: 'Tables', value: 'plugin_echo_heard, plugin_echo_paged' }] }),
    });
    host.schedule({
      key: 'tally',
      title: { en: 'Tally', fr: 'Décompte' },
      everyMinutes: (values) => (values as Partial<EchoSettings>).tallyEveryMinutes ?? null,
      // Counts the tickets heard, and files an organisation per greeting through the desk's directory.
      run: async ({ trigger }) => {
        const { greeting } = await host.settings<EchoSettings>();
        const [{ n }] = await host.db.query<{ n: number }>('select count(distinct ticket_id)::int as n from plugin_echo_heard');
        const filed = await host.directory.upsertOrganisations([{ name: `Echo ${greeting}` }, { name: '' }]);
        return { ...filed, notes: [`${n} tickets heard (${trigger})`, ...filed.notes] };
      },
    });
    // Says, every 200 ms, which API process runs it: one at a time, another taking over when that one stops.
    host.background({
      key: 'beat',
      title: { en: 'Heartbeat', fr: 'Battement' },
      run: async ({ signal }) => {
        const holder = process.env.PORT ?? String(process.pid);
        while (!signal.aborted) {
          await host.db.query(`insert into plugin_echo_beats (key, holder, at) values ('beat', $1, now()) on conflict (key) do update set holder = $1, at = now()`, [holder]);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      },
    });
    host.onTicketEvents(async ({ ticket, events }) => {
      const { enabled = true } = await host.settings<EchoSettings>();
      if (!enabled) return;
      for (const e of events) {
        await host.db.query(
          'insert into plugin_echo_heard (event_id, ticket_id, seq, type, event_types, actor_role) values ($1, $2, $3, $4, $5, $6) on conflict (event_id) do nothing',
          [e.id, ticket.id, e.seq, e.type, e.eventTypes, e.actor.role],
        );
      }
    });
  },
});
