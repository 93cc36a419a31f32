// Reports end to end: tickets with known SLA outcomes go through the real API and workflows (one-minute targets on a 24/7
// calendar), then every report's figures are compared with values computed by hand from the recorded timelines.
import { freshDatabaseUrl, startDesk, type Desk } from '../support/desk';
import { ADMIN, Session, eventually, unique, ok } from '../support/http';

let desk: Desk;
let admin: Session;
let customer: Session;
let otherCustomer: Session;
let agentIn: Session;
let agentOut: Session;
let agentInId: string;
let queue: string;
const t: Record<'A' | 'B' | 'C' | 'D' | 'E', { id: string; createdAt: string }> = {} as never;

const MINUTE = 60_000;
// The definition's SLA, on a 24/7 calendar: critical tickets breach after one minute, the others never within the test.
const POLICIES = {
  critical: { calendar: '24x7', firstResponseMinutes: 1, resolutionMinutes: 1, warnAtPercent: 50 },
  high: { calendar: '24x7', firstResponseMinutes: 600, resolutionMinutes: 600 },
  medium: { calendar: '24x7', firstResponseMinutes: 600, resolutionMinutes: 600 },
  low: { calendar: '24x7', firstResponseMinutes: 600, resolutionMinutes: 600 },
};

async function user(role: string, name = `${role} ${unique('n')}`): Promise<{ id: string; s: Session }> {
  const email = `${unique(role)}@example.test`;
  const res = await admin.post('/api/users', { email, name, role, password: 'a-long-password-1' });
  expect(res.status).toBe(201);
  return { id: res.body.id, s: await Session.login(email, 'a-long-password-1', desk.url) };
}

async function timeline(id: string): Promise<Array<{ seq: number; type: string; at: string; visibility: string; actor: { role: string }; data: any }>> {
  return (await ok(admin.get(`/api/tickets/${id}/timeline`))).items;
}

/** The report through HTTP, limited to this test's tickets by their creation window. */
async function report(s: Session, name: string, params: Record<string, string> = {}) {
  return s.get(`/api/reports/${name}?${new URLSearchParams({ from: window.from, ...params })}`);
}
const window = { from: '' };

// The test publishes its own incident definition and fills queues: it gets a database and desk of its own.
beforeAll(async () => {
  const url = new URL(await freshDatabaseUrl('reports'));
  desk = await startDesk({ taskQueue: unique('reports'), env: { DATABASE_URL: url.toString() } });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  // The seeded customer files critical tickets (this desk has a database of its own, so the setting stays here).
  await ok(admin.request('PATCH', '/api/settings', { customersMayChooseCritical: true }));

  const versions = await ok(admin.get('/api/definitions/incident/versions'));
  const v = versions.items.filter((x: { status: string }) => x.status === 'published').pop().version;
  const { version: _v, status: _s, ...def } = await ok(admin.get(`/api/definitions/incident/versions/${v}`));
  def.sla = { policies: POLICIES };
  await ok(admin.request('PUT', '/api/definitions/incident/draft', def));
  await ok(admin.post('/api/definitions/incident/publish'));

  const c = await user('customer');
  customer = c.s;
  otherCustomer = (await user('customer')).s;
  // A name a CSV writer must quote.
  const a = await user('agent', 'Dupont, "Jo"');
  agentIn = a.s;
  agentInId = a.id;
  agentOut = (await user('agent')).s;
  const group = unique('net').replace(/-/g, '_');
  queue = unique('netq').replace(/-/g, '_');
  await ok(admin.post('/api/groups', { key: group, name: 'Network' }), 201);
  await ok(admin.request('PUT', `/api/groups/${group}/members`, { userIds: [agentInId] }));
  await ok(admin.post('/api/queues', { key: queue, name: 'Network queue' }), 201);
  await ok(admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] }));

  window.from = new Date(Date.now() - 1000).toISOString();
  const open = async (priority: string) => {
    const body = await ok(customer.post('/api/tickets', { type: 'incident', title: unique('Report ticket'), priority }), 201);
    return { id: body.id as string, createdAt: body.createdAt as string };
  };
  // A: critical, network queue; answered and resolved at once → both clocks met.
  t.A = await open('critical');
  await ok(admin.post(`/api/tickets/${t.A.id}/assign`, { assigneeId: agentInId, queue }));
  await ok(agentIn.post(`/api/tickets/${t.A.id}/comments`, { body: 'On it', visibility: 'public' }), 201);
  await ok(agentIn.post(`/api/tickets/${t.A.id}/transitions`, { transition: 'resolve', fields: { resolution: 'cable replaced' } }));
  // B: critical, network queue, left alone → both clocks breach after one minute, three escalations fire.
  t.B = await open('critical');
  await ok(admin.post(`/api/tickets/${t.B.id}/assign`, { assigneeId: null, queue }));
  // C: high, default queue; started, resolved, reopened by the customer, resolved again → met, one reopen.
  t.C = await open('high');
  await ok(admin.post(`/api/tickets/${t.C.id}/assign`, { assigneeId: agentInId }));
  await ok(agentIn.post(`/api/tickets/${t.C.id}/transitions`, { transition: 'start' }));
  await ok(agentIn.post(`/api/tickets/${t.C.id}/transitions`, { transition: 'resolve', fields: { resolution: 'reset' } }));
  await ok(customer.post(`/api/tickets/${t.C.id}/transitions`, { transition: 'reopen' }));
  await ok(agentIn.post(`/api/tickets/${t.C.id}/transitions`, { transition: 'resolve', fields: { resolution: 'reset again' } }));
  // D: high, assigned, never answered → pending, the agent's open workload.
  t.D = await open('high');
  await ok(admin.post(`/api/tickets/${t.D.id}/assign`, { assigneeId: agentInId }));
  // E: low, cancelled by its customer before any answer → no first response to measure, resolution clock stopped in time.
  t.E = await open('low');
  await ok(customer.post(`/api/tickets/${t.E.id}/transitions`, { transition: 'cancel' }));

  await ok(customer.request('PUT', `/api/tickets/${t.A.id}/rating`, { score: 5, comment: 'Quick, thanks' }), 201);
  await ok(customer.request('PUT', `/api/tickets/${t.C.id}/rating`, { score: 2 }), 201);
  // Rating again replaces the first one.
  await ok(customer.request('PUT', `/api/tickets/${t.C.id}/rating`, { score: 4, comment: 'Fine "in the end", really' }));

  // B's breaches: one minute after its creation, recorded by the workflow's timers.
  await eventually(async () => {
    const events = await timeline(t.B.id);
    return events.filter((e) => e.type === 'escalated').length >= 3 ? true : undefined;
  }, 2 * MINUTE, 1000);
  // The facts follow each committed batch (a listener after the commit): wait for the last one.
  await eventually(async () => ((await report(admin, 'escalations')).body.rows?.length === 3 ? true : undefined));
}, 4 * MINUTE);
afterAll(async () => desk?.stop());

const ms = (a: string, b: string) => Date.parse(b) - Date.parse(a);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('report figures on a seeded set of tickets', () => {
  it('should count SLA outcomes by queue and give mean and median business-hours times from the timelines', async () => {
    // Hand computation: on a 24/7 calendar with no paused state, business time is wall time between the recorded events.
    const [a, c, e] = await Promise.all([timeline(t.A.id), timeline(t.C.id), timeline(t.E.id)]);
    const firstAnswer = (evs: typeof a) => evs.find((x) => ['agent', 'admin'].includes(x.actor.role) && (x.type === 'transitioned' || (x.type === 'commented' && x.visibility === 'public')))!.at;
    const resolves = (evs: typeof a) => evs.filter((x) => x.type === 'transitioned' && ['resolved', 'closed'].includes(x.data.to));
    const aFr = ms(t.A.createdAt, firstAnswer(a));
    const aRes = ms(t.A.createdAt, resolves(a)[0].at);
    const cFr = ms(t.C.createdAt, firstAnswer(c));
    const cReopen = c.find((x) => x.type === 'transitioned' && x.data.transition === 'reopen')!.at;
    const cRes = ms(t.C.createdAt, resolves(c)[0].at) + ms(cReopen, resolves(c)[1].at);
    const eRes = ms(t.E.createdAt, resolves(e)[0].at);

    const body = await ok(report(admin, 'sla', { by: 'queue' }));
    expect(body.columns).toEqual(['key', 'tickets', 'frMet', 'frBreached', 'frPending', 'frCompliancePct', 'resMet', 'resBreached', 'resPending', 'resCompliancePct', 'frMeanMs', 'frMedianMs', 'resMeanMs', 'resMedianMs']);
    const rows = Object.fromEntries(body.rows.map((r: any) => [r.key, r]));
    expect(Object.keys(rows).sort()).toEqual([queue, 'service_desk'].sort());
    expect(rows[queue]).toMatchObject({ tickets: 2, frMet: 1, frBreached: 1, frPending: 0, frCompliancePct: 50, resMet: 1, resBreached: 1, resPending: 0, resCompliancePct: 50,
      frMeanMs: aFr, frMedianMs: aFr, resMeanMs: aRes, resMedianMs: aRes });
    expect(rows.service_desk).toMatchObject({ tickets: 3, frMet: 1, frBreached: 0, frPending: 1, frCompliancePct: 100, resMet: 2, resBreached: 0, resPending: 1, resCompliancePct: 100,
      frMeanMs: cFr, frMedianMs: cFr, resMeanMs: Math.round(mean([cRes, eRes])), resMedianMs: Math.round(median([cRes, eRes])) });

    const byPriority = await ok(report(admin, 'sla', { by: 'priority' }));
    expect(byPriority.rows.map((r: any) => [r.key, r.tickets, r.frBreached, r.resBreached])).toEqual([['critical', 2, 1, 1], ['high', 2, 0, 0], ['low', 1, 0, 0]]);
    const filtered = await ok(report(admin, 'sla', { by: 'type', priority: 'critical', queue }));
    expect(filtered.rows).toEqual([expect.objectContaining({ key: 'incident', tickets: 2, frMet: 1, frBreached: 1 })]);
    const byPeriod = await ok(report(admin, 'sla', { by: 'period', granularity: 'week' }));
    expect(byPeriod.rows.reduce((n: number, r: any) => n + r.tickets, 0)).toBe(5);
  });

  it('should list the backlog by age band and priority', async () => {
    const body = await ok(report(admin, 'backlog'));
    expect(body.rows.map((r: any) => [r.ageBand, r.priority, r.tickets])).toEqual([['0-1d', 'critical', 1], ['0-1d', 'high', 1]]);
  });

  it('should count created and resolved tickets per day', async () => {
    const body = await ok(report(admin, 'volume', { granularity: 'day' }));
    const tickets = await Promise.all(Object.values(t).map((x) => ok(admin.get(`/api/tickets/${x.id}`))));
    const expected = new Map<string, { created: number; resolved: number }>();
    const bump = (day: string, k: 'created' | 'resolved') => {
      const e = expected.get(day) ?? { created: 0, resolved: 0 };
      e[k] += 1;
      expected.set(day, e);
    };
    for (const x of tickets) {
      bump(x.createdAt.slice(0, 10), 'created');
      if (x.resolvedAt) bump(x.resolvedAt.slice(0, 10), 'resolved');
    }
    expect(body.rows.map((r: any) => [r.bucket, r.created, r.resolved])).toEqual([...expected].sort().map(([d, v]) => [d, v.created, v.resolved]));
    expect(body.rows.reduce((n: number, r: any) => n + r.resolved, 0)).toBe(2); // A and C; E was cancelled, not resolved
  });

  it('should give each agent their open workload and throughput', async () => {
    const body = await ok(report(admin, 'agents'));
    expect(body.rows).toEqual([expect.objectContaining({ assigneeId: agentInId, open: 1, resolved: 2 })]);
    // Throughput per period: A and C, on the days they were resolved.
    const resolvedDays = await Promise.all([t.A, t.C].map(async (x) => (await ok(admin.get(`/api/tickets/${x.id}`))).resolvedAt.slice(0, 10) as string));
    const perDay = [...new Set(resolvedDays)].sort().map((d) => ({ assigneeId: agentInId, bucket: d, resolved: resolvedDays.filter((x) => x === d).length }));
    const series = await ok(report(admin, 'agents', { by: 'period', granularity: 'day' }));
    expect(series.columns).toEqual(['assigneeId', 'agent', 'bucket', 'resolved']);
    expect(series.rows.map((r: any) => ({ assigneeId: r.assigneeId, bucket: r.bucket, resolved: r.resolved }))).toEqual(perDay);
    const drilled = await ok(admin.get(series.rows[0].drill));
    expect(drilled.items.length).toBe(perDay[0].resolved);
  });

  it('should compute the reopen rate', async () => {
    const body = await ok(report(admin, 'reopens', { by: 'queue' }));
    const rows = Object.fromEntries(body.rows.map((r: any) => [r.key, r]));
    expect(rows[queue]).toMatchObject({ resolved: 1, reopened: 0, reopens: 0, reopenRatePct: 0 });
    expect(rows.service_desk).toMatchObject({ resolved: 2, reopened: 1, reopens: 1, reopenRatePct: 50 });
  });

  it('should count the escalations fired by level', async () => {
    const body = await ok(report(admin, 'escalations'));
    expect(body.rows.map((r: any) => [r.level, r.tickets])).toEqual([['first_response_breach', 1], ['resolution_breach', 1], ['resolution_warning', 1]]);
  });

  it('should summarise satisfaction ratings', async () => {
    const body = await ok(report(admin, 'satisfaction', { by: 'queue' }));
    const rows = Object.fromEntries(body.rows.map((r: any) => [r.key, r]));
    expect(rows[queue]).toMatchObject({ ratings: 1, average: 5, score5: 1, score4: 0 });
    expect(rows.service_desk).toMatchObject({ ratings: 1, average: 4, score4: 1, score2: 0 });
    const all = await ok(report(admin, 'satisfaction', { by: 'type' }));
    expect(all.rows).toEqual([expect.objectContaining({ key: 'incident', ratings: 2, average: 4.5 })]);
  });

  it('should list the tickets behind a figure through the row drill link', async () => {
    const body = await ok(report(admin, 'sla', { by: 'queue' }));
    const row = body.rows.find((r: any) => r.key === queue);
    const all = await ok(admin.get(row.drill));
    expect(all.items.map((x: any) => x.id).sort()).toEqual([t.A.id, t.B.id].sort());
    const breached = await ok(admin.get(`${row.drill}&measure=frBreached`));
    expect(breached.items.map((x: any) => x.id)).toEqual([t.B.id]);
    const backlog = await ok(report(admin, 'backlog'));
    const critical = await ok(admin.get(backlog.rows.find((r: any) => r.priority === 'critical').drill));
    expect(critical.items.map((x: any) => x.id)).toEqual([t.B.id]);
    const agents = await ok(report(admin, 'agents'));
    const resolved = await ok(admin.get(`${agents.rows[0].drill}&measure=resolved`));
    expect(resolved.items.map((x: any) => x.id).sort()).toEqual([t.A.id, t.C.id].sort());
    const esc = await ok(report(admin, 'escalations'));
    expect((await ok(admin.get(esc.rows[0].drill))).items.map((x: any) => x.id)).toEqual([t.B.id]);
    expect((await admin.get(`${row.drill}&measure=nonsense`)).status).toBe(400);
  });
});

/** A minimal RFC 4180 reader for the test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

describe('CSV export', () => {
  it.each(['sla', 'backlog', 'volume', 'agents', 'reopens', 'escalations', 'satisfaction'])('should answer the %s report as CSV with the same rows as JSON', async (name) => {
    const json = await ok(report(admin, name));
    const csv = await report(admin, name, { format: 'csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const [header, ...lines] = parseCsv(csv.body as unknown as string);
    expect(header).toEqual(json.columns);
    expect(lines).toEqual(json.rows.map((r: any) => json.columns.map((c: string) => (r[c] === null ? '' : String(r[c])))));
    const viaAccept = await admin.request('GET', `/api/reports/${name}?from=${encodeURIComponent(window.from)}`, undefined, { accept: 'text/csv' });
    expect(viaAccept.headers.get('content-type')).toContain('text/csv');
    expect(viaAccept.body).toBe(csv.body);
  });

  it('should quote cells holding commas and quotes', async () => {
    const csv = (await report(admin, 'agents', { format: 'csv' })).body as unknown as string;
    expect(csv).toContain(',"Dupont, ""Jo""",');
    expect(parseCsv(csv)[1][1]).toBe('Dupont, "Jo"');
  });
});

describe('access to reports', () => {
  it('should refuse customers', async () => {
    for (const name of ['sla', 'backlog', 'volume', 'agents', 'reopens', 'escalations', 'satisfaction']) {
      expect((await customer.get(`/api/reports/${name}`)).status).toBe(403);
      expect((await customer.get(`/api/reports/${name}/tickets`)).status).toBe(403);
    }
    expect((await new Session(desk.url).get('/api/reports/sla')).status).toBe(401);
  });

  it('should show an agent only the queues their groups may see', async () => {
    const inside = await ok(report(agentIn, 'sla', { by: 'queue' }));
    expect(inside.rows.map((r: any) => r.key).sort()).toEqual([queue, 'service_desk'].sort());
    const outside = await ok(report(agentOut, 'sla', { by: 'queue' }));
    expect(outside.rows.map((r: any) => [r.key, r.tickets])).toEqual([['service_desk', 3]]);
    const drill = await ok(agentOut.get(`/api/reports/sla/tickets?from=${encodeURIComponent(window.from)}&by=queue&key=${queue}`));
    expect(drill.items).toEqual([]);
    expect((await ok(report(agentOut, 'escalations'))).rows).toEqual([]);
  });

  it('should refuse invalid filters with a 400 problem', async () => {
    for (const q of ['granularity=month', 'by=colour', 'from=yesterday', 'from=2026-13-45', 'priority=urgent', 'organisation=nope']) {
      const res = await admin.get(`/api/reports/sla?${q}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});

describe('satisfaction ratings', () => {
  it('should let only the requester rate, only once finished, with a score from 1 to 5', async () => {
    expect((await agentIn.request('PUT', `/api/tickets/${t.A.id}/rating`, { score: 3 })).status).toBe(403);
    expect((await admin.request('PUT', `/api/tickets/${t.A.id}/rating`, { score: 3 })).status).toBe(403);
    expect((await otherCustomer.request('PUT', `/api/tickets/${t.A.id}/rating`, { score: 3 })).status).toBe(404);
    const open = await customer.request('PUT', `/api/tickets/${t.D.id}/rating`, { score: 3 });
    expect(open.status).toBe(409);
    expect(open.headers.get('content-type')).toContain('application/problem+json');
    for (const score of [0, 6, 2.5, '5']) expect((await customer.request('PUT', `/api/tickets/${t.A.id}/rating`, { score })).status).toBe(400);
    expect((await customer.request('PUT', `/api/tickets/${t.A.id}/rating`, { score: 5, extra: true })).status).toBe(400);
    expect(await ok(customer.get(`/api/tickets/${t.A.id}/rating`))).toMatchObject({ score: 5, comment: 'Quick, thanks' });
    expect(await ok(agentIn.get(`/api/tickets/${t.C.id}/rating`))).toMatchObject({ score: 4 });
    expect((await customer.get(`/api/tickets/${t.D.id}/rating`)).status).toBe(404);
  });
});
