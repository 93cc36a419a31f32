// The API client typed by the OpenAPI document: paths, path and query parameters, bodies and answers all come from
// `generated.ts`, so a call the API would not accept, or a field it does not send, fails the type check.
import type { paths } from './generated';
import { request } from './client';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Routes = { [P in keyof paths as P extends `/api${infer Rest}` ? Rest : never]: paths[P] };

/** The paths (below /api) that answer this method. */
export type PathOf<M extends Method> = { [P in keyof Routes]: Routes[P][M] extends { responses: unknown } ? P : never }[keyof Routes];
type Operation<P extends keyof Routes, M extends Method> = Routes[P][M] extends infer O extends { responses: unknown } ? O : never;

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : void;
/** The answer of the operation's success status (200, 201, 202 or 204). */
export type Answer<P extends keyof Routes, M extends Method> =
  Operation<P, M>['responses'] extends infer R ? (200 extends keyof R ? JsonOf<R[200]> : 201 extends keyof R ? JsonOf<R[201]> : 202 extends keyof R ? JsonOf<R[202]> : void) : never;

type Parameters<O> = O extends { parameters: infer P } ? P : never;
type PathParams<O> = Parameters<O> extends { path: infer A } ? { path: A } : { path?: never };
type QueryParams<O> = Parameters<O> extends { query?: infer Q } ? ([Q] extends [undefined] ? { query?: never } : { query?: Q }) : { query?: never };
type BodyOf<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? { body: B } : O extends { requestBody?: { content: { 'application/json': infer B } } } ? { body?: B } : { body?: never };
type Options<O> = PathParams<O> & QueryParams<O> & BodyOf<O>;
/** Options may be left out when the operation needs neither path parameters nor a body. */
type Args<O> = object extends Options<O> ? [options?: Options<O>] : [options: Options<O>];

function url(path: string, options: { path?: object; query?: object } = {}): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String((options.path as Record<string, unknown> | undefined)?.[name])));
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== null && v !== '') query.set(k, String(v));
  const text = query.toString();
  return text ? `${filled}?${text}` : filled;
}

function call<M extends Method>(method: M) {
  return <P extends PathOf<M>>(path: P, ...[options]: Args<Operation<P, M>>): Promise<Answer<P, M>> => {
    const o = (options ?? {}) as { path?: object; query?: object; body?: unknown };
    return request<Answer<P, M>>(method.toUpperCase(), url(path, o), o.body);
  };
}

export const http = { get: call('get'), post: call('post'), put: call('put'), patch: call('patch'), delete: call('delete') };
