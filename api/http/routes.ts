// Declares routes as data (method, path, schemas, auth, handler) so one list drives the router, validation and the OpenAPI document.
import Router from '@koa/router';
import type { Context } from 'koa';
import { check } from './validation';
import { unauthorized } from './problem';
import type { AuthUser } from '../modules/auth/types';

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
  body?: object;
  query?: object;
  responses: Record<number, { description: string; schema?: object }>;
  handler: (input: RouteInput<B, Q>) => Promise<Reply> | Reply;
}

export class RouteTable {
  readonly specs: RouteSpec<any, any>[] = [];
  readonly router = new Router();

  add<B = unknown, Q = unknown>(spec: RouteSpec<B, Q>): void {
    this.specs.push(spec);
    this.router[spec.method](spec.path, async (ctx) => {
      const user = ctx.state.user as AuthUser | undefined;
      if (spec.auth === 'user' && !user) throw unauthorized();
      const body = spec.body ? check<B>(spec.body, ctx.request.body ?? {}, 'body') : (undefined as B);
      const query = spec.query ? check<Q>(spec.query, { ...ctx.query }, 'query') : (undefined as Q);
      const reply = await spec.handler({ body, query, params: ctx.params, user: user as AuthUser, ctx });
      for (const [k, v] of Object.entries(reply.headers ?? {})) ctx.set(k, v);
      ctx.status = reply.status ?? (reply.body === undefined ? 204 : 200);
      if (reply.body !== undefined) ctx.body = reply.body;
    });
  }
}
