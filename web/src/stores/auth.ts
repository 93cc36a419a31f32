// Auth store: who is signed in, their CSRF token, and the login/logout/session-restore actions.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, ApiError, csrfTokenFrom } from '../api/client';
import type { Role, Session, User } from '../api/types';

export const useAuthStore = defineStore('auth', () => {
  const user = ref<User | null>(null);
  const csrfToken = ref<string | null>(null);
  csrfTokenFrom(() => csrfToken.value);
  const twoStepRequired = ref(false);

  const role = computed<Role | null>(() => user.value?.role ?? null);
  const isStaff = computed(() => role.value === 'agent' || role.value === 'admin');
  const homePath = computed(() => (isStaff.value ? '/tickets' : '/portal'));

  function setSession(session: Session | null): void {
    user.value = session?.user ?? null;
    csrfToken.value = session?.csrfToken ?? null;
    twoStepRequired.value = session?.twoStepRequired ?? false;
  }

  /** `code`: with two-step sign-in on, the authenticator app's code or a recovery code (the API answers 401 mfa-required without it). */
  async function login(email: string, password: string, code?: string, passkey?: unknown): Promise<User> {
    const session = await api.post<Session>('/auth/login', { email, password, ...(code ? { code } : {}), ...(passkey ? { passkey } : {}) });
    setSession(session);
    return session.user;
  }

  async function fetchMe(): Promise<User | null> {
    try {
      setSession(await api.get<Session>('/auth/me'));
    } catch (error) {
      // 401 just means nobody is signed in; anything else is a real failure.
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      setSession(null);
    }
    return user.value;
  }

  async function logout(): Promise<void> {
    try {
      await api.post<void>('/auth/logout');
    } finally {
      // Forget the session locally even if the server call failed, so the UI never shows stale identity.
      setSession(null);
    }
  }

  function clear(): void {
    setSession(null);
  }

  return { user, csrfToken, twoStepRequired, role, isStaff, homePath, login, fetchMe, logout, clear };
});
