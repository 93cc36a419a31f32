// Desk settings over HTTP: everyone signed in reads them (the portal adapts its forms), admins change them (audited).
import type { RouteTable } from '../../http/routes';
import type { DeskSettings, SettingsService } from './service';
import { tagSchema } from '../tickets/tags';

const settingsProperties = {
  customersMayChooseCritical: { type: 'boolean', description: 'Customers may file tickets at critical priority (default false: their highest is high)' },
  allowedTags: {
    type: 'array',
    maxItems: 500,
    uniqueItems: true,
    items: tagSchema,
    description: 'The managed list of tags agents may use; empty (the default) allows any tag',
  },
  attachmentMaxMegabytes: { type: 'integer', minimum: 1, maximum: 100, description: 'The largest attachment accepted, in MiB (default 10); a larger one gets 413' },
  attachmentMessageMaxMegabytes: { type: 'integer', minimum: 1, maximum: 500, description: "The most one reply's files may weigh together, in MiB (default 25; checked by the console before sending)" },
  twoStepRequiredFor: {
    type: 'array',
    uniqueItems: true,
    items: { type: 'string', enum: ['admin', 'agent', 'customer'] },
    description: 'Roles whose local accounts must use two-step sign-in; a session without it reaches only its account pages until it is set up',
  },
  attachmentTypes: {
    type: 'array',
    minItems: 1,
    maxItems: 100,
    uniqueItems: true,
    items: { type: 'string', pattern: '^[a-z]+/[a-z0-9][a-z0-9.+-]{0,99}$' },
    description: 'The MIME types accepted as attachments (default: images, PDF, text, CSV, ZIP, JSON and office documents); another gets 415',
  },
} as const;
const settingsSchema = { title: 'DeskSettings', type: 'object', required: Object.keys(settingsProperties), properties: settingsProperties } as const;

export function settingsRoutes(table: RouteTable, settings: SettingsService): void {
  table.add({
    method: 'get',
    path: '/api/settings',
    summary: 'Desk-wide settings',
    tag: 'settings',
    auth: 'user',
    responses: { 200: { description: 'The settings, defaults included', schema: settingsSchema } },
    handler: async () => ({ body: await settings.get() }),
  });
  table.add<Partial<DeskSettings>>({
    method: 'patch',
    path: '/api/settings',
    summary: 'Change desk-wide settings (admins)',
    tag: 'settings',
    auth: 'user',
    scope: 'admin', permission: 'admin.settings',
    body: { type: 'object', additionalProperties: false, minProperties: 1, properties: settingsProperties },
    audits: { entity: 'settings', id: () => 'desk' },
    responses: { 200: { description: 'The settings after the change', schema: settingsSchema }, 400: { description: 'Unknown setting or bad value' }, 403: { description: 'Not an admin' } },
    handler: async ({ user, body }) => {
      return { body: await settings.update(body, user.id) };
    },
  });
}
