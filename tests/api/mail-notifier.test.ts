// The mail listener on its own against the real database: escalation notices reach the named user, group or role (staff only), once.
import { openOrm, type Orm } from '../../platform/db/orm';
import { loadConfig } from '../../platform/config';
import { mailNotifier } from '../../activities/mail-notifications';
import type { RecordTicketEventsInput } from '../../activities/record-ticket-events';
import { ADMIN, eventually, Session, unique } from '../support/http';

let orm: Orm;
let admin: Session;

beforeAll(async () => {
  orm = await openOrm(process.env.DATABASE_URL!);
  admin = await Session.login(ADMIN.email, ADMIN.password);
});

afterAll(async () => {
  await orm?.close();
});

async function user(role: 'agent' | 'customer', locale = 'en'): Promise<{ id: string; email: string }> {
  const email = `${unique(role)}@example.test`;
  const res = await admin.post('/api/users', { email, name: `${role} ${locale}`, role, password: 'a-long-password-1', locale });
  return { id: res.body.id, email };
}

it('should queue an escalation for the named user, group members and role holders, never a customer, and only once per replay', async () => {
  const [named, member, customer] = [await user('agent', 'fr'), await user('agent'), await user('customer')];
  const group = unique('nightshift').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  expect((await admin.post('/api/groups', { key: group, name: 'Night shift' })).status).toBe(201);
  expect((await admin.request('PUT', `/api/groups/${group}/members`, { userIds: [member.id] })).status).toBeLessThan(300);
  const ticket = (await admin.post('/api/tickets', { type: 'incident', title: unique('escalated'), priority: 'high' })).body;

  const config = loadConfig({ ...process.env, SMTP_URL: 'smtp://127.0.0.1:1', MAIL_FROM: 'Desk <support@desk.test>' }).mail;
  let wakes = 0;
  const notify = mailNotifier(orm.em, config, () => wakes++);
  const at = new Date().toISOString();
  const batch: RecordTicketEventsInput = {
    ticketId: ticket.id,
    row: { ...ticket, requesterId: customer.id, definitionKey: ticket.definition.key, definitionVersion: ticket.definition.version, lastSeq: 900 },
    events: [
      { seq: 900, type: 'escalated', actor: { id: null, role: 'system' }, visibility: 'internal', at, data: { escalation: 'breach' } },
      { seq: 901, type: 'notification', actor: { id: null, role: 'system' }, visibility: 'internal', at, data: { escalation: 'breach', user: named.email, group, role: null } },
      { seq: 902, type: 'notification', actor: { id: null, role: 'system' }, visibility: 'internal', at, data: { escalation: 'breach', user: customer.id, group: null, role: null } },
    ],
  };
  await notify(batch);
  await notify(batch); // the activity retried: nothing new
  const rows = await orm.em
    .fork()
    .execute<Array<{ to_address: string; kind: string; subject: string; reply_to: string }>>(`select to_address, kind, subject, reply_to from mail_outbox where ticket_id = ? and seq >= 900 order by to_address`, [ticket.id]);
  expect(rows.map((r) => r.to_address).sort()).toEqual([named.email, member.email].sort());
  expect(rows.every((r) => r.kind === 'escalation')).toBe(true);
  expect(rows.find((r) => r.to_address === named.email)!.subject).toBe(`[${ticket.number}] Escalade breach : ${ticket.title}`);
  expect(rows[0].reply_to).toMatch(/^support\+[a-z2-7]{20}@desk\.test$/);
  expect(wakes).toBe(1);
});

it('should mail only people who may see the ticket: not agents of other groups, not service accounts, not watchers who lost access', async () => {
  const [inGroup, outside, requester, watcher] = [await user('agent'), await user('agent'), await user('customer'), await user('customer')];
  const group = unique('secops').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const queue = unique('secq').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const outsideGroup = unique('facilities').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  expect((await admin.post('/api/groups', { key: group, name: 'Security' })).status).toBe(201);
  expect((await admin.post('/api/groups', { key: outsideGroup, name: 'Facilities' })).status).toBe(201);
  expect((await admin.request('PUT', `/api/groups/${group}/members`, { userIds: [inGroup.id] })).status).toBeLessThan(300);
  expect((await admin.request('PUT', `/api/groups/${outsideGroup}/members`, { userIds: [outside.id] })).status).toBeLessThan(300);
  expect((await admin.post('/api/queues', { key: queue, name: 'Security queue' })).status).toBe(201);
  expect((await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] })).status).toBe(200);
  const hook = await admin.post('/api/webhooks/endpoints', {
    name: unique('monitoring'),
    mapping: { rules: [{ action: { type: 'transition', externalRef: '{{/id}}', transition: 'resolve', fields: {} } }] },
  });
  expect(hook.status).toBe(201);
  const serviceAccount = (hook.body.endpoint ?? hook.body).actorId as string;

  const ticket = (await admin.post('/api/tickets', { type: 'incident', title: unique('Breach in the vault'), priority: 'high' })).body;
  expect((await admin.post(`/api/tickets/${ticket.id}/assign`, { assigneeId: null, queue })).status).toBeLessThan(300);
  await eventually(async () => ((await admin.get(`/api/tickets/${ticket.id}`)).body.queue === queue ? true : undefined));
  // The watcher was on the list once but is no requester of this ticket and shares no organisation with it.
  await orm.em.fork().execute('insert into ticket_watchers (ticket_id, user_id) values (?, ?) on conflict do nothing', [ticket.id, watcher.id]);

  const config = loadConfig({ ...process.env, SMTP_URL: 'smtp://127.0.0.1:1', MAIL_FROM: 'Desk <support@desk.test>' }).mail;
  const notify = mailNotifier(orm.em, config, () => {});
  const at = new Date().toISOString();
  await notify({
    ticketId: ticket.id,
    row: { ...ticket, queue, requesterId: requester.id, definitionKey: ticket.definition.key, definitionVersion: ticket.definition.version, lastSeq: 950 },
    events: [
      { seq: 950, type: 'notification', actor: { id: null, role: 'system' }, visibility: 'internal', at, data: { escalation: 'breach', user: null, group: outsideGroup, role: 'agent' } },
      { seq: 951, type: 'notification', actor: { id: null, role: 'system' }, visibility: 'internal', at, data: { escalation: 'breach', user: serviceAccount, group: null, role: 'admin' } },
      { seq: 952, type: 'commented', actor: { id: inGroup.id, role: 'agent' }, visibility: 'public', at, data: { body: 'We are on it' } },
    ],
  });
  const rows = await orm.em
    .fork()
    .execute<Array<{ to_address: string; kind: string }>>(`select to_address, kind from mail_outbox where ticket_id = ? and seq >= 950`, [ticket.id]);
  const to = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.to_address).sort();
  // The requester is not allowed to see this admin's ticket either: it is not theirs, so no mail.
  // Other suites add admins and agents of their own; what matters is who is in and who is out.
  expect(to('escalation')).toEqual(expect.arrayContaining([ADMIN.email, inGroup.email]));
  expect(to('escalation')).not.toContain(outside.email);
  expect(to('comment')).toEqual([]);
  expect(rows.some((r) => r.to_address.endsWith('hooks.guichet.invalid'))).toBe(false);
});

it('should mail a definition reminder to the requester and watchers who may see the ticket, in their language', async () => {
  const customer = await user('customer', 'fr');
  const cs = await Session.login(customer.email, 'a-long-password-1');
  const ticket = (await cs.post('/api/tickets', { type: 'incident', title: unique('Waiting on you'), priority: 'low' })).body;
  const config = loadConfig({ ...process.env, SMTP_URL: 'smtp://127.0.0.1:1', MAIL_FROM: 'Desk <support@desk.test>' }).mail;
  const notify = mailNotifier(orm.em, config, () => {});
  await notify({
    ticketId: ticket.id,
    row: { ...ticket, requesterId: customer.id, definitionKey: ticket.definition.key, definitionVersion: ticket.definition.version, lastSeq: 970 },
    events: [{ seq: 970, type: 'reminder', actor: { id: null, role: 'system' }, visibility: 'public', at: new Date().toISOString(), data: { automation: 'remind_customer', text: 'Still waiting.', textFr: 'Toujours en attente.' } }],
  });
  const rows = await orm.em.fork().execute<Array<{ to_address: string; kind: string; subject: string; body: string }>>(`select to_address, kind, subject, body from mail_outbox where ticket_id = ? and seq = 970`, [ticket.id]);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ to_address: customer.email, kind: 'reminder', subject: `[${ticket.number}] Rappel : ${ticket.title}` });
  expect(rows[0].body).toContain('Toujours en attente.');
});
