// The admin navigation in one place: add a screen by adding its route (router/index.ts) and one entry here.
export interface AdminNavEntry {
  /** Route name of the screen. */
  name: string;
  /** i18n key of its label. */
  label: string;
  icon: string;
  /** The area permission the screen needs (its route says the same); the entry shows only to roles that grant it. */
  permission: string;
  /** Only for built-in admins, whatever a custom role grants (the API says the same). */
  builtInAdmin?: true;
}

export const ADMIN_NAV: AdminNavEntry[] = [
  { name: 'admin', label: 'admin.title', icon: 'pi pi-sitemap', permission: 'admin.definitions' },
  { name: 'admin-ticket-types', label: 'ticketTypes.nav', icon: 'pi pi-tags', permission: 'admin.definitions' },
  { name: 'admin-catalogue', label: 'catalogue.nav.admin', icon: 'pi pi-th-large', permission: 'admin.definitions' },
  { name: 'admin-rules', label: 'rules.nav', icon: 'pi pi-bolt', permission: 'admin.definitions' },
  { name: 'admin-sla-policies', label: 'slaPolicies.nav', icon: 'pi pi-stopwatch', permission: 'admin.definitions' },
  { name: 'admin-users', label: 'iam.nav.users', icon: 'pi pi-users', permission: 'admin.people' },
  { name: 'admin-roles', label: 'iam.nav.roles', icon: 'pi pi-shield', permission: 'admin.people' },
  { name: 'admin-groups', label: 'iam.nav.groups', icon: 'pi pi-id-card', permission: 'admin.people' },
  { name: 'admin-organisations', label: 'iam.nav.organisations', icon: 'pi pi-building', permission: 'admin.people' },
  { name: 'admin-imports', label: 'imports.nav', icon: 'pi pi-file-import', permission: 'admin.people', builtInAdmin: true },
  { name: 'admin-queues', label: 'iam.nav.queues', icon: 'pi pi-inbox', permission: 'admin.queues' },
  { name: 'admin-tokens', label: 'iam.nav.tokens', icon: 'pi pi-key', permission: 'admin.integrations' },
  { name: 'admin-directories', label: 'directories.nav', icon: 'pi pi-address-book', permission: 'admin.integrations' },
  { name: 'admin-webhooks', label: 'nav.webhooks', icon: 'pi pi-send', permission: 'admin.integrations' },
  { name: 'admin-email', label: 'nav.email', icon: 'pi pi-envelope', permission: 'admin.integrations' },
  { name: 'admin-plugins', label: 'plugins.nav', icon: 'pi pi-box', permission: 'admin.integrations' },
  { name: 'admin-settings', label: 'settings.title', icon: 'pi pi-cog', permission: 'admin.settings' },
  { name: 'admin-audit', label: 'iam.nav.audit', icon: 'pi pi-history', permission: 'admin.audit' },
  { name: 'admin-retention', label: 'iam.nav.retention', icon: 'pi pi-eraser', permission: 'admin.privacy' },
];
