// A real OpenLDAP slapd (Debian's /usr/sbin/slapd) for tests and the bench: its own slapd.conf, mdb database and
// self-signed certificate (StartTLS) in a temp directory, bound to 127.0.0.1 on a free port, stopped by its pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../platform/servers/ports';

export const SLAPD = '/usr/sbin/slapd';

export interface Slapd {
  /** ldap://127.0.0.1:<port> */
  url: string;
  port: number;
  baseDn: string;
  adminDn: string;
  adminPassword: string;
  /** The self-signed certificate slapd offers on StartTLS (its own CA), PEM. */
  caPem: string;
  /** Adds entries (LDIF) with ldapadd as the admin. */
  add(ldif: string): void;
  /** Applies changes (LDIF changetype records) with ldapmodify as the admin. */
  modify(ldif: string): void;
  /** Deletes entries by DN. */
  remove(...dns: string[]): void;
  /** Stops slapd (the data stays); `start` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops slapd and removes its directory. */
  destroy(): Promise<void>;
}

const SCHEMAS = ['core', 'cosine', 'inetorgperson', 'nis'];

function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/**
 * `baseDn` defaults to dc=example,dc=test; `ldif` is loaded with slapadd before the first start (fast for large loads).
 * The suffix entry and ou=people / ou=groups are always created.
 */
export async function startSlapd(opts: { baseDn?: string; ldif?: string } = {}): Promise<Slapd> {
  if (!existsSync(SLAPD)) throw new Error(`${SLAPD} is missing: apt-get install slapd ldap-utils`);
  const baseDn = opts.baseDn ?? 'dc=example,dc=test';
  const dc = /^dc=([^,]+)/.exec(baseDn)?.[1] ?? 'example';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-slapd-'));
  const data = path.join(dir, 'data');
  mkdirSync(data);
  const adminDn = `cn=admin,${baseDn}`;
  const adminPassword = 'slapd-admin-secret';
  // A self-signed certificate for 127.0.0.1 / localhost: the test gives it to the desk as the directory's CA.
  run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ]);
  const caPem = run('cat', [path.join(dir, 'cert.pem')]);
  const conf = path.join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      ...SCHEMAS.map((s) => `include /etc/ldap/schema/${s}.schema`),
      `pidfile ${dir}/slapd.pid`,
      `argsfile ${dir}/slapd.args`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'moduleload memberof',
      `TLSCertificateFile ${dir}/cert.pem`,
      `TLSCertificateKeyFile ${dir}/key.pem`,
      'sizelimit unlimited',
      'database mdb',
      'maxsize 4294967296',
      `suffix "${baseDn}"`,
      `rootdn "${adminDn}"`,
      `rootpw ${adminPassword}`,
      `directory ${data}`,
      'index objectClass eq',
      'index uid,mail,cn eq',
      'index member eq',
      'index entryUUID eq',
      // Entries added online get memberOf (Active Directory style); slapadd bypasses overlays.
      'overlay memberof',
      // Anyone may bind (simple bind checks userPassword); only bound users read; nobody reads passwords.
      'access to attrs=userPassword by self write by anonymous auth by * none',
      'access to * by users read by * none',
      '',
    ].join('\n'),
  );
  const base = `dn: ${baseDn}\nobjectClass: dcObject\nobjectClass: organization\ndc: ${dc}\no: ${dc}\n\ndn: ou=people,${baseDn}\nobjectClass: organizationalUnit\nou: people\n\ndn: ou=groups,${baseDn}\nobjectClass: organizationalUnit\nou: groups\n\n`;
  run('/usr/sbin/slapadd', ['-q', '-f', conf], base + (opts.ldif ?? ''));
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    // -d 0 keeps slapd in the foreground (a child we can stop by pid) without debug output.
    child = spawn(SLAPD, ['-h', `${url}/`, '-f', conf, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const deadline = Date.now() + 15_000;
    while (!(await answers(port))) {
      if (child.exitCode !== null) throw new Error(`slapd exited (${child.exitCode}): ${stderr}`);
      if (Date.now() > deadline) throw new Error(`slapd did not answer on ${url}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    // Until the port is closed, "down" is not down yet.
    while (await answers(port)) await new Promise((r) => setTimeout(r, 50));
  };
  const asAdmin = ['-x', '-H', url, '-D', adminDn, '-w', adminPassword];
  await start();
  return {
    url,
    port,
    baseDn,
    adminDn,
    adminPassword,
    caPem,
    add: (ldif) => void run('ldapadd', [...asAdmin, '-c'], ldif),
    modify: (ldif) => void run('ldapmodify', asAdmin, ldif),
    remove: (...dns) => void run('ldapdelete', asAdmin, dns.join('\n') + '\n'),
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An inetOrgPerson under ou=people (uid = its rdn). */
export function personLdif(baseDn: string, p: { uid: string; cn: string; mail?: string; password?: string; o?: string; sn?: string }): string {
  return [
    `dn: uid=${p.uid},ou=people,${baseDn}`,
    'objectClass: inetOrgPerson',
    `uid: ${p.uid}`,
    `cn: ${p.cn}`,
    `sn: ${p.sn ?? p.cn.split(' ').pop()}`,
    ...(p.mail ? [`mail: ${p.mail}`] : []),
    ...(p.o ? [`o: ${p.o}`] : []),
    ...(p.password ? [`userPassword: ${p.password}`] : []),
    '',
    '',
  ].join('\n');
}

/** A groupOfNames under ou=groups with these member uids (groupOfNames needs at least one member). */
export function groupLdif(baseDn: string, cn: string, memberUids: string[]): string {
  return [`dn: cn=${cn},ou=groups,${baseDn}`, 'objectClass: groupOfNames', `cn: ${cn}`, ...memberUids.map((u) => `member: uid=${u},ou=people,${baseDn}`), '', ''].join('\n');
}
