// Tags through the API: agents add and remove them (normalised), filter and search by them, get suggestions; customers
// never see, set or filter by them; a managed list restricts what can be added but not what can be removed.
import { ADMIN, Session, eventually, signedInAs, unique } from '../support/http';

let admin: Session;
let agent: Session;
let customer: Session;
beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  agent = await signedInAs(admin, 'agent');
  customer = await signedInAs(admin, 'customer');
});
afterAll(async () => {
  await admin.request('PATCH', '/api/settings', { allowedTags: [] });
});

it('should tag a ticket, list and suggest by tag, and keep tags from customers', async () => {
  const mark = unique('vpn').toLowerCase().replace(/[^a-z0-9]/g, '');
  const t = await customer.post('/api/tickets', { type: 'incident', title: unique('VPN drops'), priority: 'medium' });
  const id = t.body.id;
  const tagged = await agent.request('PUT', `/api/tickets/${id}/tags`, { add: [`  ${mark.toUpperCase()} Client `, 'network'] });
  expect(tagged.status).toBe(200);
  expect(tagged.body.tags).toEqual(['network', `${mark}-client`]);
  expect((await agent.request('PUT', `/api/tickets/${id}/tags`, { add: ['network'] })).status).toBe(409);
  expect((await agent.request('PUT', `/api/tickets/${id}/tags`, { add: ['no/slashes'] })).status).toBe(422);
  expect((await agent.request('PUT', `/api/tickets/${id}/tags`, {})).status).toBe(400);

  // The queue filters by tag (as typed), and suggestions start with what is typed.
  const listed = await eventually(async () => {
    const r = await agent.get(`/api/tickets?tag=${encodeURIComponent(`${mark.toUpperCase()} client`)}`);
    return r.body.items.length ? r : undefined;
  });
  expect(listed.body.items.map((x: { id: string }) => x.id)).toEqual([id]);
  expect((await agent.get(`/api/tags?q=${mark}`)).body.items).toEqual([{ tag: `${mark}-client`, tickets: 1 }]);

  // The change is in the agents' timeline only.
  const staffTimeline = (await agent.get(`/api/tickets/${id}/timeline`)).body.items;
  expect(staffTimeline.find((e: { type: string }) => e.type === 'tags_changed').data).toEqual({ added: [`${mark}-client`, 'network'], removed: [] });
  const theirs = await customer.get(`/api/tickets/${id}/timeline`);
  expect(theirs.body.items.map((e: { type: string }) => e.type)).not.toContain('tags_changed');
  // Customers see no tags and cannot set, suggest or filter by them.
  expect((await customer.get(`/api/tickets/${id}`)).body.tags).toEqual([]);
  expect(JSON.stringify((await customer.get('/api/tickets?limit=100')).body)).not.toContain(mark);
  expect((await customer.request('PUT', `/api/tickets/${id}/tags`, { add: ['mine'] })).status).toBe(403);
  expect((await customer.get(`/api/tickets?tag=network`)).status).toBe(403);
  expect((await customer.get('/api/tags')).status).toBe(403);

  const untagged = await agent.request('PUT', `/api/tickets/${id}/tags`, { remove: ['network'] });
  expect(untagged.body.tags).toEqual([`${mark}-client`]);
});

it('should add only tags of the managed list when the desk has one, and still remove others', async () => {
  const t = await agent.post('/api/tickets', { type: 'incident', title: unique('printer'), priority: 'low' });
  const id = t.body.id;
  expect((await agent.request('PUT', `/api/tickets/${id}/tags`, { add: ['freeform'] })).status).toBe(200);
  expect((await admin.request('PATCH', '/api/settings', { allowedTags: ['hardware', 'printer'] })).status).toBe(200);
  const refused = await agent.request('PUT', `/api/tickets/${id}/tags`, { add: ['printer', 'toner'] });
  expect(refused.status).toBe(422);
  expect(refused.body.errors).toEqual([{ pointer: '/add/1', message: "'toner' is not on the desk's list of tags" }]);
  expect((await agent.request('PUT', `/api/tickets/${id}/tags`, { add: ['Printer'], remove: ['freeform'] })).body.tags).toEqual(['printer']);
  expect((await agent.get('/api/tags?q=pr')).body.items).toEqual([{ tag: 'printer', tickets: expect.any(Number) }]);
  expect((await admin.request('PATCH', '/api/settings', { allowedTags: ['Not A Tag'] })).status).toBe(400);
  expect((await admin.request('PATCH', '/api/settings', { allowedTags: [] })).body.allowedTags).toEqual([]);
});

it('should tag many tickets at once, each with its own outcome', async () => {
  const a = await agent.post('/api/tickets', { type: 'incident', title: unique('bulk tag a'), priority: 'low' });
  const b = await agent.post('/api/tickets', { type: 'incident', title: unique('bulk tag b'), priority: 'low' });
  expect((await agent.request('PUT', `/api/tickets/${b.body.id}/tags`, { add: ['outage'] })).status).toBe(200);
  const res = await agent.post('/api/tickets/bulk', { ids: [a.body.id, b.body.id], action: { type: 'tags', add: ['Outage'] } });
  expect(res.status).toBe(200);
  expect(res.body.results[0]).toMatchObject({ id: a.body.id, ok: true, tags: ['outage'] });
  // Already tagged: that ticket says so, the other is tagged anyway.
  expect(res.body.results[1]).toMatchObject({ id: b.body.id, ok: false, status: 409 });
  expect((await agent.post('/api/tickets/bulk', { ids: [a.body.id], action: { type: 'tags' } })).status).toBe(400);
  expect((await customer.post('/api/tickets/bulk', { ids: [a.body.id], action: { type: 'tags', add: ['x'] } })).status).toBe(403);
});

it('should report tickets per tag (created, resolved, open now) and list the tickets behind each figure', async () => {
  const tag = unique('report').toLowerCase().replace(/[^a-z0-9]/g, '');
  const ids: string[] = [];
  for (const title of ['first', 'second']) {
    const t = await agent.post('/api/tickets', { type: 'incident', title: unique(`tag report ${title}`), priority: 'low' });
    expect((await agent.request('PUT', `/api/tickets/${t.body.id}/tags`, { add: [tag] })).status).toBe(200);
    ids.push(t.body.id);
  }
  expect((await agent.post(`/api/tickets/${ids[0]}/transitions`, { transition: 'resolve', fields: { resolution: 'Replaced the cable' } })).status).toBe(200);
  const report = await eventually(async () => {
    const r = await admin.get('/api/reports/tags');
    const row = r.body.rows?.find((x: { tag: string }) => x.tag === tag);
    return row?.resolved === 1 ? r : undefined;
  });
  expect(report.body.columns).toEqual(['tag', 'created', 'resolved', 'openNow']);
  const row = report.body.rows.find((x: { tag: string }) => x.tag === tag);
  expect(row).toMatchObject({ tag, created: 2, resolved: 1, openNow: 1 });
  const drilled = await admin.get(`/api/reports/tags/tickets?tag=${tag}&measure=resolved`);
  expect(drilled.body.items.map((x: { id: string }) => x.id)).toEqual([ids[0]]);
  expect((await admin.get(`/api/reports/tags/tickets?tag=${tag}&measure=openNow`)).body.items.map((x: { id: string }) => x.id)).toEqual([ids[1]]);
  expect((await admin.get(`/api/reports/tags/tickets?tag=${tag}&measure=bogus`)).status).toBe(400);
  const csv = await admin.get('/api/reports/tags?format=csv');
  expect(String(csv.body)).toContain(`${tag},2,1,1`);
  expect((await customer.get('/api/reports/tags')).status).toBe(403);
});
