// Merging a duplicate into the ticket that survives: the duplicate closes pointing to it; its conversation (each comment
// with its author and visibility), files, requester and watchers come over; the copies mail no one again; and merges that
// cannot make sense (into itself, into a ticket merged elsewhere, back the other way, out of sight) are refused with the reason.
import { ADMIN, Session, signedInAs, unique } from '../support/http';

let admin: Session;
let agent: Session;
let customerA: Session;
let customerB: Session;
beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  agent = await signedInAs(admin, 'agent', 'Mia Merger');
  const org = await admin.post('/api/organisations', { name: unique('Merge Co'), shareTickets: true });
  expect(org.status).toBe(201);
  const mk = async (name: string) => {
    const email = `${unique('merge')}@example.test`;
    expect((await admin.post('/api/users', { email, name, role: 'customer', organisationId: org.body.id, password: 'a-long-password-1' })).status).toBe(201);
    return Session.login(email, 'a-long-password-1');
  };
  customerA = await mk('Ann Asker');
  customerB = await mk('Bob Second');
});

const upload = (s: Session, ticketId: string, filename: string, visibility = 'public') =>
  s.request('POST', `/api/tickets/${ticketId}/attachments?filename=${encodeURIComponent(filename)}&visibility=${visibility}`, 'file body' as never, { 'content-type': 'text/plain' });

it('should bring the duplicate\'s conversation, files and people over, and close it pointing to the survivor', async () => {
  const survivor = (await customerA.post('/api/tickets', { type: 'incident', title: unique('Printer offline'), priority: 'high' })).body;
  const dup = (await customerB.post('/api/tickets', { type: 'incident', title: unique('Cannot print'), priority: 'medium' })).body;
  expect((await customerB.post(`/api/tickets/${dup.id}/comments`, { body: 'Since this morning' })).status).toBe(201);
  expect((await agent.post(`/api/tickets/${dup.id}/comments`, { body: 'Same as the other one', visibility: 'internal' })).status).toBe(201);
  expect((await upload(customerB, dup.id, 'error.txt')).status).toBe(201);
  const watcher = await signedInAs(admin, 'agent', 'Walt Watcher');
  expect((await watcher.post(`/api/tickets/${dup.id}/watchers`, {})).status).toBe(204);

  const merged = await agent.post(`/api/tickets/${dup.id}/links`, { ticketId: survivor.id, relation: 'duplicate' });
  expect(merged.status).toBe(200);
  expect(merged.body).toMatchObject({ stateCategory: 'closed', links: [{ kind: 'duplicate_of', ticketId: survivor.id, number: survivor.number }] });

  // The survivor's timeline holds the copies, marked, with their own authors and visibility; then one internal note of the merge.
  const staff = (await agent.get(`/api/tickets/${survivor.id}/timeline`)).body.items;
  const copies = staff.filter((e: { data: { mergedFrom?: string } }) => e.data.mergedFrom === dup.number);
  expect(copies.map((e: { data: { body: string }; visibility: string; actor: { name: string } }) => [e.data.body, e.visibility, e.actor.name])).toEqual([
    ['Since this morning', 'public', 'Bob Second'],
    ['Same as the other one', 'internal', 'Mia Merger'],
  ]);
  expect(staff[staff.length - 1]).toMatchObject({ type: 'merged_in', visibility: 'internal', data: { from: { ticketId: dup.id, number: dup.number }, comments: 2 } });
  const theirs = (await customerA.get(`/api/tickets/${survivor.id}/timeline`)).body.items;
  expect(theirs.map((e: { data: { body?: string } }) => e.data.body)).toContain('Since this morning');
  expect(JSON.stringify(theirs)).not.toContain('Same as the other one');

  // Files and people moved; the duplicate's requester and watcher now follow the survivor.
  expect((await agent.get(`/api/tickets/${survivor.id}/attachments`)).body.items.map((a: { filename: string }) => a.filename)).toEqual(['error.txt']);
  expect((await agent.get(`/api/tickets/${dup.id}/attachments`)).body.items).toEqual([]);
  const watchers = (await agent.get(`/api/tickets/${survivor.id}/watchers`)).body.items.map((w: { name: string }) => w.name).sort();
  expect(watchers).toEqual(['Bob Second', 'Walt Watcher']);
});

it('should refuse merges into itself, into a ticket merged elsewhere, back the other way, or out of the agent\'s sight', async () => {
  const a = (await agent.post('/api/tickets', { type: 'incident', title: unique('A'), priority: 'low' })).body;
  const b = (await agent.post('/api/tickets', { type: 'incident', title: unique('B'), priority: 'low' })).body;
  const c = (await agent.post('/api/tickets', { type: 'incident', title: unique('C'), priority: 'low' })).body;
  expect((await agent.post(`/api/tickets/${a.id}/links`, { ticketId: a.id, relation: 'duplicate' })).status).toBe(422);
  expect((await agent.post(`/api/tickets/${b.id}/links`, { ticketId: c.id, relation: 'duplicate' })).status).toBe(200);
  const chain = await agent.post(`/api/tickets/${a.id}/links`, { ticketId: b.id, relation: 'duplicate' });
  expect(chain.status).toBe(409);
  expect(chain.body.detail).toBe(`${b.number} is itself merged into ${c.number}: merge into ${c.number} instead`);
  const back = await agent.post(`/api/tickets/${c.id}/links`, { ticketId: b.id, relation: 'duplicate' });
  expect(back.status).toBe(409);
  // Nothing changed on the tickets refused.
  expect((await agent.get(`/api/tickets/${a.id}`)).body).toMatchObject({ state: 'new', links: [] });
  expect((await agent.get(`/api/tickets/${c.id}`)).body).toMatchObject({ state: 'new' });

  const group = unique('mg').replace(/-/g, '_');
  const queue = unique('mq').replace(/-/g, '_');
  expect((await admin.post('/api/groups', { key: group, name: 'Hidden' })).status).toBe(201);
  expect((await admin.post('/api/queues', { key: queue, name: 'Hidden queue' })).status).toBe(201);
  expect((await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] })).status).toBe(200);
  const hidden = (await admin.post('/api/tickets', { type: 'incident', title: unique('Hidden'), priority: 'low' })).body;
  expect((await admin.post(`/api/tickets/${hidden.id}/assign`, { assigneeId: null, queue })).status).toBe(200);
  expect((await agent.post(`/api/tickets/${a.id}/links`, { ticketId: hidden.id, relation: 'duplicate' })).status).toBe(404);
  expect((await customerA.post(`/api/tickets/${a.id}/links`, { ticketId: c.id, relation: 'duplicate' })).status).toBe(403);
});
