// Fetch wrapper for the Guichet API: JSON both ways, CSRF header on writes, RFC 9457 problems as ApiError.
import type { FieldError } from './generated';

const BASE = '/api';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];
  /** The problem's code, the last segment of its type URL (e.g. 'ticket-changed'), for callers that act on one. */
  readonly code: string;
  /** The whole problem document, extension members included (e.g. the passkey challenge of mfa-required). */
  readonly problem: Record<string, unknown>;

  constructor(status: number, title: string, detail = '', errors: FieldError[] = [], code = '', problem: Record<string, unknown> = {}) {
    super(detail || title);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
    this.code = code;
    this.problem = problem;
  }
}

let unauthorizedHandler: (() => void) | null = null;
// The session's CSRF token, from whoever holds the session (the auth store registers itself): the client needs no store.
let csrfToken: () => string | null = () => null;

export function csrfTokenFrom(source: () => string | null): void {
  csrfToken = source;
}

// The router owns navigation, so it tells the client what to do when a session dies mid-use.
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

function isFieldError(value: unknown): value is FieldError {
  return typeof value === 'object' && value !== null
    && typeof (value as FieldError).pointer === 'string'
    && typeof (value as FieldError).message === 'string';
}

async function toApiError(res: Response): Promise<ApiError> {
  let problem: Record<string, unknown> = {};
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    // A proxy may answer with a broken body; the status alone is still worth reporting.
    problem = await res.json().catch(() => ({}));
  }
  const title = typeof problem.title === 'string' ? problem.title : res.statusText || `HTTP ${res.status}`;
  const detail = typeof problem.detail === 'string' ? problem.detail : '';
  const errors = Array.isArray(problem.errors) ? problem.errors.filter(isFieldError) : [];
  const code = typeof problem.type === 'string' ? (problem.type.split('/').pop() ?? '') : '';
  return new ApiError(res.status, title, detail, errors, code, problem);
}

/** `raw`: bytes sent as they are with their own type (file uploads), instead of a JSON body. */
export async function request<T>(method: string, path: string, body?: unknown, raw?: { body: Blob; type: string }, keepalive = false): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (raw) headers['Content-Type'] = raw.type;
  else if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (UNSAFE.has(method)) {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let res: Response;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      credentials: 'same-origin',
      keepalive,
      body: raw ? raw.body : body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    // Status 0 lets screens tell "server unreachable" apart from a refusal.
    throw new ApiError(0, 'Network error', cause instanceof Error ? cause.message : String(cause));
  }
  if (!res.ok) {
    const error = await toApiError(res);
    if (res.status === 401 && !path.startsWith('/auth/')) unauthorizedHandler?.();
    throw error;
  }
  const text = res.status === 204 ? '' : await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
  /** A DELETE that outlives the page sending it (closing a tab, leaving the site). */
  deleteOnUnload: (path: string) => request<void>('DELETE', path, undefined, undefined, true),
  upload: <T>(path: string, file: Blob, type: string) => request<T>('POST', path, undefined, { body: file, type }),
};
