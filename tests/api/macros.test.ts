// Macros and time tracking through the API: agents keep their own macros and admins share them; a macro fills its reply in
// the requester's language and applies all its parts to a ticket or none; a bulk application reports each refused ticket
// with its reason; time spent is recorded with replies and transitions, totalled per ticket and reported, never shown to customers.
import { ADMIN, Session, eventually, signedInAs, unique } from '../support/http';

let admin: Session;
let agent: Session;
let other: Session;
let customerFr: Session;
let customerEn: Session;
let agentId: string;
beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  agent = await signedInAs(admin, 'agent', 'Alice Agent');
  other = await signedInAs(admin, 'agent', 'Oscar Other');
  const email = `${unique('client')}@example.test`;
  expect((await admin.post('/api/users', { email, name: 'Camille Dupont', role: 'customer', locale: 'fr', password: 'a-long-password-1' })).status).toBe(201);
  customerFr = await Session.login(email, 'a-long-password-1');
  customerEn = await signedInAs(admin, 'customer', 'Sam Smith');
  agentId = (await agent.get('/api/auth/me')).body.user.id;
});

const askForLogs = () => ({
  name: unique('Ask for logs'),
  reply: { en: 'Hello {{requester.firstName}}, please send the logs for {{ticket.number}} ({{ticket.priority}}). {{agent.name}}', fr: 'Bonjour {{requester.firstName}}, merci d’envoyer les journaux pour {{ticket.number}} ({{ticket.priority}}). {{agent.name}}' },
  priority: 'high' as const,
  addTags: ['Needs Logs'],
  assignTo: 'me',
  fields: { pending_reason: 'logs' },
  transition: 'wait_for_customer',
});

it('should keep macros per agent, share them only from admins, and refuse macros that cannot work', async () => {
  const mine = await agent.post('/api/macros', askForLogs());
  expect(mine.status).toBe(201);
  expect(mine.body).toMatchObject({ shared: false, mine: true, addTags: ['needs-logs'], owner: { id: agentId } });
  expect((await agent.post('/api/macros', { ...askForLogs(), name: mine.body.name.toUpperCase() })).status).toBe(409);
  expect((await agent.post('/api/macros', { ...askForLogs(), shared: true })).status).toBe(403);
  const shared = await admin.post('/api/macros', { name: unique('Thanks'), shared: true, reply: { en: 'Thanks!', visibility: 'internal' } });
  expect(shared.status).toBe(201);

  // Each agent sees the shared macros and their own; another agent's is not there to see, change or apply.
  const names = (s: Session) => s.get('/api/macros').then((r) => r.body.items.map((m: { name: string }) => m.name));
  expect(await names(agent)).toEqual(expect.arrayContaining([mine.body.name, shared.body.name]));
  expect(await names(other)).toContain(shared.body.name);
  expect(await names(other)).not.toContain(mine.body.name);
  expect((await other.get(`/api/macros/${mine.body.id}`)).status).toBe(404);
  expect((await other.request('DELETE', `/api/macros/${mine.body.id}`)).status).toBe(404);
  expect((await agent.request('PUT', `/api/macros/${shared.body.id}`, { name: 'Mine now', reply: { en: 'x' } })).status).toBe(403);
  expect((await customerEn.get('/api/macros')).status).toBe(403);

  const unknown = await agent.post('/api/macros', { name: unique('Typo'), reply: { en: 'Hi {{requester.nme}}', fr: 'Salut {{fields.pending_reason}}' } });
  expect(unknown.status).toBe(422);
  expect(unknown.body.errors).toEqual([{ pointer: '/reply/en', message: '{{requester.nme}} is not a variable' }]);
  expect((await agent.post('/api/macros', { name: unique('Nothing') })).body.type).toMatch(/\/empty-macro$/);
  expect((await agent.post('/api/macros', { name: unique('Bad tag'), addTags: ['no/slash'] })).status).toBe(422);

  const renamed = await agent.request('PUT', `/api/macros/${mine.body.id}`, { ...askForLogs(), name: unique('Logs please') });
  expect(renamed.status).toBe(200);
  expect((await agent.request('DELETE', `/api/macros/${mine.body.id}`)).status).toBe(204);
  expect((await agent.get(`/api/macros/${mine.body.id}`)).status).toBe(404);
});

it('should preview a macro in the requester\'s language and apply all of it to a ticket', async () => {
  const macro = (await agent.post('/api/macros', askForLogs())).body;
  const t = await customerFr.post('/api/tickets', { type: 'incident', title: unique('Imprimante'), priority: 'medium' });
  const preview = await agent.post(`/api/macros/${macro.id}/preview`, { ticketId: t.body.id });
  expect(preview.status).toBe(200);
  expect(preview.body.reply).toMatchObject({ locale: 'fr', visibility: 'public', body: `Bonjour Camille, merci d’envoyer les journaux pour ${t.body.number} (moyenne). Alice Agent` });
  expect(preview.body.reply.html).toContain('<p>Bonjour Camille');
  expect(preview.body).toMatchObject({ problems: [], assignTo: { id: agentId, name: 'Alice Agent' }, transition: { name: 'wait_for_customer', requiresTimeSpent: false } });
  // Previewing changed nothing.
  expect((await agent.get(`/api/tickets/${t.body.id}`)).body).toMatchObject({ priority: 'medium', tags: [], state: 'new', assigneeId: null });

  const applied = await agent.post(`/api/macros/${macro.id}/apply`, { ids: [t.body.id], timeSpent: 7 });
  expect(applied.body).toMatchObject({ succeeded: 1, failed: 0 });
  const after = (await agent.get(`/api/tickets/${t.body.id}`)).body;
  expect(after).toMatchObject({ priority: 'high', tags: ['needs-logs'], state: 'pending_customer', assigneeId: agentId, fields: { pending_reason: 'logs' } });
  const timeline = (await agent.get(`/api/tickets/${t.body.id}/timeline`)).body.items;
  expect(timeline.map((e: { type: string }) => e.type).slice(1)).toEqual(['macro_applied', 'fields_changed', 'priority_changed', 'tags_changed', 'assigned', 'commented', 'time_logged', 'transitioned']);
  // The customer reads the reply in French, and neither the macro nor the time.
  const theirs = (await customerFr.get(`/api/tickets/${t.body.id}/timeline`)).body.items;
  expect(theirs.find((e: { type: string }) => e.type === 'commented').data.body).toMatch(/^Bonjour Camille/);
  expect(theirs.map((e: { type: string }) => e.type)).not.toEqual(expect.arrayContaining(['macro_applied']));
  expect(theirs.map((e: { type: string }) => e.type)).not.toContain('time_logged');
  expect((await agent.get(`/api/tickets/${t.body.id}/time`)).body).toMatchObject({ totalMinutes: 7, entries: [{ minutes: 7, agent: { id: agentId, name: 'Alice Agent' } }] });
  expect((await customerFr.get(`/api/tickets/${t.body.id}/time`)).status).toBe(403);
});

it('should apply a macro to many tickets, each all or nothing, naming each ticket that refused and why', async () => {
  const macro = (await agent.post('/api/macros', { name: unique('Resolve'), reply: { en: 'Fixed on {{ticket.number}}.' }, fields: { resolution: 'Fixed by macro' }, addTags: ['bulk-fixed'], transition: 'resolve' })).body;
  const open = await customerEn.post('/api/tickets', { type: 'incident', title: unique('Open one'), priority: 'low' });
  const done = await customerEn.post('/api/tickets', { type: 'incident', title: unique('Resolved one'), priority: 'low' });
  expect((await agent.post(`/api/tickets/${done.body.id}/transitions`, { transition: 'resolve', fields: { resolution: 'already' } })).status).toBe(200);
  const hidden = await admin.post('/api/tickets', { type: 'incident', title: unique('Not for these agents'), priority: 'low' });
  const group = unique('mgrp').replace(/-/g, '_');
  const queue = unique('mq').replace(/-/g, '_');
  expect((await admin.post('/api/groups', { key: group, name: 'Macro group' })).status).toBe(201);
  expect((await admin.post('/api/queues', { key: queue, name: 'Macro queue' })).status).toBe(201);
  expect((await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] })).status).toBe(200);
  expect((await admin.post(`/api/tickets/${hidden.body.id}/assign`, { assigneeId: null, queue })).status).toBe(200);
  const before = (await agent.get(`/api/tickets/${done.body.id}/timeline`)).body.items.length;

  const res = await agent.post(`/api/macros/${macro.id}/apply`, { ids: [open.body.id, done.body.id] });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ succeeded: 1, failed: 1 });
  const refusal = res.body.results.find((r: { id: string }) => r.id === done.body.id);
  expect(refusal).toMatchObject({ ok: false, status: 409, number: done.body.number });
  expect(refusal.problem.detail).toMatch(new RegExp(`^${done.body.number}: 'resolve' is not allowed from state 'resolved'`));
  expect((await agent.get(`/api/tickets/${done.body.id}/timeline`)).body.items).toHaveLength(before);
  expect((await agent.get(`/api/tickets/${done.body.id}`)).body.tags).toEqual([]);
  const resolved = res.body.results.find((r: { id: string }) => r.id === open.body.id);
  expect(resolved).toMatchObject({ ok: true, state: 'resolved', tags: ['bulk-fixed'] });

  // A ticket the agent may not see is reported as not found, like any other path.
  const unseen = await other.post(`/api/macros/${(await admin.post('/api/macros', { name: unique('Shared tag'), shared: true, addTags: ['x'] })).body.id}/apply`, { ids: [hidden.body.id] });
  expect(unseen.body.results[0]).toMatchObject({ ok: false, status: 404 });
});

it('should record time with replies and transitions, total it per ticket, and report it by agent and period and as CSV', async () => {
  const timer = await signedInAs(admin, 'agent', 'Tess Timer');
  const timerId = (await timer.get('/api/auth/me')).body.user.id;
  const t = await customerEn.post('/api/tickets', { type: 'incident', title: unique('Timed'), priority: 'medium' });
  const id = t.body.id;
  expect((await timer.post(`/api/tickets/${id}/comments`, { body: 'Looking', visibility: 'internal', timeSpent: 30 })).status).toBe(201);
  expect((await other.post(`/api/tickets/${id}/comments`, { body: 'Helping', visibility: 'public', timeSpent: 15 })).status).toBe(201);
  expect((await timer.post(`/api/tickets/${id}/transitions`, { transition: 'start', timeSpent: 5 })).status).toBe(200);
  expect((await customerEn.post(`/api/tickets/${id}/comments`, { body: 'Thanks', timeSpent: 5 })).status).toBe(403);
  expect((await timer.post(`/api/tickets/${id}/comments`, { body: 'Too long', timeSpent: 2000 })).status).toBe(400);
  const time = (await agent.get(`/api/tickets/${id}/time`)).body;
  expect(time.totalMinutes).toBe(50);
  expect(time.entries.map((e: { minutes: number; agent: { name: string } }) => [e.agent.name, e.minutes])).toEqual([['Tess Timer', 30], ['Oscar Other', 15], ['Tess Timer', 5]]);

  // The report: by agent (the default), by queue, and as CSV; the drill-down lists the tickets.
  const from = new Date(Date.now() - 60_000).toISOString();
  const byAgent = await eventually(async () => {
    const r = await admin.get(`/api/reports/time?from=${encodeURIComponent(from)}`);
    if (r.status !== 200) throw new Error(`time report: ${r.status} ${JSON.stringify(r.body)}`);
    const row = r.body.rows.find((x: { key: string }) => x.key === timerId);
    return row ? r : undefined;
  });
  expect(byAgent.body.columns).toEqual(['key', 'agent', 'minutes', 'entries', 'tickets']);
  expect(byAgent.body.rows.find((x: { key: string }) => x.key === timerId)).toMatchObject({ agent: 'Tess Timer', minutes: 35, entries: 2, tickets: 1 });
  const drill = await admin.get(byAgent.body.rows.find((x: { key: string }) => x.key === timerId).drill);
  expect(drill.body.items.map((x: { id: string }) => x.id)).toEqual([id]);
  const csv = await admin.get(`/api/reports/time?from=${encodeURIComponent(from)}&format=csv`);
  expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
  expect(csv.body).toMatch(/Tess Timer,35,2,1/);
  const byPeriod = await admin.get(`/api/reports/time?from=${encodeURIComponent(from)}&by=period`);
  expect(byPeriod.body.rows.reduce((n: number, r: { minutes: number }) => n + r.minutes, 0)).toBeGreaterThanOrEqual(50);
});

it('should include the transitions the caller may take in a ticket read when asked, so one request is enough to act', async () => {
  const t = (await customerEn.post('/api/tickets', { type: 'incident', title: unique('One read'), priority: 'low' })).body;
  const staff = await agent.get(`/api/tickets/${t.id}?include=transitions`);
  expect(staff.status).toBe(200);
  expect(staff.body.transitions.map((x: { name: string }) => x.name)).toEqual((await agent.get(`/api/tickets/${t.id}/transitions`)).body.items.map((x: { name: string }) => x.name));
  expect(staff.body.transitions.map((x: { name: string }) => x.name)).toContain('start');
  const theirs = await customerEn.get(`/api/tickets/${t.id}?include=transitions`);
  expect(theirs.body.transitions.map((x: { name: string }) => x.name)).toEqual(['cancel']);
  expect((await agent.get(`/api/tickets/${t.id}`)).body.transitions).toBeUndefined();
  expect((await agent.get(`/api/tickets/${t.id}?include=everything`)).status).toBe(400);
});
