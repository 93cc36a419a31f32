// Auth store: who is signed in, their CSRF token, and the login/logout/session-restore actions.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { ApiError, csrfTokenFrom } from '../api/client';
import { http } from '../api/http';
import type { Permissions, Role, Session, User } from '../api/generated';

export const useAuthStore = defineStore('auth', () => {
  const user = ref<User | null>(null);
  const csrfToken = ref<string | null>(null);
  csrfTokenFrom(() => csrfToken.value);
  const twoStepRequired = ref(false);
  const permissions = ref<Permissions | null>(null);

  const role = computed<Role | null>(() => user.value?.role ?? null);
  const isStaff = computed(() => role.value === 'agent' || role.value === 'admin');
  const homePath = computed(() => (isStaff.value ? '/tickets' : '/portal'));
  /** Whether the role grants an area of the desk (the server decides; this only shapes what the console offers). */
  const can = (area: string): boolean => permissions.value?.areas.includes(area) ?? false;
  /** May the role do `action` (reply, note, transition, edit, assign) on a ticket of `queue`? Mirrors the server's rule. */
  const canOnQueue = (action: string, queue: string | null): boolean => {
    if (role.value === 'customer') return true;
    const queues = permissions.value?.queues ?? {};
    return ((queue !== null && queues[queue]) || queues['*'] || []).includes(action);
  };

  function setSession(session: Session | null): void {
    user.value = session?.user ?? null;
    csrfToken.value = session?.csrfToken ?? null;
    twoStepRequired.value = session?.twoStepRequired ?? false;
    // The login answer carries no grants: keep the ones read with /auth/me until the next read.
    if (!session) permissions.value = null;
    else if (session.permissions) permissions.value = session.permissions;
  }

  /** `code`: with two-step sign-in on, the authenticator app's code or a recovery code (the API answers 401 mfa-required without it). */
  async function login(email: string, password: string, code?: string, passkey?: Record<string, unknown>): Promise<User> {
    const session = await http.post('/auth/login', { body: { email, password, ...(code ? { code } : {}), ...(passkey ? { passkey } : {}) } });
    setSession(session);
    // The role's grants come with /auth/me; read them now so the first page shows what this role may open.
    await fetchMe();
    return session.user;
  }

  async function fetchMe(): Promise<User | null> {
    try {
      setSession(await http.get('/auth/me'));
    } catch (error) {
      // 401 just means nobody is signed in; anything else is a real failure.
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      setSession(null);
    }
    return user.value;
  }

  async function logout(): Promise<void> {
    try {
      await http.post('/auth/logout');
    } finally {
      // Forget the session locally even if the server call failed, so the UI never shows stale identity.
      setSession(null);
    }
  }

  function clear(): void {
    setSession(null);
  }

  return { user, csrfToken, twoStepRequired, permissions, role, isStaff, homePath, can, canOnQueue, login, fetchMe, logout, clear };
});
