// The admin navigation in one place: add a screen by adding its route (router/index.ts) and one entry here.
export interface AdminNavEntry {
  /** Route name of the screen. */
  name: string;
  /** i18n key of its label. */
  label: string;
  icon: string;
}

export const ADMIN_NAV: AdminNavEntry[] = [
  { name: 'admin', label: 'admin.title', icon: 'pi pi-sitemap' },
  { name: 'admin-users', label: 'iam.nav.users', icon: 'pi pi-users' },
  { name: 'admin-groups', label: 'iam.nav.groups', icon: 'pi pi-id-card' },
  { name: 'admin-organisations', label: 'iam.nav.organisations', icon: 'pi pi-building' },
  { name: 'admin-queues', label: 'iam.nav.queues', icon: 'pi pi-inbox' },
  { name: 'admin-tokens', label: 'iam.nav.tokens', icon: 'pi pi-key' },
  { name: 'admin-webhooks', label: 'nav.webhooks', icon: 'pi pi-send' },
  { name: 'admin-email', label: 'nav.email', icon: 'pi pi-envelope' },
  { name: 'admin-settings', label: 'settings.title', icon: 'pi pi-cog' },
  { name: 'admin-audit', label: 'iam.nav.audit', icon: 'pi pi-history' },
  { name: 'admin-retention', label: 'iam.nav.retention', icon: 'pi pi-eraser' },
];
