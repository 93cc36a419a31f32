// Admin area entry: the pages the router loads together as the `admin` chunk.
// Before any page of the area mounts: the tokens of every PrimeVue component it may render.
import '../../theme/full';
import '../../i18n/workspace';
import '../../i18n/directories';
import './admin.css';
export { default as AdminLayout } from './AdminLayout.vue';
export { default as DefinitionsPage } from './DefinitionsPage.vue';
export { default as WebhooksPage } from './WebhooksPage.vue';
export { default as MailPage } from './MailPage.vue';
export { default as DesignerPage } from './designer/DesignerPage.vue';
export { default as UsersPage } from './UsersPage.vue';
export { default as GroupsPage } from './GroupsPage.vue';
export { default as OrganisationsPage } from './OrganisationsPage.vue';
export { default as QueuesPage } from './QueuesPage.vue';
export { default as TokensPage } from './TokensPage.vue';
export { default as AuditPage } from './AuditPage.vue';
export { default as SettingsPage } from './SettingsPage.vue';
export { default as RetentionPage } from './RetentionPage.vue';
export { default as DirectoriesPage } from './DirectoriesPage.vue';
export { default as RolesPage } from './RolesPage.vue';
export { default as CatalogueAdminPage } from './catalogue/CatalogueAdminPage.vue';
export { default as OfferingEditor } from './catalogue/OfferingEditor.vue';
export { default as SlaPoliciesPage } from './sla/SlaPoliciesPage.vue';
export { default as TicketTypesPage } from './TicketTypesPage.vue';
export { default as RulesPage } from './rules/RulesPage.vue';
export { default as PluginsPage } from './plugins/PluginsPage.vue';
export { default as ImportsPage } from './imports/ImportsPage.vue';
