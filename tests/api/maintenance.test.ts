// Assets and maintenance plans over HTTP: who may see them, RRULE previews, a plan opening its work order, checklists gating completion, failed checks opening incidents.
import { ADMIN, eventually, Session, unique } from '../support/http';
import { dueAfterCompletion, occurrencesAfter, zonedParts } from '../../workflow-definitions/index';

let admin: Session;
let agentIn: Session;
let agentOut: Session;
let customer: Session;
let group: string;

const TZ = 'Europe/Paris';
const p2 = (n: number) => String(n).padStart(2, '0');
function localDateIn(days: number): string {
  const p = zonedParts(Date.now() + days * 86_400_000, TZ);
  return `${p.y}-${p2(p.m)}-${p2(p.d)}`;
}

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  const make = async (role: string) => {
    const email = `${unique(role)}@example.test`;
    const res = await admin.post('/api/users', { email, name: role, role, password: 'a-long-password-1' });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, s: await Session.login(email, 'a-long-password-1') };
  };
  const a = await make('agent');
  agentIn = a.s;
  agentOut = (await make('agent')).s;
  customer = (await make('customer')).s;
  group = unique('facilities').replace(/-/g, '_');
  expect((await admin.post('/api/groups', { key: group, name: 'Facilities' })).status).toBe(201);
  expect((await admin.request('PUT', `/api/groups/${group}/members`, { userIds: [a.id] })).status).toBe(200);
});

function planBody(assetId: string, overrides: Record<string, unknown> = {}) {
  return {
    name: unique('Boiler service'),
    assetIds: [assetId],
    schedule: { kind: 'rrule', rrule: 'FREQ=WEEKLY;BYDAY=MO,TH' },
    start: `${localDateIn(1)}T09:00`,
    timeZone: TZ,
    leadDays: 7,
    checklist: [
      { id: 'pressure', label: 'Pressure', kind: 'reading', mandatory: true, unit: 'bar' },
      { id: 'leaks', label: 'No leaks', kind: 'check', mandatory: true },
      { id: 'remarks', label: 'Remarks', kind: 'note', mandatory: false },
    ],
    ownerGroup: group,
    priority: 'medium',
    ...overrides,
  };
}

describe('access', () => {
  it('should refuse customers every asset and plan route', async () => {
    for (const [method, path] of [
      ['GET', '/api/assets'],
      ['GET', '/api/maintenance/plans'],
      ['GET', '/api/maintenance/overdue'],
      ['GET', '/api/maintenance/compliance'],
      ['GET', '/api/maintenance/calendar?from=2026-01-01&to=2026-01-31'],
    ]) {
      expect([method, path, (await customer.request(method, path)).status]).toEqual([method, path, 403]);
    }
    expect((await customer.post('/api/assets', { name: 'Mine', kind: 'equipment', criticality: 'low' })).status).toBe(403);
  });

  it('should show a group-owned asset and plan to the group agents and admins, not to other agents', async () => {
    const asset = await agentIn.post('/api/assets', { name: unique('Chiller'), kind: 'equipment', criticality: 'high', ownerGroup: group, location: 'Roof', category: 'HVAC' });
    expect(asset.status).toBe(201);
    expect((await agentOut.post('/api/assets', { name: 'x', kind: 'site', criticality: 'low', ownerGroup: group })).status).toBe(403);
    expect((await agentOut.get(`/api/assets/${asset.body.id}`)).status).toBe(404);
    expect((await agentOut.get('/api/assets')).body.items.map((a: { id: string }) => a.id)).not.toContain(asset.body.id);
    expect((await admin.get(`/api/assets/${asset.body.id}`)).status).toBe(200);
    const plan = await agentIn.post('/api/maintenance/plans', planBody(asset.body.id, { leadDays: 0, start: `${localDateIn(30)}T09:00` }));
    expect(plan.status).toBe(201);
    expect((await agentOut.get(`/api/maintenance/plans/${plan.body.id}`)).status).toBe(404);
    expect((await agentOut.post(`/api/maintenance/plans/${plan.body.id}/pause`)).status).toBe(404);
    expect((await agentIn.get(`/api/maintenance/plans/${plan.body.id}`)).status).toBe(200);
    expect((await customer.get(`/api/maintenance/plans/${plan.body.id}`)).status).toBe(403);
    expect((await admin.post(`/api/maintenance/plans/${plan.body.id}/stop`)).status).toBe(200);
  });

  it("should list on a shared asset's page only the plans of groups the agent belongs to", async () => {
    const shared = await admin.post('/api/assets', { name: unique('Lobby'), kind: 'site', criticality: 'low' });
    expect(shared.status).toBe(201);
    const theirs = await admin.post('/api/maintenance/plans', planBody(shared.body.id, { name: unique('Secret lobby sweep'), leadDays: 0, start: `${localDateIn(30)}T09:00` }));
    expect(theirs.status).toBe(201);
    const open = await admin.post('/api/maintenance/plans', planBody(shared.body.id, { name: unique('Lobby lights'), ownerGroup: null, leadDays: 0, start: `${localDateIn(30)}T09:00` }));
    expect(open.status).toBe(201);
    const outside = await agentOut.get(`/api/assets/${shared.body.id}`);
    expect(outside.status).toBe(200);
    expect(outside.body.plans.map((p: { id: string }) => p.id)).toEqual([open.body.id]);
    expect(JSON.stringify(outside.body)).not.toContain(theirs.body.name);
    const inside = await agentIn.get(`/api/assets/${shared.body.id}`);
    expect(inside.body.plans.map((p: { id: string }) => p.id).sort()).toEqual([theirs.body.id, open.body.id].sort());
    for (const p of [theirs, open]) expect((await admin.post(`/api/maintenance/plans/${p.body.id}/stop`)).status).toBe(200);
  });
});

describe('recurrence preview', () => {
  it('should preview the last Friday of each month in local time', async () => {
    const res = await agentIn.post('/api/maintenance/preview', { schedule: { kind: 'rrule', rrule: 'FREQ=MONTHLY;BYDAY=-1FR' }, start: '2027-01-01T14:00', timeZone: TZ, count: 3 });
    expect(res.status).toBe(200);
    expect(res.body.dates).toEqual(['2027-01-29T13:00:00.000Z', '2027-02-26T13:00:00.000Z', '2027-03-26T13:00:00.000Z']);
  });

  it('should refuse a bad rule or time zone with a clear 422', async () => {
    const bad = await agentIn.post('/api/maintenance/preview', { schedule: { kind: 'rrule', rrule: 'FREQ=MONTHLY;BYDAY=1XX' }, start: '2027-01-01T14:00', timeZone: TZ });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toContain("BYDAY value '1XX'");
    const tz = await agentIn.post('/api/maintenance/preview', { schedule: { kind: 'rrule', rrule: 'FREQ=DAILY' }, start: '2027-01-01T14:00', timeZone: 'Mars/Olympus' });
    expect(tz.status).toBe(422);
    expect(tz.body.errors[0].pointer).toBe('/body/timeZone');
  });
});

describe('a plan and its work order', () => {
  let assetId: string;
  let planId: string;
  let workOrderId: string;

  beforeAll(async () => {
    assetId = (await agentIn.post('/api/assets', { name: unique('Boiler'), kind: 'equipment', criticality: 'critical', ownerGroup: group })).body.id;
  });

  it('should open the first work order at once when it is within the lead time, on the previewed date, and preview the rest', async () => {
    const body = planBody(assetId);
    const created = await agentIn.post('/api/maintenance/plans', body);
    expect(created.status).toBe(201);
    planId = created.body.id;
    const expected = occurrencesAfter(body.schedule.rrule, { start: body.start, timeZone: TZ }, null, 30).map((t) => new Date(t).toISOString());
    // Seven days of lead time: every occurrence within the next week opens now.
    const soon = expected.filter((d) => Date.parse(d) - 7 * 86_400_000 <= Date.now());
    const plan = await eventually(async () => {
      const r = await agentIn.get(`/api/maintenance/plans/${planId}`);
      return r.body.workOrders?.length === soon.length && r.body.workOrders.every((w: { state: string | null }) => w.state) ? r.body : undefined;
    }, 30_000);
    expect(plan.workOrders.map((w: { dueAt: string }) => w.dueAt).sort()).toEqual(soon);
    expect(plan.upcoming.map((u: { dueAt: string }) => u.dueAt)).toEqual(expected.slice(soon.length, soon.length + 10));
    workOrderId = plan.workOrders.sort((a: { dueAt: string }, b: { dueAt: string }) => a.dueAt.localeCompare(b.dueAt))[0].ticketId;
    const ticket = await agentIn.get(`/api/tickets/${workOrderId}`);
    expect(ticket.body).toMatchObject({ type: 'maintenance', fields: { plan: planId, asset: assetId } });
  });

  it('should refuse completion until every mandatory checklist item is done', async () => {
    expect((await agentIn.post(`/api/tickets/${workOrderId}/transitions`, { transition: 'start' })).status).toBe(200);
    const early = await agentIn.post(`/api/tickets/${workOrderId}/transitions`, { transition: 'complete', fields: { completion_note: 'done' } });
    expect(early.status).toBe(422);
    expect(early.body.type).toContain('checklist-incomplete');
    const noReading = await agentIn.request('PUT', `/api/maintenance/work-orders/${workOrderId}/checklist/pressure`, { done: true });
    expect(noReading.status).toBe(422);
    expect((await agentIn.request('PUT', `/api/maintenance/work-orders/${workOrderId}/checklist/pressure`, { done: true, reading: 1.4 })).status).toBe(200);
    const ticked = await agentIn.request('PUT', `/api/maintenance/work-orders/${workOrderId}/checklist/leaks`, { done: true });
    expect(ticked.body.complete).toBe(true);
    expect((await customer.get(`/api/maintenance/work-orders/${workOrderId}/checklist`)).status).toBe(403);
  });

  it('should open an incident on the asset from a failed check, shown on the asset page', async () => {
    const incident = await agentIn.post(`/api/maintenance/work-orders/${workOrderId}/incident`, { title: 'Pressure too low', itemId: 'pressure' });
    expect(incident.status).toBe(201);
    const detail = await agentIn.get(`/api/assets/${assetId}`);
    expect(detail.status).toBe(200);
    const open = detail.body.openTickets.map((t: { id: string }) => t.id);
    expect(open).toEqual(expect.arrayContaining([incident.body.id, workOrderId]));
    expect(detail.body.plans.map((p: { id: string }) => p.id)).toContain(planId);
    const done = await agentIn.post(`/api/tickets/${workOrderId}/transitions`, { transition: 'complete', fields: { completion_note: 'serviced' } });
    expect(done.status).toBe(200);
  });

  it('should pause, refuse a bogus skip, skip the next occurrence, resume, and list calendar, overdue and compliance', async () => {
    const paused = await agentIn.post(`/api/maintenance/plans/${planId}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    const resumed = await agentIn.post(`/api/maintenance/plans/${planId}/resume`, {});
    expect(resumed.body.status).toBe('active');
    const next = resumed.body.upcoming[0].occurrence;
    expect((await agentIn.post(`/api/maintenance/plans/${planId}/skip`, { occurrence: '2001-01-01T00:00:00Z' })).status).toBe(422);
    const skipped = await agentIn.post(`/api/maintenance/plans/${planId}/skip`, { occurrence: next });
    expect(skipped.status).toBe(200);
    expect(skipped.body.upcoming[0].occurrence).not.toBe(next);
    const from = localDateIn(-1);
    const to = localDateIn(40);
    const cal = await agentIn.get(`/api/maintenance/calendar?from=${from}&to=${to}`);
    expect(cal.status).toBe(200);
    expect(cal.body.items.some((i: { planId: string; status: string }) => i.planId === planId && i.status === 'planned')).toBe(true);
    expect(cal.body.items.some((i: { ticketId: string }) => i.ticketId === workOrderId)).toBe(true);
    expect((await agentIn.get('/api/maintenance/overdue')).status).toBe(200);
    for (const by of ['plan', 'asset', 'group']) expect((await agentIn.get(`/api/maintenance/compliance?by=${by}`)).status).toBe(200);
    const bad = await agentIn.post(`/api/maintenance/plans/${planId}/resume`, { backfill: 'yes' });
    expect(bad.status).toBe(400);
    expect((await agentIn.post(`/api/maintenance/plans/${planId}/stop`)).status).toBe(200);
  });
});

describe('an interval plan', () => {
  it('should hear at once that its work order was completed and count the next due date from that completion', async () => {
    const assetId = (await agentIn.post('/api/assets', { name: unique('Pump'), kind: 'equipment', criticality: 'low', ownerGroup: group })).body.id;
    const start = `${localDateIn(1)}T07:30`;
    const created = await agentIn.post('/api/maintenance/plans', planBody(assetId, { schedule: { kind: 'interval', intervalDays: 14 }, start, leadDays: 3, checklist: [] }));
    expect(created.status).toBe(201);
    const planId = created.body.id;
    const workOrderId = await eventually(async () => (await agentIn.get(`/api/maintenance/plans/${planId}`)).body.workOrders?.[0]?.ticketId as string | undefined, 30_000);
    await eventually(async () => ((await agentIn.get(`/api/tickets/${workOrderId}`)).status === 200 ? true : undefined));
    expect((await agentIn.post(`/api/tickets/${workOrderId}/transitions`, { transition: 'start' })).status).toBe(200);
    const done = await agentIn.post(`/api/tickets/${workOrderId}/transitions`, { transition: 'complete', fields: { completion_note: 'replaced the seal' } });
    expect(done.status).toBe(200);
    // The ticket-event listener signals the plan: no wait for its daily check.
    const expected = new Date(dueAfterCompletion(Date.parse(done.body.resolvedAt), 14, { start, timeZone: TZ })).toISOString();
    const plan = await eventually(async () => {
      const r = await agentIn.get(`/api/maintenance/plans/${planId}`);
      return r.body.nextDueAt === expected ? r.body : undefined;
    }, 30_000);
    expect(plan.upcoming).toEqual([{ occurrence: expected, dueAt: expected }]);
    expect((await agentIn.post(`/api/maintenance/plans/${planId}/stop`)).status).toBe(200);
  });
});
