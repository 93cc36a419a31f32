// Declares routes as data (method, path, schemas, auth, handler) so one list drives the router, validation and the OpenAPI document.
import Router from '@koa/router';
import type { Context } from 'koa';
import { check } from './validation';
import { ProblemError, tooMany, unauthorized } from './problem';
import type { RateLimiter } from './rate-limit';
import type { AuthUser, TokenScope } from '../modules/auth/types';
import type { AuditedEntity } from '../modules/audit/snapshots';
import { can, requireBuiltInAdmin, requirePermission, type AreaPermission } from '../modules/iam/permissions';

const SCOPE_RANK: Record<Exclude<TokenScope, 'scim'>, number> = { read: 1, write: 2, admin: 3 };

/** By convention a path parameter named id or ending in Id is a UUID; anything else cannot name a resource. */
export const isUuidParam = (name: string) => name === 'id' || name.endsWith('Id');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AuditSubject {
  entity: AuditedEntity;
  id: string;
  before: unknown;
  after: unknown;
}

/** Records an allowed admin change; `snapshot` reads the configuration it touches, before and after, for the diff. */
export interface AuditHook {
  record(entry: { user: AuthUser; action: string; target: string; ctx: Context; subject?: AuditSubject }): Promise<void>;
  snapshot(entity: AuditedEntity, id: string): Promise<unknown>;
}

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteInput<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
  user: AuthUser;
  ctx: Context;
}

export interface RouteSpec<B = unknown, Q = unknown> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  /** public: no login needed; user: any authenticated caller (finer rules live in each feature's policy). */
  auth: 'public' | 'user';
  /** The API-token scope the route needs: read for GET, write otherwise, unless it says admin. */
  scope?: TokenScope;
  /** The area of the desk the caller's role must grant (iam/permissions.ts); required of every admin-scope route. */
  permission?: AreaPermission;
  /** Only a built-in admin, whatever custom role grants the area: completes "only a built-in admin may …". */
  builtInAdmin?: string;
  body?: object;
  query?: object;
  /** Bodies in and out, errors included, are of this type instead of JSON and problem+json (SCIM's application/scim+json). */
  mediaType?: string;
  /** `csv`: the answer may also be text/csv (?format=csv or Accept: text/csv). */
  responses: Record<number, { description: string; schema?: object; csv?: boolean }>;
  /** What an admin change changes: the audit reads it before and after (the id from the path, or from the answer for a creation). */
  audits?: { entity: AuditedEntity; id: (p: { params: Record<string, string>; body: B; reply: unknown }) => string | undefined };
  handler: (input: RouteInput<B, Q>) => Promise<Reply> | Reply;
}

export class RouteTable {
  // Each spec has its own body and query types; the table holds them all (a handler's input type makes them invariant).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly specs: RouteSpec<any, any>[] = [];
  readonly router = new Router();

  /** `audit` records every successful admin-scope change; public routes (but health) are limited per address by `publicLimiter`. */
  constructor(
    private readonly audit?: AuditHook,
    private readonly publicLimiter?: RateLimiter,
  ) {}

  add<B = unknown, Q = unknown>(spec: RouteSpec<B, Q>): void {
    // An admin route that names no permission would be reachable by role alone: refuse it when the app is built.
    if (spec.scope === 'admin' && !spec.permission) throw new Error(`${spec.method.toUpperCase()} ${spec.path}: an admin-scope route must name its permission`);
    this.specs.push(spec);
    this.router[spec.method](spec.path, async (ctx) => {
      const user = ctx.state.user as AuthUser | undefined;
      if (spec.auth === 'public' && spec.tag !== 'health') {
        const wait = (await this.publicLimiter?.hit(ctx.ip)) ?? 0;
        if (wait) throw tooMany('too many requests from this address, slow down', wait);
      }
      if (spec.auth === 'user' && !user) throw unauthorized();
      for (const [name, value] of Object.entries(ctx.params as Record<string, string>)) {
        if ((isUuidParam(name) && !UUID.test(value)) || value.includes('\u0000')) {
          throw new ProblemError(404, 'not-found', 'Not found', `no resource with ${name} '${value.replace(/\u0000/g, '\\0')}'`);
        }
      }
      const needed = spec.scope ?? (spec.method === 'get' ? 'read' : 'write');
      // SCIM is a separate service: only scim tokens reach it (while they act as an admin), and they reach nothing else.
      if (needed === 'scim' ? user && (user.tokenScope !== 'scim' || user.role !== 'admin') : user?.tokenScope === 'scim') {
        const why = needed !== 'scim' ? `'${needed}', and this API token has scope 'scim'` : user?.tokenScope === 'scim' ? 'a token acting as an admin' : "an API token of scope 'scim'";
        throw new ProblemError(403, 'insufficient-scope', 'Forbidden', `${spec.method.toUpperCase()} ${spec.path} needs ${why}`);
      }
      if (user?.via === 'token' && needed !== 'scim' && SCOPE_RANK[user.tokenScope as Exclude<TokenScope, 'scim'>] < SCOPE_RANK[needed]) {
        throw new ProblemError(403, 'insufficient-scope', 'Forbidden', `this API token has scope '${user.tokenScope}'; ${spec.method.toUpperCase()} ${spec.path} needs '${needed}'`);
      }
      if (spec.permission && user) requirePermission(user, spec.permission);
      if (spec.builtInAdmin && user) requireBuiltInAdmin(user, spec.builtInAdmin);
      const body = spec.body ? check<B>(spec.body, ctx.request.body ?? {}, 'body') : (undefined as B);
      const query = spec.query ? check<Q>(spec.query, { ...ctx.query }, 'query') : (undefined as Q);
      // Admin-scope changes are all audited; other routes that change people or configuration say so with `audits`.
      // (Only an admin reaches an admin change: nobody else's request costs a snapshot read.)
      const mayChange = user && (needed !== 'admin' || user.role === 'admin' || (spec.permission !== undefined && can(user, spec.permission)));
      const audited = (needed === 'admin' || spec.audits) && spec.method !== 'get' && mayChange && this.audit ? this.audit : undefined;
      const knownId = spec.audits?.id({ params: ctx.params, body, reply: undefined });
      const before = audited && spec.audits && knownId ? await audited.snapshot(spec.audits.entity, knownId) : null;
      const reply = await spec.handler({ body, query, params: ctx.params, user: user as AuthUser, ctx });
      for (const [k, v] of Object.entries(reply.headers ?? {})) ctx.set(k, v);
      if (reply.body !== undefined || reply.status !== undefined || ctx.body === undefined) {
        ctx.status = reply.status ?? (reply.body === undefined ? 204 : 200);
        if (reply.body !== undefined) ctx.body = reply.body;
      }
      if (audited && user) {
        const id = knownId ?? spec.audits?.id({ params: ctx.params, body, reply: reply.body });
        const subject = spec.audits && id ? { entity: spec.audits.entity, id, before, after: await audited.snapshot(spec.audits.entity, id) } : undefined;
        await audited.record({ user, action: `${spec.method.toUpperCase()} ${spec.path}`, target: ctx.path, ctx, subject });
      }
    });
  }
}
