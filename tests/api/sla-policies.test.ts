// SLA policies of customer organisations against the real desk: a ticket of a policy's organisation counts its clocks
// against the policy's targets and calendar, pinned when it opens (a later change of the policy is for later tickets),
// a change of priority reads the policy's table, an organisation is in one policy at most, and reports group by policy.
import type { MikroORM } from '@mikro-orm/postgresql';
import { openOrm } from '../../platform/db/orm';
import { ADMIN, Session, eventually, unique, ok } from '../support/http';

let admin: Session;
let orm: MikroORM;

async function customerOf(orgId: string | null): Promise<Session> {
  const email = `${unique('sla')}@example.test`;
  await ok(admin.post('/api/users', { email, name: unique('Sam'), role: 'customer', password: 'a-long-password-1', organisationId: orgId }), 201);
  return Session.login(email, 'a-long-password-1');
}

const MIN = 60_000;
/** The clock's target, as milliseconds after the ticket opened. */
const after = (ticket: { createdAt: string; sla: Array<{ name: string; target: string | null }> }, clock: string) => {
  const target = ticket.sla.find((c) => c.name === clock)?.target;
  return target ? Date.parse(target) - Date.parse(ticket.createdAt) : null;
};
const about = (ms: number | null, expected: number) => ms !== null && Math.abs(ms - expected) < 2_000;

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  orm = await openOrm(process.env.DATABASE_URL!);
});
afterAll(async () => orm?.close());

describe('SLA policies', () => {
  it("should count a policy organisation's tickets against the policy, pinned when they open", async () => {
    const org = await ok(admin.post('/api/organisations', { name: unique('Gold org') }), 201);
    const name = unique('Gold');
    const policy = await ok(
      admin.post('/api/sla-policies', { name, organisationIds: [org.id], calendar: '24x7', targets: { high: { firstResponseMinutes: 10, resolutionMinutes: 60 }, low: { firstResponseMinutes: 20, resolutionMinutes: 120 } } }),
      201,
    );
    expect(policy).toMatchObject({ name, organisationIds: [org.id], tickets: 0 });
    const gold = await customerOf(org.id);
    const plain = await customerOf(null);

    const ticket = await ok(gold.post('/api/tickets', { type: 'incident', title: 'Gold outage', priority: 'high' }), 201);
    const names = ticket.sla.map((c: { name: string }) => c.name);
    expect(names).toHaveLength(2);
    const [first, resolution] = names as [string, string];
    expect(after(ticket, first)).toBe(10 * MIN);
    expect(after(ticket, resolution)).toBe(60 * MIN);
    // Without a policy, the definition's own targets (high: business hours) apply.
    const other = await ok(plain.post('/api/tickets', { type: 'incident', title: 'Plain outage', priority: 'high' }), 201);
    expect(after(other, resolution)).not.toBe(60 * MIN);

    const context = await ok(admin.get(`/api/tickets/${ticket.id}/context`));
    expect(context.slaPolicy).toEqual({ id: policy.id, name });

    // A change of priority reads the policy's table for the new priority.
    await ok(admin.request('PATCH', `/api/tickets/${ticket.id}`, { priority: 'low' }));
    await eventually(async () => {
      const now = await ok(admin.get(`/api/tickets/${ticket.id}`));
      return now.priority === 'low' && about(after(now, resolution), 120 * MIN) ? true : undefined;
    });

    // The policy changes: tickets already open keep theirs, new ones take the change.
    await ok(admin.request('PATCH', `/api/sla-policies/${policy.id}`, { targets: { high: { firstResponseMinutes: 5, resolutionMinutes: 90 } } }));
    const later = await ok(gold.post('/api/tickets', { type: 'incident', title: 'Gold again', priority: 'high' }), 201);
    expect(after(later, resolution)).toBe(90 * MIN);
    expect(about(after(await ok(admin.get(`/api/tickets/${ticket.id}`)), resolution), 120 * MIN)).toBe(true);

    // Reports group by the policy a ticket opened under.
    // (The report reads facts the worker records as tickets change: it catches up within moments.)
    await eventually(async () => {
      const report = await ok(admin.get(`/api/reports/sla?by=slaPolicy&organisation=${org.id}`));
      const rows = report.rows.map((r: { key: string; tickets: number }) => [r.key, r.tickets]);
      return JSON.stringify(rows) === JSON.stringify([[name, 2]]) ? true : undefined;
    });

    // Deleted, its tickets keep its targets and name.
    expect((await admin.request('DELETE', `/api/sla-policies/${policy.id}`)).status).toBe(204);
    expect((await ok(admin.get(`/api/tickets/${later.id}/context`))).slaPolicy).toEqual({ id: null, name });
  });

  it('should refuse an organisation already in another policy, a bad calendar and inverted targets, each at its element, saving nothing', async () => {
    const org = await ok(admin.post('/api/organisations', { name: unique('Silver org') }), 201);
    const first = await ok(admin.post('/api/sla-policies', { name: unique('Silver'), organisationIds: [org.id], calendar: '24x7', targets: { medium: { resolutionMinutes: 600 } } }), 201);
    const name = unique('Overlap');
    const res = await admin.post('/api/sla-policies', {
      name,
      organisationIds: [org.id, '00000000-0000-4000-8000-000000000000'],
      calendar: { timeZone: 'Mars/Olympus', weekly: { mon: [['09:00', '17:00']] } },
      targets: { high: { firstResponseMinutes: 100, resolutionMinutes: 50 } },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { pointer: '/calendar/timeZone', message: "unknown time zone 'Mars/Olympus'" },
      { pointer: '/targets/high/resolutionMinutes', message: 'resolution (50 min) comes before the first response (100 min)' },
      { pointer: '/organisationIds/0', message: `this organisation is already served by the policy '${first.name}'` },
      { pointer: '/organisationIds/1', message: 'no organisation 00000000-0000-4000-8000-000000000000' },
    ]);
    expect((await ok(admin.get('/api/sla-policies'))).items.some((p: { name: string }) => p.name === name)).toBe(false);
    // Empty targets or an unknown priority are refused by the schema.
    expect((await admin.post('/api/sla-policies', { name, organisationIds: [], calendar: '24x7', targets: {} })).status).toBe(400);
    expect((await admin.post('/api/sla-policies', { name, organisationIds: [], calendar: '24x7', targets: { urgent: { resolutionMinutes: 5 } } })).status).toBe(400);
    // Audited with before and after.
    await ok(admin.request('PATCH', `/api/sla-policies/${first.id}`, { targets: { medium: { resolutionMinutes: 500 } } }));
    const audit = await ok(admin.get(`/api/audit?entity=sla_policy&entityId=${first.id}`));
    const changes = audit.items.flatMap((e: { detail?: { changes?: Array<{ path: string; before: unknown; after: unknown }> } }) => e.detail?.changes ?? []);
    expect(changes).toEqual(expect.arrayContaining([{ path: '/targets/medium/resolutionMinutes', before: 600, after: 500 }]));
  });
});

describe('SLA policy dry run', () => {
  it("should say how the organisation's recent tickets would have done under the targets, changing nothing", async () => {
    const org = await ok(admin.post('/api/organisations', { name: unique('Dry org') }), 201);
    const customer = await customerOf(org.id);
    const answered = await ok(customer.post('/api/tickets', { type: 'incident', title: unique('Answered'), priority: 'high' }), 201);
    const waiting = await ok(customer.post('/api/tickets', { type: 'incident', title: unique('Waiting'), priority: 'high' }), 201);
    // The reports' facts have heard every event of both tickets, so nothing rewrites them after the history below.
    const settled = async (id: string) =>
      (await orm.em.fork().execute<Array<{ ok: boolean }>>('select f.last_seq = t.last_seq as ok from ticket_facts f join tickets t on t.id = f.ticket_id where f.ticket_id = ?', [id]))[0]?.ok;
    await eventually(async () => ((await settled(answered.id)) && (await settled(waiting.id)) ? true : undefined));
    // History, as the reports recorded it: both opened two hours ago; one answered after 90 minutes, one not yet.
    await orm.em.fork().execute(
      `update ticket_facts set created_at = now() - interval '2 hours',
         first_response_at = case when ticket_id = ? then now() - interval '30 minutes' end,
         fr_status = case when ticket_id = ? then 'met' else 'pending' end
       where ticket_id in (?, ?)`,
      [answered.id, answered.id, answered.id, waiting.id],
    );
    const policies = (await ok(admin.get('/api/sla-policies'))).items.length;

    const strict = await ok(admin.post('/api/sla-policies/preview', { organisationIds: [org.id], calendar: '24x7', targets: { high: { firstResponseMinutes: 60 } } }));
    expect(strict).toMatchObject({ days: 30, tickets: 2, truncated: false, firstResponse: { now: { met: 1, pending: 1 }, would: { breached: 2 } } });
    expect(strict.changes.map((c: { ticketId: string; firstResponse: { now: string; would: string } }) => [c.ticketId, c.firstResponse.now, c.firstResponse.would]).sort()).toEqual(
      [[answered.id, 'met', 'breached'], [waiting.id, 'pending', 'breached']].sort(),
    );
    const generous = await ok(admin.post('/api/sla-policies/preview', { organisationIds: [org.id], calendar: '24x7', targets: { high: { firstResponseMinutes: 180 } } }));
    expect(generous.firstResponse.would).toMatchObject({ met: 1, pending: 1 });
    expect(generous.changes).toEqual([]);
    // Only the organisations named, only the days asked for.
    expect((await ok(admin.post('/api/sla-policies/preview', { organisationIds: [], calendar: '24x7', targets: { high: { firstResponseMinutes: 60 } } }))).tickets).toBe(0);
    expect((await admin.post('/api/sla-policies/preview', { organisationIds: [org.id], calendar: { timeZone: 'Nowhere/Land', weekly: { mon: [['09:00', '17:00']] } }, targets: { high: { firstResponseMinutes: 60 } } })).status).toBe(422);
    expect((await ok(admin.get('/api/sla-policies'))).items).toHaveLength(policies);
  });
});
