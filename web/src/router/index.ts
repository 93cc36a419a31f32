// Routes, one lazy chunk per area, and the guard that restores the session and enforces roles.
import { createRouter, createWebHistory } from 'vue-router';
import { onUnauthorized } from '../api/client';
import { useAuthStore } from '../stores/auth';
import { allows } from './access';

// One dynamic import per area so each area ships as its own chunk (portal users never download agent code).
const agent = () => import('../areas/agent/agent');
const portal = () => import('../areas/portal/portal');
const admin = () => import('../areas/admin/admin');
const reports = () => import('../areas/reports/reports');

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('../areas/login/LoginPage.vue'), meta: { public: true } },
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
      path: '/reports',
      name: 'reports',
      component: () => reports().then((m) => m.ReportsPage),
      meta: { roles: ['agent', 'admin'] },
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
    {
      path: '/admin',
      name: 'admin',
      component: () => admin().then((m) => m.DefinitionsPage),
      meta: { roles: ['admin'] },
    },
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
  return allows(to, auth.user.role) ? true : auth.homePath;
});

onUnauthorized(() => {
  const auth = useAuthStore();
  if (!auth.user) return;
  auth.clear();
  const here = router.currentRoute.value;
  void router.replace({ name: 'login', query: { redirect: here.fullPath } });
});
