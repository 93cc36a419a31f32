// A small HTTP client for tests: logs in like the console does (cookie + CSRF header) and returns status, headers and JSON.
import http from 'node:http';

export interface Res<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export const ADMIN = { email: 'admin@guichet.test', password: 'admin-password-for-tests' };

export class Session {
  private cookie = '';
  csrf = '';
  user: { id: string; role: string; email: string } | undefined;

  constructor(readonly base: string = process.env.GUICHET_TEST_URL!) {}

  static async login(email: string, password: string, base?: string): Promise<Session> {
    return new Session(base).signIn(email, password);
  }

  /** Signs this session in; a session made before its desk is up (useAdmin) signs in later. */
  async signIn(email: string, password: string): Promise<this> {
    const res = await this.request('POST', '/api/auth/login', { email, password });
    if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    this.csrf = res.body.csrfToken;
    this.user = res.body.user;
    return this;
  }

  /** What a request of this session sends besides its body (for a caller that streams one itself). */
  headersForWrite(): Record<string, string> {
    return { ...(this.cookie ? { cookie: this.cookie } : {}), ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}) };
  }

  /** A download's bytes as they are (request() would read them as text). */
  async bytes(path: string): Promise<{ status: number; body: Buffer }> {
    const res = await fetch(this.base + path, { headers: this.cookie ? { cookie: this.cookie } : {} });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (the console's HTML)
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  /** The raw answer (binary downloads such as archives), with this session's cookie. */
  raw(path: string): Promise<Response> {
    return fetch(this.base + path, { headers: this.cookie ? { cookie: this.cookie } : {} });
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => this.request<T>('POST', path, body ?? {}, headers);
}

/**
 * The seeded admin on the shared desk, signed in before the test file's tests (call it once, at the top level): the
 * session most suites arrange their data with.
 */
export function useAdmin(): Session {
  const admin = new Session();
  beforeAll(() => admin.signIn(ADMIN.email, ADMIN.password), 60_000);
  return admin;
}

/** The answer's body when it has the expected status; otherwise fails with what came instead. */
export async function ok<T = any>(res: Promise<{ status: number; body: T }>, status = 200): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Polls until `probe` returns a value other than undefined, or fails with the last value after the deadline. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A new account of `role` made by `admin`, signed in (password 'a-long-password-1'). */
export async function signedInAs(admin: Session, role: 'admin' | 'agent' | 'customer', name: string = role): Promise<Session> {
  const email = `${unique(role)}@example.test`;
  const made = await admin.post('/api/users', { email, name, role, password: 'a-long-password-1' });
  if (made.status !== 201) throw new Error(`creating ${role} failed: ${made.status} ${JSON.stringify(made.body)}`);
  return Session.login(email, 'a-long-password-1', admin.base);
}

/** Every account, page after page (GET /api/users answers at most 500 at once). */
export async function allUsers(admin: Session): Promise<Array<{ id: string; email: string; name: string; role: string; organisationId: string | null; disabled: boolean }>> {
  const all = [];
  let cursor: string | null = null;
  do {
    const page: Res = await admin.get(`/api/users?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (page.status !== 200) throw new Error(`listing users failed: ${page.status} ${JSON.stringify(page.body)}`);
    all.push(...page.body.items);
    cursor = page.body.next;
  } while (cursor);
  return all;
}

/** The account with this e-mail, found by search rather than in the first page of a long list. */
export async function userByEmail(admin: Session, email: string): Promise<{ id: string; email: string; name: string; role: string; organisationId: string | null; disabled: boolean }> {
  const found = (await admin.get(`/api/users?q=${encodeURIComponent(email)}`)).body.items.find((u: { email: string }) => u.email === email.toLowerCase());
  if (!found) throw new Error(`no account ${email}`);
  return found;
}

let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

/**
 * The status of an anonymous request sent from another loopback address (all of 127/8 reaches the desk on Linux):
 * a client the desk tells apart from the tests' usual 127.0.0.1, for per-address rules.
 */
export function statusFrom(localAddress: string, method: string, path: string, body?: unknown): Promise<number> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, process.env.GUICHET_TEST_URL), { method, localAddress, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(text);
  });
}
