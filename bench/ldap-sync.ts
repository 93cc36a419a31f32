// Benchmark: one full LDAP sync of 10,000 users (organisations and a mapped agent group included) from a real OpenLDAP
// slapd (tests/support/slapd.ts, StartTLS), started through the API's "sync now" and run by the desk worker's
// directorySyncWorkflow; then the same sync again with nothing to change. Baseline: a bare paged search of the same
// users with ldapts over the same StartTLS connection (what any sync must at least read).
import { Client } from 'ldapts';
import type { BenchContext } from './lib/context';
import { expectStatus, log, ratio, table, writeResult } from './lib/load';
import { groupLdif, personLdif, startSlapd } from '../tests/support/slapd';

export async function ldapSyncBench(ctx: BenchContext) {
  const n = Number(process.env.BENCH_LDAP_USERS ?? (ctx.full ? 50_000 : 10_000));
  const base = 'dc=bench,dc=test';
  const run = Date.now().toString(36);
  log(`ldap: loading ${n} users into slapd`);
  let ldif = '';
  const agents: string[] = [];
  for (let i = 0; i < n; i++) {
    const uid = `u${i}`;
    ldif += personLdif(base, { uid, cn: `User ${i}`, mail: `${uid}.${run}@bench-ldap.test`, o: `Bench org ${run} ${i % 20}` });
    if (i % 10 === 0) agents.push(uid);
  }
  ldif += groupLdif(base, 'bench-agents', agents);
  const slapd = await startSlapd({ baseDn: base, ldif });
  try {
    const groupKey = `bench_ldap_${run}`;
    expectStatus(await ctx.admin.post('/api/groups', { key: groupKey, name: 'Bench directory agents' }), 201, 'POST /api/groups');
    const made = await ctx.admin.post('/api/ldap/directories', {
      name: `Bench directory ${run}`,
      url: slapd.url,
      startTls: true,
      caCertificate: slapd.caPem,
      bindDn: slapd.adminDn,
      bindSecret: slapd.adminPassword,
      userBaseDns: [`ou=people,${base}`],
      groupBaseDns: [`ou=groups,${base}`],
      attributes: { organisation: 'o' },
      groupMappings: [{ group: 'bench-agents', role: 'agent', agentGroups: [groupKey] }],
      syncIntervalMinutes: 10080,
    });
    expectStatus(made, 201, 'POST /api/ldap/directories');
    const id = made.body.id as string;

    const sync = async (what: string) => {
      const t0 = performance.now();
      const started = await ctx.admin.post(`/api/ldap/directories/${id}/sync`);
      expectStatus(started, 202, what);
      const report = (await ctx.temporal.workflow.getHandle(started.body.workflowId, started.body.runId).result()) as Record<string, unknown>;
      const ms = performance.now() - t0;
      if (report.status !== 'succeeded') throw new Error(`${what} failed: ${report.errorCode} ${report.error}`);
      return { ms: Math.round(ms), usersPerSecond: Math.round((n / ms) * 1000), report };
    };
    log('ldap: first sync (creates every account)');
    const first = await sync('first sync');
    if (first.report.created !== n) throw new Error(`first sync created ${first.report.created} accounts, expected ${n}`);
    log('ldap: second sync (nothing to change)');
    const second = await sync('second sync');

    // Baseline: the bare read, same server, same TLS.
    const t0 = performance.now();
    const client = new Client({ url: slapd.url, timeout: 60_000 });
    await client.startTLS({ ca: slapd.caPem });
    await client.bind(slapd.adminDn, slapd.adminPassword);
    const { searchEntries } = await client.search(`ou=people,${base}`, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['entryUUID', 'mail', 'cn', 'uid', 'o'], paged: { pageSize: 500 } });
    await client.unbind();
    const readMs = Math.round(performance.now() - t0);
    if (searchEntries.length !== n) throw new Error(`bare search read ${searchEntries.length} entries, expected ${n}`);
    const bare = { ms: readMs, usersPerSecond: Math.round((n / readMs) * 1000) };

    process.stdout.write(
      `\n== LDAP sync of ${n} users from slapd over StartTLS (through the API's sync now and the worker) ==\n` +
        table(
          ['operation', 'users', 'ms', 'users/s', 'created', 'updated', 'unchanged'],
          [
            ['first sync (creates every account)', n, first.ms, first.usersPerSecond, String(first.report.created), String(first.report.updated), String(first.report.unchanged)],
            ['second sync (nothing changed)', n, second.ms, second.usersPerSecond, String(second.report.created), String(second.report.updated), String(second.report.unchanged)],
            ['baseline: bare paged search (ldapts)', n, bare.ms, bare.usersPerSecond, '', '', ''],
          ],
        ) +
        '\n\n' +
        table(
          ['ratio vs bare search', 'users/s'],
          [
            ['first sync', ratio(first.usersPerSecond, bare.usersPerSecond)],
            ['second sync', ratio(second.usersPerSecond, bare.usersPerSecond)],
          ],
        ) +
        '\n',
    );
    expectStatus(await ctx.admin.request('DELETE', `/api/ldap/directories/${id}`), 204, 'DELETE /api/ldap/directories/{id}');
    const result = { benchmark: 'ldap', machine: ctx.machine, users: n, first, second, bare };
    log(`ldap written to ${writeResult('ldap', result, ctx.startedAt)}`);
    return { users: n, first: { ms: first.ms, usersPerSecond: first.usersPerSecond }, second: { ms: second.ms, usersPerSecond: second.usersPerSecond }, bare };
  } finally {
    await slapd.destroy();
  }
}
