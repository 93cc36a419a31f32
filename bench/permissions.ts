// Benchmark: what checking permissions costs beside the role comparison it replaced. In the process: a million checks of
// each kind (role compare, built-in grants, a custom role's area and per-queue grants). Over HTTP: the same read by a
// built-in agent and by an agent holding a custom role (whose grants are joined into every session lookup).
import type { BenchContext } from './lib/context';
import { closedLoop, expectStatus, log, ratio, table, writeResult } from './lib/load';
import { can, canOnQueue } from '../api/modules/iam/permissions';
import type { AuthUser } from '../api/modules/auth/types';
import { Session } from '../tests/support/http';

const CHECKS = 1_000_000;

function nsPerCheck(check: (i: number) => boolean): number {
  let hits = 0;
  for (let i = 0; i < 100_000; i++) if (check(i)) hits++;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CHECKS; i++) if (check(i)) hits++;
  const ns = Number(process.hrtime.bigint() - t0) / CHECKS;
  // Keeps the loop from being optimised away.
  if (hits < 0) throw new Error('unreachable');
  return Math.round(ns * 100) / 100;
}

export async function permissionsBench(ctx: BenchContext) {
  const base: AuthUser = { id: 'u', email: 'a@b.c', name: 'A', role: 'agent', locale: 'en', organisationId: null, via: 'session', csrfToken: '' };
  const custom: AuthUser = { ...base, customRole: 'triage', grants: { areas: ['reports.view', 'admin.audit'], queues: { '*': ['reply'], network: ['reply', 'note', 'transition'] } } };
  const queues = ['network', 'desk', 'printers'];
  const pure = {
    role: nsPerCheck((i) => (i % 2 ? base : custom).role === 'admin'),
    builtIn: nsPerCheck(() => can(base, 'reports.view')),
    customArea: nsPerCheck(() => can(custom, 'admin.audit')),
    customQueue: nsPerCheck((i) => canOnQueue(custom, 'note', queues[i % 3]!)),
  };

  log('permissions: two agents, one holding a custom role');
  const role = `bench_role_${Date.now().toString(36)}`;
  expectStatus(await ctx.admin.post('/api/roles', { key: role, name: 'Bench role', areas: ['reports.view'], queues: { '*': ['reply', 'transition'] } }), 201, 'POST /api/roles');
  const signIn = async (customRole?: string) => {
    const email = `bench-perm-${Math.random().toString(36).slice(2)}@example.test`;
    const made = await ctx.admin.post('/api/users', { email, name: 'Bench agent', role: 'agent', password: 'a-long-password-for-bench' });
    expectStatus(made, 201, 'POST /api/users');
    if (customRole) expectStatus(await ctx.admin.request('PATCH', `/api/users/${made.body.id}`, { customRole }), 200, 'PATCH /api/users');
    return Session.login(email, 'a-long-password-for-bench', ctx.desk.url);
  };
  const [agent, holder] = [await signIn(), await signIn(role)];
  const read = (s: Session) => closedLoop({ count: 600, concurrency: 8, warmup: 50, op: async () => expectStatus(await s.get('/api/reports/backlog'), 200, 'GET /api/reports/backlog') });
  // A discarded round of each first: whichever ran first would otherwise pay for the warm-up of both.
  await read(agent);
  await read(holder);
  const builtInHttp = await read(agent);
  const customHttp = await read(holder);

  process.stdout.write(
    `\n== permission checks: ${CHECKS.toLocaleString('en')} each, in process (ns per check) ==\n` +
      table(
        ['check', 'ns', 'vs role compare'],
        [
          ["role compare (user.role === 'admin', the check it replaced)", pure.role, 1],
          ['built-in agent: area', pure.builtIn, ratio(pure.builtIn, pure.role)],
          ['custom role: area', pure.customArea, ratio(pure.customArea, pure.role)],
          ['custom role: action on a queue', pure.customQueue, ratio(pure.customQueue, pure.role)],
        ],
      ) +
      '\n\n== GET /api/reports/backlog, 600 requests at concurrency 8 (latencies in ms) ==\n' +
      table(
        ['caller', 'req/s', 'p50', 'p95', 'p99', 'errors'],
        [
          ['built-in agent', builtInHttp.throughput, builtInHttp.p50, builtInHttp.p95, builtInHttp.p99, builtInHttp.errors],
          ['agent with a custom role', customHttp.throughput, customHttp.p50, customHttp.p95, customHttp.p99, customHttp.errors],
          ['ratio custom / built-in', ratio(customHttp.throughput, builtInHttp.throughput), ratio(customHttp.p50, builtInHttp.p50), ratio(customHttp.p95, builtInHttp.p95), '', ''],
        ],
      ) +
      '\n',
  );
  const file = writeResult('permissions', { benchmark: 'permissions', machine: ctx.machine, pure, builtInHttp, customHttp }, ctx.startedAt);
  log(`permissions written to ${file}`);
  return { pure, builtInHttp, customHttp };
}
