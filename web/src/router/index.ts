// Routes, one lazy chunk per area, and the guard that restores the session and enforces roles.
import { createRouter, createWebHistory } from 'vue-router';
import { onUnauthorized } from '../api/client';
import { useAuthStore } from '../stores/auth';
import { allows } from './access';

// One dynamic import per area so each area ships as its own chunk (portal users never download agent code).
const agent = () => import('../areas/agent/agent');
const portal = () => import('../areas/portal/portal');
const admin = () => import('../areas/admin/admin');
const account = () => import('../areas/account/account');
const kbStaff = () => import('../areas/agent/kb/kb');
const help = () => import('../areas/portal/help/help');
const catalogue = () => import('../areas/portal/catalogue/catalogue');
const maintenance = () => import('../areas/maintenance/maintenance');
const reports = () => import('../areas/reports/reports');
const approvals = () => import('../areas/approvals/approvals');

// The area of the first URL starts downloading now, beside the session check, instead of after it (not the admin
// area: only admins may download it, and the role is known only after the check).
const firstArea = ([['/tickets', agent], ['/macros', agent], ['/maintenance', maintenance], ['/kb', kbStaff], ['/reports', reports], ['/portal/help', help], ['/portal/catalogue', catalogue], ['/portal', portal], ['/approv', approvals]] as const).find(([prefix]) => location.pathname.startsWith(prefix));
if (firstArea) void firstArea[1]().catch(() => undefined);

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('../areas/login/LoginPage.vue'), meta: { public: true } },
    { path: '/reset-password', name: 'reset-password', component: () => import('../areas/login/ResetPasswordPage.vue'), meta: { public: true } },
    // A mailed approval link speaks for its approver: no sign-in, one decision.
    { path: '/approve/:token', name: 'approve-link', component: () => approvals().then((m) => m.LinkApprovalPage), props: true, meta: { public: true } },
    { path: '/approvals', name: 'approvals', component: () => approvals().then((m) => m.ApprovalsPage), meta: { roles: ['customer', 'agent', 'admin'] } },
    { path: '/', name: 'home', redirect: () => useAuthStore().homePath },
    {
      path: '/tickets',
      name: 'tickets',
      component: () => agent().then((m) => m.TicketsPage),
      meta: { roles: ['agent', 'admin'] },
    },
    {
      path: '/tickets/:id',
      name: 'ticket',
      component: () => agent().then((m) => m.TicketPage),
      props: true,
      meta: { roles: ['agent', 'admin'] },
    },
    {
      path: '/plugins/:plugin?/:pageKey?',
      name: 'plugin-page',
      component: () => agent().then((m) => m.PluginPagesPage),
      props: true,
      meta: { roles: ['agent', 'admin'] },
    },
    {
      path: '/macros',
      name: 'macros',
      component: () => agent().then((m) => m.MacrosPage),
      meta: { roles: ['agent', 'admin'] },
    },
    {
      path: '/reports',
      name: 'reports',
      component: () => reports().then((m) => m.ReportsPage),
      meta: { roles: ['agent', 'admin'], permission: 'reports.view' },
    },
    {
      path: '/portal',
      name: 'portal',
      component: () => portal().then((m) => m.PortalHome),
      meta: { roles: ['customer'] },
    },
    {
      path: '/portal/tickets/:id',
      name: 'portal-ticket',
      component: () => portal().then((m) => m.PortalTicketPage),
      props: true,
      meta: { roles: ['customer'] },
    },
    { path: '/kb', name: 'kb', component: () => kbStaff().then((m) => m.KbListPage), meta: { roles: ['agent', 'admin'] } },
    { path: '/kb/new', name: 'kb-new', component: () => kbStaff().then((m) => m.KbEditorPage), meta: { roles: ['agent', 'admin'] } },
    { path: '/kb/:id', name: 'kb-article', component: () => kbStaff().then((m) => m.KbEditorPage), props: true, meta: { roles: ['agent', 'admin'] } },
    { path: '/portal/catalogue', name: 'catalogue', component: () => catalogue().then((m) => m.CataloguePage), meta: { roles: ['customer'] } },
    {
      path: '/portal/catalogue/:offeringKey',
      name: 'catalogue-request',
      component: () => catalogue().then((m) => m.CatalogueRequestPage),
      props: true,
      meta: { roles: ['customer'] },
    },
    { path: '/portal/help', name: 'help', component: () => help().then((m) => m.HelpPage), meta: { roles: ['customer'] } },
    { path: '/portal/help/:id', name: 'help-article', component: () => help().then((m) => m.HelpArticlePage), props: true, meta: { roles: ['customer'] } },
    {
      path: '/admin',
      component: () => admin().then((m) => m.AdminLayout),
      // Admins, and agents whose custom role grants some admin.* area (each screen asks for its own).
      meta: { roles: ['admin', 'agent'], anyPermission: 'admin.' },
      // Each screen also needs an entry in areas/admin/nav.ts to appear in the admin navigation.
      children: [
        { path: '', name: 'admin', component: () => admin().then((m) => m.DefinitionsPage), meta: { permission: 'admin.definitions' } },
        { path: 'ticket-types', name: 'admin-ticket-types', component: () => admin().then((m) => m.TicketTypesPage), meta: { permission: 'admin.definitions' } },
        { path: 'plugins', name: 'admin-plugins', component: () => admin().then((m) => m.PluginsPage), meta: { permission: 'admin.integrations' } },
        { path: 'rules', name: 'admin-rules', component: () => admin().then((m) => m.RulesPage), meta: { permission: 'admin.definitions' } },
        { path: 'catalogue', name: 'admin-catalogue', component: () => admin().then((m) => m.CatalogueAdminPage), meta: { permission: 'admin.definitions' } },
        { path: 'catalogue/new', name: 'admin-offering-new', component: () => admin().then((m) => m.OfferingEditor), meta: { permission: 'admin.definitions' } },
        { path: 'catalogue/:offeringId', name: 'admin-offering', component: () => admin().then((m) => m.OfferingEditor), props: true, meta: { permission: 'admin.definitions' } },
        { path: 'sla-policies', name: 'admin-sla-policies', component: () => admin().then((m) => m.SlaPoliciesPage), meta: { permission: 'admin.definitions' } },
        { path: 'users', name: 'admin-users', component: () => admin().then((m) => m.UsersPage), meta: { permission: 'admin.people' } },
        { path: 'roles', name: 'admin-roles', component: () => admin().then((m) => m.RolesPage), meta: { permission: 'admin.people' } },
        { path: 'groups', name: 'admin-groups', component: () => admin().then((m) => m.GroupsPage), meta: { permission: 'admin.people' } },
        { path: 'imports', name: 'admin-imports', component: () => admin().then((m) => m.ImportsPage), meta: { permission: 'admin.people', roles: ['admin'] } },
        { path: 'organisations', name: 'admin-organisations', component: () => admin().then((m) => m.OrganisationsPage), meta: { permission: 'admin.people' } },
        { path: 'queues', name: 'admin-queues', component: () => admin().then((m) => m.QueuesPage), meta: { permission: 'admin.queues' } },
        { path: 'tokens', name: 'admin-tokens', component: () => admin().then((m) => m.TokensPage), meta: { permission: 'admin.integrations' } },
        { path: 'directories', name: 'admin-directories', component: () => admin().then((m) => m.DirectoriesPage), meta: { permission: 'admin.integrations' } },
        { path: 'audit', name: 'admin-audit', component: () => admin().then((m) => m.AuditPage), meta: { permission: 'admin.audit' } },
        { path: 'retention', name: 'admin-retention', component: () => admin().then((m) => m.RetentionPage), meta: { permission: 'admin.privacy' } },
        { path: 'settings', name: 'admin-settings', component: () => admin().then((m) => m.SettingsPage), meta: { permission: 'admin.settings' } },
        { path: 'definitions/:definitionKey', name: 'admin-designer', component: () => admin().then((m) => m.DesignerPage), props: true, meta: { permission: 'admin.definitions' } },
        { path: 'email', name: 'admin-email', component: () => admin().then((m) => m.MailPage), meta: { permission: 'admin.integrations' } },
        { path: 'webhooks', name: 'admin-webhooks', component: () => admin().then((m) => m.WebhooksPage), meta: { permission: 'admin.integrations' } },
      ],
    },
    {
      path: '/account/notifications',
      name: 'account-notifications',
      component: () => account().then((m) => m.NotificationsPage),
      meta: { roles: ['customer', 'agent', 'admin'] },
    },
    { path: '/maintenance', name: 'maintenance-calendar', component: () => maintenance().then((m) => m.CalendarPage), meta: { roles: ['agent', 'admin'], permission: 'maintenance.manage' } },
    { path: '/maintenance/plans', name: 'maintenance-plans', component: () => maintenance().then((m) => m.PlansPage), meta: { roles: ['agent', 'admin'], permission: 'maintenance.manage' } },
    { path: '/maintenance/plans/new', name: 'maintenance-plan-new', component: () => maintenance().then((m) => m.PlanEditor), meta: { roles: ['agent', 'admin'], permission: 'maintenance.manage' } },
    { path: '/maintenance/plans/:id', name: 'maintenance-plan', component: () => maintenance().then((m) => m.PlanEditor), props: true, meta: { roles: ['agent', 'admin'], permission: 'maintenance.manage' } },
    { path: '/assets', name: 'assets', component: () => maintenance().then((m) => m.AssetsPage), meta: { roles: ['agent', 'admin'], permission: 'maintenance.manage' } },
    { path: '/assets/:id', name: 'asset', component: () => maintenance().then((m) => m.AssetPage), props: true, meta: { roles: ['agent', 'admin'], permission: 'maintenance.manage' } },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
});

let sessionRestored: Promise<unknown> | null = null;

router.beforeEach(async (to) => {
  const auth = useAuthStore();
  // Ask the server once per page load; afterwards the store is the truth until login/logout.
  sessionRestored ??= auth.fetchMe().catch(() => null);
  await sessionRestored;

  if (to.meta.public) {
    return auth.user && to.name === 'login' ? auth.homePath : true;
  }
  if (!auth.user) {
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  }
  // The desk asks this role for two-step sign-in: the account page, where it is set up, is all that opens until then.
  if (auth.twoStepRequired && to.name !== 'account-notifications') return { name: 'account-notifications', query: { twoStep: 'required' } };
  return allows(to, auth.user.role, auth.permissions?.areas) ? true : auth.homePath;
});

onUnauthorized(() => {
  const auth = useAuthStore();
  if (!auth.user) return;
  auth.clear();
  const here = router.currentRoute.value;
  void router.replace({ name: 'login', query: { redirect: here.fullPath } });
});
