// A private, throw-away Request Tracker 5 (Debian's request-tracker5 + rt5-db-sqlite + rt5-standalone) for importer
// tests: its own site config, SQLite database, Mason cache, sessions and outgoing mail in a temp directory, its own
// standalone web server on a free 127.0.0.1 port, and an auth token for root that REST2 (/REST/2.0/) accepts.
// The machine's own RT instance (/etc/request-tracker5, /var/lib, /var/cache) is never read or written.
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../platform/servers/ports';

const RT_LIB = '/usr/share/request-tracker5/lib';
const RT_SERVER = '/usr/share/request-tracker5/libexec/rt-server';
const RT_SETUP_DATABASE = '/usr/sbin/rt-setup-database-5';
const STARTUP_TIMEOUT_MS = 60_000;

export interface RequestTracker {
  /** http://127.0.0.1:<port>, no trailing slash; REST2 lives under `${url}/REST/2.0/`. */
  url: string;
  /** An RT auth token for root, sent as `Authorization: token <token>`. */
  token: string;
  /** The last ~20 kB of rt-server's stdout and stderr (RT logs warnings and errors there), for a failing test. */
  log(): string;
  /** Kills the server (its whole process group) and removes the temp directory; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * RT runs as this user when the tests run as root: rt-server's SIGINT handler chowns the system instance's
 * /var/lib/request-tracker5 when it runs as root, and an unprivileged user cannot touch the system database at all.
 */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) throw new Error('running as root, but there is no "nobody" user to run Request Tracker as');
  return { uid: Number(uid), gid: Number(gid) };
}

function chownTree(dir: string, owner: { uid: number; gid: number }): void {
  chownSync(dir, owner.uid, owner.gid);
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) chownTree(p, owner);
    else chownSync(p, owner.uid, owner.gid);
  }
}

function siteConfig(dir: string, port: number): string {
  // Perl single-quoted strings: the temp path from os.tmpdir() holds no quote or backslash.
  return `# Written by tests/support/request-tracker.ts for a throw-away instance.
# RT::Generated points these at the system instance; they are plain package variables, so the site config may move them.
$RT::VarPath = '${dir}/var';
$RT::MasonDataDir = '${dir}/var/mason_data';
$RT::MasonSessionDir = '${dir}/var/session_data';
$RT::LocalEtcPath = '${dir}/etc';

Set($rtname, 'guichet-test');
Set($Organization, 'guichet-test');
Set($Timezone, 'UTC');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '${dir}/var/rt.sqlite3');

Set($WebDomain, '127.0.0.1');
Set($WebPort, ${port});
Set($WebPath, '');

# Scrips notify requesters on create and correspond: keep that mail in $VarPath/*.mbox, away from the host's sendmail.
Set($MailCommand, 'mbox');
Set($CorrespondAddress, 'support@rt.test');
Set($CommentAddress, 'support-comment@rt.test');

# Every REST2 request checks the auth token with bcrypt: at RT's default cost (12) that alone takes ~200 ms.
Set($BcryptCost, 4);

Set($LogToSTDERR, 'warning');
Set($LogToSyslog, undef);
Set($LogToFile, undef);
Set($LogDir, '${dir}/log');
1;
`;
}

/**
 * Runs against the initialised database before the server starts (SQLite prefers one writer), for what REST2 in
 * RT 5.0 has no endpoint for:
 * - gives the Privileged group the rights an agent needs (a ticket cannot be owned by a user without OwnTicket);
 * - disables the stock scrip "On Correspond Open Inactive Tickets", which moves a ticket out of "new" on its first
 *   reply, and the open → new transition is not allowed: a seeded "new" ticket with a reply would be impossible;
 * - prints a new auth token for root.
 */
const PREPARE_INSTANCE = `
use strict;
use warnings;
use RT -init;

my $privileged = RT::Group->new(RT->SystemUser);
$privileged->LoadSystemInternalGroup('Privileged') or die "no Privileged group\\n";
for my $right (qw(SeeQueue ShowTicket CreateTicket OwnTicket TakeTicket ReplyToTicket CommentOnTicket
                  ShowTicketComments ModifyTicket ShowOutgoingEmail)) {
    my ($ok, $msg) = $privileged->PrincipalObj->GrantRight(Right => $right, Object => RT->System);
    die "granting $right: $msg\\n" unless $ok;
}

my $autoopen = RT::Scrip->new(RT->SystemUser);
$autoopen->LoadByCols(Description => 'On Correspond Open Inactive Tickets');
die "no auto-open scrip\\n" unless $autoopen->Id;
my ($disabled, $why) = $autoopen->SetDisabled(1);
die "disabling the auto-open scrip: $why\\n" unless $disabled;

my $root = RT::CurrentUser->new;
$root->Load('root') or die "no root user\\n";
my ($id, $msg, $token) = RT::AuthToken->new($root)->Create(Owner => $root->Id, Description => 'guichet tests');
die "creating the auth token: $msg\\n" unless $id;
print "$token\\n";
`;

function run(cmd: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd: string; user?: { uid: number; gid: number } }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], ...opts.user });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${stderr || stdout}`));
    });
  });
}

/** Starts a fresh Request Tracker; call `stop()` when done (e.g. in afterAll). Takes a few seconds. */
export async function startRequestTracker(): Promise<RequestTracker> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-rt-'));
  let child: ChildProcess | undefined;
  let output = '';
  let stopped = false;
  // A test that never calls stop() must not leave a server behind when its process ends.
  const killOnExit = () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    const c = child;
    if (c?.pid && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      // SIGTERM, never SIGINT: rt-server's SIGINT handler would chown the system instance's directory.
      const signal = (sig: NodeJS.Signals) => {
        try {
          process.kill(-c.pid!, sig);
        } catch {
          // the group is already gone
        }
      };
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (const sub of ['etc', 'site-config.d', 'log', 'var/mason_data', 'var/session_data']) mkdirSync(path.join(dir, sub), { recursive: true });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = path.join(dir, 'etc', 'RT_SiteConfig.pm');
    writeFileSync(config, siteConfig(dir, port));
    const user = unprivilegedUser();
    if (user) chownTree(dir, user);

    const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, TZ: 'UTC' };
    // rt-setup-database reads RT_DB_* over the site config; a stray one must not point it at another database.
    for (const key of Object.keys(env)) if (key.startsWith('RT_DB_') || key === 'RT_DBA_USER' || key === 'RT_DBA_PASSWORD') delete env[key];
    // RT honours these in RT::Config::LoadConfig: our site config instead of /etc/request-tracker5/RT_SiteConfig.pm,
    // and an empty directory instead of /etc/request-tracker5/RT_SiteConfig.d (which holds the system database).
    env.RT_SITE_CONFIG = config;
    env.RT_SITE_CONFIG_DIR = path.join(dir, 'site-config.d');
    const opts = { env, cwd: dir, user };

    // --skip-create: SQLite needs no DBA, the file is made on first connect; init then loads schema, core data and
    // the stock initialdata (root/password, queue General, default scrips).
    await run(RT_SETUP_DATABASE, ['--action', 'init', '--skip-create'], opts);
    const token = (await run('perl', [`-I${RT_LIB}`, '-e', PREPARE_INSTANCE], opts)).trim();
    if (!/^\d+-\d+-[0-9a-f]+$/.test(token)) throw new Error(`unexpected auth token from RT: ${JSON.stringify(token)}`);

    // Standalone (HTTP::Server::PSGI) is a single process; detached gives it its own process group all the same, so
    // stop() can kill whatever it might spawn.
    const server = spawn(RT_SERVER, ['--server', 'Standalone', '--host', '127.0.0.1', '--port', String(port)], {
      env,
      cwd: dir,
      ...user,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = server;
    process.once('exit', killOnExit);
    const keep = (b: Buffer) => (output = (output + b.toString()).slice(-20_000));
    server.stdout?.on('data', keep);
    server.stderr?.on('data', keep);
    let spawnError: Error | undefined;
    server.once('error', (e) => (spawnError = e));

    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      if (spawnError) throw spawnError;
      if (server.exitCode !== null || server.signalCode !== null) throw new Error(`rt-server exited (${server.exitCode ?? server.signalCode}):\n${output}`);
      // /rt answers only once REST2 is mounted and the token is accepted, which is what a test needs.
      const res = await fetch(`${url}/REST/2.0/rt`, { headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      if (res?.ok) break;
      if (res && res.status !== 502 && res.status !== 503) throw new Error(`GET ${url}/REST/2.0/rt answered ${res.status}: ${await res.text()}\n${output}`);
      if (Date.now() > deadline) throw new Error(`Request Tracker did not answer on ${url} within ${STARTUP_TIMEOUT_MS} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { url, token, log: () => output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding through REST2

export interface SeededUser {
  id: number;
  /** RT's user Name (login). */
  name: string;
  email: string;
  realName: string;
  organization: string | null;
  privileged: boolean;
}

export interface SeededAttachment {
  fileName: string;
  contentType: string;
  content: Buffer;
}

export interface SeededTicket {
  id: number;
  queue: string;
  subject: string;
  /** The status the ticket was left in. */
  status: 'new' | 'open' | 'stalled' | 'resolved';
  requestorEmail: string;
  /** The owner's email, or null when RT's owner is Nobody. */
  ownerEmail: string | null;
  /** Body of the create transaction (RT's first message). */
  description: string;
  correspondence: string;
  comment: string;
  /** Files attached to the correspondence. */
  attachments: SeededAttachment[];
}

export interface SeededRt {
  queues: { support: { id: number; name: string }; hardware: { id: number; name: string } };
  agent: SeededUser;
  requesters: SeededUser[];
  tickets: SeededTicket[];
  /** Every attachment across all tickets, with its ticket. */
  attachments: Array<SeededAttachment & { ticketId: number }>;
}

/** A 1×1 RGBA PNG (valid CRCs), 70 bytes. */
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGPQztnwHwAEVAJHnALJDgAAAABJRU5ErkJggg==', 'base64');

async function rest2(rt: { url: string; token: string }, method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${rt.url}/REST/2.0/${route}`, {
    method,
    headers: { Authorization: `token ${rt.token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`RT ${method} /REST/2.0/${route} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Creates, through REST2 only, two queues (Support, Hardware), a privileged agent and two unprivileged requesters,
 * and four tickets (new, open, stalled, resolved; the open one owned by the agent), each with a create message, a
 * correspondence and a comment; one correspondence carries notes.txt, another a tiny PNG.
 */
export async function seedRequestTracker(rt: { url: string; token: string }): Promise<SeededRt> {
  const createQueue = async (name: string, description: string) => {
    const { id } = await rest2(rt, 'POST', 'queue', { Name: name, Description: description });
    return { id: Number(id), name };
  };
  const support = await createQueue('Support', 'General support requests');
  const hardware = await createQueue('Hardware', 'Broken or missing equipment');

  const createUser = async (u: Omit<SeededUser, 'id'>): Promise<SeededUser> => {
    await rest2(rt, 'POST', 'user', {
      Name: u.name,
      EmailAddress: u.email,
      RealName: u.realName,
      Privileged: u.privileged ? 1 : 0,
      ...(u.organization ? { Organization: u.organization } : {}),
    });
    // Creating a user answers with its Name as "id"; the record has the number.
    const { id } = await rest2(rt, 'GET', `user/${encodeURIComponent(u.name)}`);
    return { id: Number(id), ...u };
  };
  const agent = await createUser({ name: 'agent.rt', email: 'agent.rt@example.com', realName: 'Agnès Agent', organization: null, privileged: true });
  const alice = await createUser({ name: 'alice@example.com', email: 'alice@example.com', realName: 'Alice Martin', organization: 'Acme Corp', privileged: false });
  const bob = await createUser({ name: 'bob@example.org', email: 'bob@example.org', realName: 'Bob Durand', organization: 'Globex', privileged: false });

  const notes: SeededAttachment = { fileName: 'notes.txt', contentType: 'text/plain', content: Buffer.from('Steps tried so far:\n1. cleared the cache\n2. reset the password\n') };
  const pixel: SeededAttachment = { fileName: 'screenshot.png', contentType: 'image/png', content: TINY_PNG };
  const plans: Array<Omit<SeededTicket, 'id'>> = [
    {
      queue: support.name, subject: 'Cannot log in to the portal', status: 'new', requestorEmail: alice.email, ownerEmail: null,
      description: 'Since this morning the portal rejects my password.',
      correspondence: 'Could you tell us which browser you use? What you tried is attached.',
      comment: 'Probably the SSO outage, check with the identity team.',
      attachments: [notes],
    },
    {
      queue: support.name, subject: 'Invoice PDF is missing', status: 'open', requestorEmail: bob.email, ownerEmail: agent.email,
      description: 'The March invoice has no PDF attached.',
      correspondence: 'We are regenerating the PDF and will send it today.',
      comment: 'Billing job failed on 2 March, rerun scheduled.',
      attachments: [],
    },
    {
      queue: hardware.name, subject: 'Laptop screen flickers', status: 'stalled', requestorEmail: alice.email, ownerEmail: null,
      description: 'The screen of my laptop flickers when on battery.',
      correspondence: 'Is this what you see? Waiting for your confirmation.',
      comment: 'Known issue with this model, replacement panel on order.',
      attachments: [pixel],
    },
    {
      queue: hardware.name, subject: 'Replace broken keyboard', status: 'resolved', requestorEmail: bob.email, ownerEmail: null,
      description: 'Several keys of my keyboard no longer work.',
      correspondence: 'A new keyboard is on your desk.',
      comment: 'Taken from the spare stock, stock now at 3.',
      attachments: [],
    },
  ];

  const tickets: SeededTicket[] = [];
  for (const plan of plans) {
    const created = await rest2(rt, 'POST', 'ticket', {
      Queue: plan.queue,
      Subject: plan.subject,
      Requestor: plan.requestorEmail,
      ...(plan.ownerEmail ? { Owner: plan.ownerEmail } : {}),
      Content: plan.description,
      ContentType: 'text/plain',
    });
    const id = Number(created.id);
    await rest2(rt, 'POST', `ticket/${id}/correspond`, {
      Content: plan.correspondence,
      ContentType: 'text/plain',
      Attachments: plan.attachments.map((a) => ({ FileName: a.fileName, FileType: a.contentType, FileContent: a.content.toString('base64') })),
    });
    await rest2(rt, 'POST', `ticket/${id}/comment`, { Content: plan.comment, ContentType: 'text/plain' });
    // Last, after the messages: a reply to a stalled or resolved ticket would reopen it.
    if (plan.status !== 'new') await rest2(rt, 'PUT', `ticket/${id}`, { Status: plan.status });
    tickets.push({ id, ...plan });
  }

  // PUT answers 200 with a list of messages even when a change was refused: read back what RT holds.
  for (const t of tickets) {
    const got = await rest2(rt, 'GET', `ticket/${t.id}?fields[Owner]=EmailAddress`);
    const owner: string | null = got.Owner?.id === 'Nobody' ? null : (got.Owner?.EmailAddress ?? got.Owner?.id);
    if (got.Status !== t.status || owner !== t.ownerEmail) {
      throw new Error(`RT ticket ${t.id} is ${got.Status} owned by ${owner}, expected ${t.status} owned by ${t.ownerEmail}`);
    }
  }

  return {
    queues: { support, hardware },
    agent,
    requesters: [alice, bob],
    tickets,
    attachments: tickets.flatMap((t) => t.attachments.map((a) => ({ ticketId: t.id, ...a }))),
  };
}
