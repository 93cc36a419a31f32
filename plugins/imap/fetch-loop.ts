// One connection's life: take in what waits in the mailbox, then wait for more (IDLE, or the polling interval), until
// the desk asks the task to stop. Each message is handed to the desk's intake first and moved or flagged only once the
// desk has it, so a crash in between hands it over again (the intake de-duplicates on the Message-ID).
import { ImapFlow } from 'imapflow';
import type { PluginLogger, PluginMail } from '../../platform/plugins/v1';
import { FAILED, TAKEN_IN, type ImapSettings } from './settings';

/** IMAP servers end an IDLE after 30 minutes: wake well before, and check the mailbox anyway. */
const IDLE_MAX_MS = 10 * 60_000;
const BATCH = 50;

export interface LoopStats {
  takenIn: number;
}

function clientFor(s: ImapSettings): ImapFlow {
  const security = s.security ?? 'tls';
  return new ImapFlow({
    host: s.host,
    port: s.port ?? (security === 'tls' ? 993 : 143),
    secure: security === 'tls',
    // STARTTLS is required when asked for, never attempted when not.
    doSTARTTLS: security === 'starttls' ? true : security === 'none' ? false : undefined,
    tls: { ...(s.caCertificate ? { ca: s.caCertificate } : {}), minVersion: 'TLSv1.2' },
    auth: { user: s.user, pass: s.password },
    logger: false,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    // IDLE as soon as the drain's commands are done, so new mail is announced at once.
    autoIdleDelay: 200,
  });
}

/** Larger than the SMTP intake takes: left in the mailbox, marked failed. */
const MAX_MESSAGE_BYTES = 30 * 1024 * 1024;
/** Handing a message over fails this often (across restarts of the task) before it is set aside. */
const MAX_FAILURES = 3;

/** Per message (by UID): how often handing it to the desk failed, so one bad message cannot hold the mailbox up. */
export type Failures = Map<string, number>;

/**
 * Takes in every message waiting; returns how many. A message the desk refuses to take (it throws) is tried again at
 * the next start of the task, and set aside after MAX_FAILURES (keyword $GuichetFailed, left in the mailbox).
 */
async function drain(client: ImapFlow, s: ImapSettings, mail: PluginMail, log: PluginLogger, failures: Failures, signal: AbortSignal): Promise<number> {
  const mailbox = s.mailbox ?? 'INBOX';
  const lock = await client.getMailboxLock(mailbox);
  const keywords = client.mailbox && client.mailbox.permanentFlags ? client.mailbox.permanentFlags.has('\\*') : false;
  if (s.afterIntake === 'flag' && !keywords) {
    lock.release();
    throw new Error(`the mailbox ${mailbox} does not keep custom keywords ($Guichet): choose "move" once taken in`);
  }
  const taken = new Set<number>();
  let count = 0;
  try {
    for (;;) {
      if (signal.aborted) return count;
      const since = s.receivedSince ? { since: new Date(`${s.receivedSince}T00:00:00Z`) } : {};
      const pending = s.afterIntake === 'flag' ? { ...since, not: { or: [{ keyword: TAKEN_IN }, { keyword: FAILED }] } } : keywords ? { ...since, unKeyword: FAILED } : { ...since, all: true };
      const found = (await client.search(pending, { uid: true })) || [];
      const uids = found.filter((uid) => !taken.has(uid)).slice(0, BATCH);
      if (!uids.length) {
        // What the desk took in must have left the search: a server that ignores our flag or move would loop forever.
        if (found.length && found.every((uid) => taken.has(uid))) throw new Error(`the server keeps messages in ${mailbox} after they were taken in`);
        return count;
      }
      for (const uid of uids) {
        if (signal.aborted) return count;
        const key = String(uid);
        const source = `imap://${s.user}@${s.host}/${mailbox}`;
        try {
          const meta = await client.fetchOne(key, { size: true, envelope: true }, { uid: true });
          // Too large will not get better with retries: set aside at once.
          if (meta && (meta.size ?? 0) > MAX_MESSAGE_BYTES) failures.set(key, MAX_FAILURES - 1);
          if (meta && (meta.size ?? 0) > MAX_MESSAGE_BYTES) throw new Error(`message ${meta.envelope?.messageId ?? key} is larger than 30 MB`);
          const message = await client.fetchOne(key, { source: true }, { uid: true });
          if (message && message.source) await mail.receive(message.source, { mailbox: source });
        } catch (err) {
          const n = (failures.get(key) ?? 0) + 1;
          failures.set(key, n);
          if (n < MAX_FAILURES || !keywords) throw err;
          await client.messageFlagsAdd(key, [FAILED], { uid: true });
          failures.delete(key);
          log.error(`message ${key} of ${mailbox} set aside (keyword ${FAILED}) after ${n} failures`, { error: (err as Error).message });
          taken.add(uid);
          continue;
        }
        failures.delete(key);
        if (s.afterIntake === 'flag') await client.messageFlagsAdd(key, ['\\Seen', TAKEN_IN], { uid: true });
        else await client.messageMove(key, s.moveTo ?? 'Processed', { uid: true });
        taken.add(uid);
        count += 1;
      }
    }
  } finally {
    lock.release();
  }
}

/**
 * Remembers that the server announced new mail (EXISTS, pushed while the client idles), even while a drain runs, so
 * mail arriving between the drain's last search and the wait is not left for the next interval.
 */
class Arrivals {
  private arrived = false;
  private wake: (() => void) | undefined;

  constructor(client: ImapFlow) {
    client.on('exists', () => {
      this.arrived = true;
      this.wake?.();
    });
  }

  /** Until mail arrives (with IDLE), `ms` pass, or the task is stopped. */
  wait(client: ImapFlow, idle: boolean, ms: number, signal: AbortSignal): Promise<void> {
    if (idle && this.arrived) {
      this.arrived = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.arrived = false;
        client.off('close', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (idle) this.wake = done;
      client.on('close', done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** imapflow's errors say "Command failed": the server's own words are in responseText. */
function explained(err: unknown): Error {
  const e = err as Error & { authenticationFailed?: boolean; responseText?: string; serverResponseCode?: string };
  if (e?.authenticationFailed) return new Error(`the IMAP server refused the user name or password (${e.responseText ?? e.serverResponseCode ?? 'authentication failed'})`);
  if (e?.responseText) return new Error(`${e.message}: ${e.responseText}`);
  return e instanceof Error ? e : new Error(String(err));
}

export async function fetchLoop(s: ImapSettings, mail: PluginMail, log: PluginLogger, signal: AbortSignal, stats: LoopStats, failures: Failures): Promise<void> {
  if (s.afterIntake !== 'flag' && (s.moveTo ?? 'Processed') === (s.mailbox ?? 'INBOX')) throw new Error('"Move to" must be another folder than the mailbox watched');
  const client = clientFor(s);
  client.on('error', (err: Error) => log.warn('IMAP connection error', { error: err.message }));
  const arrivals = new Arrivals(client);
  const close = () => void client.logout().catch(() => client.close());
  signal.addEventListener('abort', close, { once: true });
  try {
    await client.connect();
    if (s.afterIntake !== 'flag') {
      const target = s.moveTo ?? 'Processed';
      const exists = (await client.list()).some((b) => b.path === target);
      if (!exists) await client.mailboxCreate(target);
    }
    while (!signal.aborted) {
      stats.takenIn += await drain(client, s, mail, log, failures, signal);
      if (signal.aborted) break;
      if (!client.usable) throw new Error('the IMAP server closed the connection');
      const idle = s.idle !== false && client.capabilities.has('IDLE');
      await arrivals.wait(client, idle, idle ? IDLE_MAX_MS : (s.pollSeconds ?? 60) * 1000, signal);
    }
  } catch (err) {
    throw explained(err);
  } finally {
    signal.removeEventListener('abort', close);
    if (client.usable) await client.logout().catch(() => client.close());
  }
}
