// The mail intake in-process on the shared desk's Temporal and database: unknown senders get an account when allowed, references thread replies, disabled accounts are refused.
import { Client, Connection } from '@temporalio/client';
import { openOrm, type Orm } from '../../platform/db/orm';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { DefinitionRepository } from '../../api/modules/definitions/repository';
import { DefinitionService } from '../../api/modules/definitions/service';
import { QueueService } from '../../api/modules/queues/service';
import { TicketRepository } from '../../api/modules/tickets/repository';
import { TicketService } from '../../api/modules/tickets/service';
import { TicketOpening } from '../../api/modules/tickets/opening';
import { AttachmentService } from '../../api/modules/attachments/service';
import { AttachmentBytes } from '../../api/modules/attachments/bytes';
import { MailIntake } from '../../api/modules/mail/intake';
import { ADMIN, eventually, Session, unique } from '../support/http';

/** The ticket service as the API wires it, on the shared desk's task queue. */
function ticketsOn(temporal: Client): TicketService {
  const repo = new TicketRepository(orm.em);
  const defs = new DefinitionService(new DefinitionRepository(orm.em));
  const queues = new QueueService(orm.em);
  return new TicketService(repo, defs, queues, temporal, new TicketOpening(repo, defs, queues, temporal, process.env.GUICHET_TEST_TASK_QUEUE!));
}

let orm: Orm;
let connection: Connection;
let intake: MailIntake;

beforeAll(async () => {
  orm = await openOrm(process.env.DATABASE_URL!);
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const temporal = new Client({ connection });
  const tickets = ticketsOn(temporal);
  const config = loadConfig({ ...process.env, MAIL_FROM: 'Desk <support@desk.test>', MAIL_INBOUND_CREATE_CUSTOMERS: 'true' }).mail;
  intake = new MailIntake(orm.em, tickets, new AttachmentService(orm.em, tickets, new AttachmentBytes(orm.em)), config, createLogger('test', 'warn'));
});

afterAll(async () => {
  await connection?.close();
  await orm?.close();
});

const raw = (headers: Record<string, string>, body: string) =>
  Buffer.from(`${Object.entries({ 'Message-ID': `<${unique('m')}@mua.test>`, Date: new Date().toUTCString(), 'Content-Type': 'text/plain; charset=utf-8', ...headers }).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}\r\n`);

it('should give an unknown sender a customer account and open their ticket, then thread a reply found by References only', async () => {
  const sender = `${unique('newcomer')}@example.test`;
  const opened = await intake.receive(raw({ From: `Noé Nouveau <${sender}>`, To: 'support@desk.test', Subject: 'Accès VPN', 'Content-Language': 'fr' }, 'Bonjour, le VPN refuse mon mot de passe.'), { from: sender, to: ['support@desk.test'] });
  expect(opened.outcome).toBe('ticket_created');
  const [user] = await orm.em.fork().execute<Array<{ role: string; name: string; locale: string; password_hash: string | null }>>('select role, name, locale, password_hash from users where email = ?', [sender]);
  expect(user).toEqual({ role: 'customer', name: 'Noé Nouveau', locale: 'fr', password_hash: null });

  const reply = await intake.receive(
    raw({ From: sender, To: 'support@desk.test', Subject: 'Re: Accès VPN', 'In-Reply-To': `<unknown@elsewhere.test>`, References: `<ticket-${opened.ticketId}@desk.test>` }, 'Ça remarche.\n\n> Bonjour'),
    { from: sender, to: ['support@desk.test'] },
  );
  expect(reply).toMatchObject({ outcome: 'commented', ticketId: opened.ticketId });
  const admin = await Session.login(ADMIN.email, ADMIN.password);
  const comment = await eventually(async () => (await admin.get(`/api/tickets/${opened.ticketId}/timeline`)).body.items.find((e: { type: string }) => e.type === 'commented'));
  expect(comment.data.body).toBe('Ça remarche.');
});

it('should refuse mail from a disabled account and a bounce, and ignore a redelivered message', async () => {
  const admin = await Session.login(ADMIN.email, ADMIN.password);
  const email = `${unique('gone')}@example.test`;
  const created = await admin.post('/api/users', { email, name: 'Gone', role: 'customer', password: 'a-long-password-1' });
  await admin.request('PATCH', `/api/users/${created.body.id}`, { disabled: true });
  expect((await intake.receive(raw({ From: email, Subject: 'Hello' }, 'Hi'), { from: email, to: ['support@desk.test'] })).outcome).toBe('unknown_sender');
  expect((await intake.receive(raw({ From: 'someone@example.test', Subject: 'Undelivered' }, 'x'), { from: '', to: ['support@desk.test'] })).outcome).toBe('automatic');

  const sender = `${unique('twice')}@example.test`;
  const message = raw({ From: sender, Subject: 'Once only' }, 'Same message delivered twice');
  const first = await intake.receive(message, { from: sender, to: ['support@desk.test'] });
  expect(first.outcome).toBe('ticket_created');
  expect(await intake.receive(message, { from: sender, to: ['support@desk.test'] })).toEqual({ outcome: 'duplicate', ticketId: first.ticketId });
});

it('should never let a forged From speak as staff, nor use a reply token issued to someone else', async () => {
  const customer = `${unique('victim')}@example.test`;
  const opened = await intake.receive(raw({ From: customer, To: 'support@desk.test', Subject: 'Mon écran' }, 'Il clignote.'), { from: customer, to: ['support@desk.test'] });
  expect(opened.outcome).toBe('ticket_created');

  // Posing as the admin: neither a reply by References nor a new ticket is accepted without a token mailed to the admin.
  const asAdminReply = await intake.receive(raw({ From: ADMIN.email, To: 'support@desk.test', Subject: 'Re: Mon écran', References: `<ticket-${opened.ticketId}@desk.test>` }, 'Fermez tout.'), { from: ADMIN.email, to: ['support@desk.test'] });
  expect(asAdminReply.outcome).toBe('staff_unverified');
  const asAdminNew = await intake.receive(raw({ From: ADMIN.email, To: 'support@desk.test', Subject: 'Nouveau' }, 'x'), { from: ADMIN.email, to: ['support@desk.test'] });
  expect(asAdminNew.outcome).toBe('staff_unverified');

  // A reply token works only for the user it was issued to.
  const token = Array.from({ length: 20 }, () => 'abcdefghijklmnopqrstuvwxyz234567'[Math.floor(Math.random() * 32)]).join('');
  const db = orm.em.fork();
  const [owner] = await db.execute<Array<{ id: string }>>('select id from users where email = ?', [customer]);
  await db.execute(`insert into mail_reply_tokens (token, ticket_id, user_id) values (?, ?, ?)`, [token, opened.ticketId, owner.id]);
  const stolen = await intake.receive(raw({ From: ADMIN.email, To: `support+${token}@desk.test`, Subject: 'Re: Mon écran' }, 'Je suis le support.'), { from: ADMIN.email, to: [`support+${token}@desk.test`] });
  expect(stolen.outcome).toBe('staff_unverified');
  const own = await intake.receive(raw({ From: customer, To: `support+${token}@desk.test`, Subject: 'Re: Mon écran' }, 'Toujours pareil.'), { from: customer, to: [`support+${token}@desk.test`] });
  expect(own).toMatchObject({ outcome: 'commented', ticketId: opened.ticketId });

  const admin = await Session.login(ADMIN.email, ADMIN.password);
  const comments = await eventually(async () => {
    const items = (await admin.get(`/api/tickets/${opened.ticketId}/timeline`)).body.items.filter((e: { type: string }) => e.type === 'commented');
    return items.length ? items : undefined;
  });
  expect(comments.map((c: { data: { body: string } }) => c.data.body)).toEqual(['Toujours pareil.']);
});

it('should open mailed tickets at the operator\'s MAIL_INBOUND_PRIORITY, critical included, though customers may not choose critical', async () => {
  const temporal = new Client({ connection });
  const tickets = ticketsOn(temporal);
  const config = loadConfig({ ...process.env, MAIL_FROM: 'Desk <support@desk.test>', MAIL_INBOUND_CREATE_CUSTOMERS: 'true', MAIL_INBOUND_PRIORITY: 'critical' }).mail;
  const urgent = new MailIntake(orm.em, tickets, new AttachmentService(orm.em, tickets, new AttachmentBytes(orm.em)), config, createLogger('test', 'warn'));
  const sender = `${unique('pager')}@example.test`;
  const opened = await urgent.receive(raw({ From: sender, To: 'support@desk.test', Subject: 'Site down' }, 'Everything is down.'), { from: sender, to: ['support@desk.test'] });
  expect(opened.outcome).toBe('ticket_created');
  const [row] = await orm.em.fork().execute<Array<{ priority: string; channel: string }>>('select priority, channel from tickets where id = ?', [opened.ticketId]);
  expect(row).toEqual({ priority: 'critical', channel: 'email' });
});
