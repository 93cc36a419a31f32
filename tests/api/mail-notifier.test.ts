// The mail listener on its own against the real database: escalation notices reach the named user, group or role (staff only), once.
import { openOrm, type Orm } from '../../platform/db/orm';
import { loadConfig } from '../../platform/config';
import { mailNotifier } from '../../activities/mail-notifications';
import type { RecordTicketEventsInput } from '../../activities/record-ticket-events';
import { ADMIN, Session, unique } from '../support/http';

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
