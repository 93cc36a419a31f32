// The CRM connector: the requester's (and organisation's) record beside each ticket, a lookup admins use to check
// the settings, and a scheduled sync of contacts into the desk. Written only against the plug-in API.
import { definePlugin } from '../../platform/plugins/v1';
import { configured, lookUp, rowsOf } from './lookup';
import { fill } from './http-source';
import { syncSourceOf, type CrmSettings } from './settings';
import { syncContacts } from './sync';

const words = {
  en: { noRequester: 'This ticket has no requester.', noRecord: (e: string) => `No CRM record for ${e}.`, found: (e: string) => `CRM record of ${e}`, open: 'Open in the CRM', organisation: 'Organisation · ' },
  fr: { noRequester: 'Ce ticket n’a pas de demandeur.', noRecord: (e: string) => `Aucune fiche CRM pour ${e}.`, found: (e: string) => `Fiche CRM de ${e}`, open: 'Ouvrir dans le CRM', organisation: 'Organisation · ' },
};

export default definePlugin({
  register(host) {
    const settings = () => host.settings<CrmSettings>();

    host.ticketPanel({
      key: 'customer',
      title: { en: 'CRM', fr: 'CRM' },
      load: async ({ requester, organisation, locale }) => {
        const s = await settings();
        const w = words[locale];
        if (!requester) return { summary: w.noRequester };
        const [contact, company] = await Promise.all([
          lookUp(s, 'contact', requester.email),
          organisation && configured(s, 'organisation') ? lookUp(s, 'organisation', organisation.name) : Promise.resolve(null),
        ]);
        return {
          summary: contact ? w.found(requester.email) : w.noRecord(requester.email),
          rows: [...(contact ? rowsOf(contact) : []), ...(company ? rowsOf(company, w.organisation) : [])],
          links: s.recordUrl ? [{ label: w.open, href: fill(s.recordUrl, 'email', requester.email) }] : [],
        };
      },
    });

    host.route({
      method: 'post',
      path: '/lookup',
      summary: 'Look a contact up in the CRM now, bypassing the cache, to check the settings',
      access: 'admin',
      body: { type: 'object', required: ['email'], additionalProperties: false, properties: { email: { type: 'string', format: 'email', maxLength: 254 } } },
      response: { type: 'object', required: ['found', 'rows'], properties: { found: { type: 'boolean' }, rows: { type: 'array', items: { type: 'object' } } } },
      handler: async ({ body }) => {
        const s = await settings();
        try {
          const record = await lookUp(s, 'contact', (body as { email: string }).email, true);
          return { body: { found: Boolean(record), rows: record ? rowsOf(record) : [] } };
        } catch (err) {
          if ((err as Error).name === 'PluginNotConfigured') throw err;
          // The admin is checking the source: what went wrong is the answer, not a fault of the plug-in.
          return host.refuse(422, (err as Error).message);
        }
      },
    });

    host.schedule({
      key: 'sync',
      title: { en: 'Contact sync', fr: 'Synchronisation des contacts' },
      everyMinutes: (values) => {
        const s = values as unknown as CrmSettings;
        return s.syncEveryMinutes && syncSourceOf(s) ? s.syncEveryMinutes : null;
      },
      run: async () => {
        const s = await settings();
        if (!syncSourceOf(s)) throw new Error('no contacts to sync: fill in the sync query or URL');
        return syncContacts(s, host.directory);
      },
    });
  },
});
