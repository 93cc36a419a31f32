// Liveness (the process answers) and readiness (PostgreSQL and Temporal both reachable, and the process not draining).
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RouteTable } from '../../http/routes';
import { unavailable } from '../../http/problem';

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(table: RouteTable, deps: { em: EntityManager; temporal: Client; namespace: string; draining: () => boolean }): void {
  table.add({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the API process is up',
    tag: 'health',
    auth: 'public',
    responses: { 200: { description: 'Up' } },
    handler: () => ({ body: { status: 'ok' } }),
  });
  table.add({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: PostgreSQL and Temporal are reachable and the process is not shutting down',
    tag: 'health',
    auth: 'public',
    responses: { 200: { description: 'Ready' }, 503: { description: 'A dependency is down, or the process is draining before it stops' } },
    handler: async () => {
      if (deps.draining()) throw unavailable('not ready: draining before shutdown', 1);
      const checks = await Promise.allSettled([
        // SQL: the cheapest statement the database must answer to be up.
        within(2000, deps.em.fork().execute('select 1')),
        within(2000, deps.temporal.workflowService.describeNamespace({ namespace: deps.namespace })),
      ]);
      const [db, temporal] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'down'));
      if (db !== 'ok' || temporal !== 'ok') throw unavailable(`not ready: database ${db}, temporal ${temporal}`, 2);
      return { body: { status: 'ok', database: db, temporal } };
    },
  });
}
