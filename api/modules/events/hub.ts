// Live ticket changes for consoles: one LISTEN connection per API process fans PostgreSQL notices out to the open
// event streams, each subscriber receiving only the tickets the visibility policy lets it see.
import { PassThrough } from 'node:stream';
import pg from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../../platform/db/entities/index';
import type { Logger } from '../../../platform/logger';
import { TICKET_CHANNEL } from '../../../activities/notify-ticket-changes';
import type { AuthUser } from '../auth/types';
import type { TicketService } from '../tickets/service';
import { visibleTo } from '../tickets/policy';

export interface HubOptions {
  databaseUrl: string;
  em: EntityManager;
  tickets: TicketService;
  log: Logger;
  /** Comment lines keep proxies from closing an idle stream and let the server notice a dead session. */
  heartbeatMs?: number;
}

interface Subscriber {
  user: AuthUser;
  stream: PassThrough;
  /** Whether the session behind the stream still holds (checked on each heartbeat). */
  stillValid: () => Promise<boolean>;
}

/** Replayed after a reconnect: enough for a console that was away a few minutes; longer gaps refetch anyway. */
const REPLAY_LIMIT = 200;
const MAX_BACKOFF_MS = 30_000;

export class TicketEventHub {
  private readonly subscribers = new Set<Subscriber>();
  private client: pg.Client | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private backoffMs = 500;
  private closed = false;

  constructor(private readonly opts: HubOptions) {}

  start(): void {
    void this.connect();
    this.heartbeat = setInterval(() => void this.beat(), this.opts.heartbeatMs ?? 20_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Opens a stream for `user`; `lastEventId` (the updated-at of the last ticket seen) replays what changed meanwhile. */
  subscribe(user: AuthUser, stillValid: () => Promise<boolean>, lastEventId?: string): PassThrough {
    const stream = new PassThrough();
    const sub: Subscriber = { user, stream, stillValid };
    this.subscribers.add(sub);
    stream.on('close', () => this.subscribers.delete(sub));
    // The reconnection delay EventSource waits for after a drop, then a first line so the browser sees the stream open.
    stream.write(`retry: 3000\n: connected\n\n`);
    if (lastEventId && !Number.isNaN(Date.parse(lastEventId))) void this.replay(sub, lastEventId);
    return stream;
  }

  /** Ends every stream (clients reconnect to another replica or after restart) and the LISTEN connection. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.retry) clearTimeout(this.retry);
    for (const sub of this.subscribers) sub.stream.end();
    this.subscribers.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.opts.databaseUrl });
    client.on('error', (err) => {
      this.opts.log.warn({ err }, 'ticket event connection lost');
      if (this.client === client) this.reconnect();
    });
    client.on('end', () => {
      if (this.client === client) this.reconnect();
    });
    client.on('notification', (msg) => {
      if (msg.channel === TICKET_CHANNEL && msg.payload) void this.dispatch(msg.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${TICKET_CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      const wasDown = this.backoffMs > 500;
      this.client = client;
      this.backoffMs = 500;
      // Notices sent while nobody listened are lost: tell consoles to refetch rather than show stale rows.
      if (wasDown) for (const sub of this.subscribers) sub.stream.write('event: resync\ndata: {}\n\n');
    } catch (err) {
      this.opts.log.warn({ err }, 'cannot listen for ticket events; retrying');
      await client.end().catch(() => undefined);
      this.reconnect();
    }
  }

  private reconnect(): void {
    this.client = null;
    if (this.closed || this.retry) return;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, wait);
    this.retry.unref();
  }

  private async dispatch(payload: string): Promise<void> {
    let id: string;
    try {
      id = String((JSON.parse(payload) as { id: unknown }).id);
    } catch {
      return;
    }
    if (!this.subscribers.size) return;
    // One visibility check per distinct user, whatever the number of tabs they have open.
    const byUser = new Map<string, Subscriber[]>();
    for (const sub of this.subscribers) byUser.set(sub.user.id, [...(byUser.get(sub.user.id) ?? []), sub]);
    const now = await this.principals([...byUser.keys()]);
    await Promise.all(
      [...byUser.entries()].map(async ([userId, subs]) => {
        const opened = subs[0].user;
        const current = now.get(userId);
        // Rights are those of this moment, not of when the stream opened: a user moved to another organisation, given
        // another role or disabled hears nothing more and is told to reconnect, which checks them afresh.
        if (!current || current.disabled || current.role !== opened.role || (current.organisationId ?? null) !== opened.organisationId) {
          for (const sub of subs) if (!sub.stream.writableEnded) sub.stream.end('event: expired\ndata: {}\n\n');
          return;
        }
        const ticket = await this.opts.tickets.get(opened, id).catch(() => null);
        if (!ticket) return;
        for (const sub of subs) send(sub, ticket);
      }),
    );
  }

  /** The subscribers' role, organisation and status as the database holds them now, in one query per event. */
  private async principals(ids: string[]) {
    return new Map((await this.opts.em.fork().find(User, { id: { $in: ids } }, { fields: ['role', 'organisationId', 'disabled'] })).map((r) => [r.id, r]));
  }

  private async replay(sub: Subscriber, since: string): Promise<void> {
    try {
      const scope = visibleTo(sub.user);
      // SQL: the tickets changed since, under the subscriber's visibility, which the ticket policy writes as SQL.
      const rows = await this.opts.em
        .fork()
        .execute<Array<{ id: string }>>(`select t.id from tickets t where t.updated_at > ? and ${scope.sql} order by t.updated_at limit ?`, [
          since,
          ...scope.params,
          REPLAY_LIMIT + 1,
        ]);
      if (rows.length > REPLAY_LIMIT) {
        sub.stream.write('event: resync\ndata: {}\n\n');
        return;
      }
      for (const row of rows) {
        const ticket = await this.opts.tickets.get(sub.user, row.id).catch(() => null);
        if (ticket) send(sub, ticket);
      }
    } catch (err) {
      this.opts.log.warn({ err }, 'event replay failed; asking the console to refetch');
      sub.stream.write('event: resync\ndata: {}\n\n');
    }
  }

  private async beat(): Promise<void> {
    for (const sub of this.subscribers) {
      // Fails closed: a stream whose rights cannot be confirmed ends, and the console reconnects and is checked afresh.
      const valid = await sub.stillValid().catch(() => false);
      if (valid) sub.stream.write(': heartbeat\n\n');
      else sub.stream.end('event: expired\ndata: {}\n\n');
    }
  }
}

function send(sub: Subscriber, ticket: { updatedAt: string }): void {
  if (sub.stream.writableEnded) return;
  sub.stream.write(`id: ${ticket.updatedAt}\nevent: ticket\ndata: ${JSON.stringify(ticket)}\n\n`);
}
