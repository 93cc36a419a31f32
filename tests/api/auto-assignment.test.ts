// Auto-assignment against the real desk: a queue that assigns in turn skips an agent who is away, keeps to its limit of
// open tickets per agent, hands an agent's tickets on when they go away, and assigns by least open load when told to;
// each decision is in the ticket's timeline.
import { ADMIN, Session, eventually, unique, ok } from '../support/http';

let admin: Session;

async function agent(name: string): Promise<{ id: string; session: Session }> {
  const email = `${unique('auto')}@example.test`;
  const made = await ok(admin.post('/api/users', { email, name, role: 'agent', password: 'a-long-password-1' }), 201);
  return { id: made.id, session: await Session.login(email, 'a-long-password-1') };
}

/** A queue worked by one group of three agents (Ann, Bob, Cid, in that order of names), assigning in turn. */
async function team() {
  const group = unique('auto_grp').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const queue = unique('auto_q').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const tag = unique('x');
  const [ann, bob, cid] = [await agent(`Ann ${tag}`), await agent(`Bob ${tag}`), await agent(`Cid ${tag}`)];
  await ok(admin.post('/api/groups', { key: group, name: group }), 201);
  await ok(admin.request('PUT', `/api/groups/${group}/members`, { userIds: [ann.id, bob.id, cid.id] }));
  await ok(admin.post('/api/queues', { key: queue, name: queue }), 201);
  await ok(admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] }));
  const q = await ok(admin.request('PATCH', `/api/queues/${queue}`, { assignment: 'round_robin' }));
  expect(q).toMatchObject({ key: queue, assignment: 'round_robin', maxOpenPerAgent: null });
  return { queue, ann, bob, cid };
}

/** A new ticket moved into the queue unassigned, and the agent the desk gave it to. */
async function arrive(queue: string): Promise<{ id: string; assignee: string }> {
  const t = await ok(admin.post('/api/tickets', { type: 'incident', title: unique('Auto'), priority: 'medium' }), 201);
  await ok(admin.post(`/api/tickets/${t.id}/assign`, { assigneeId: null, queue }));
  const assignee = await eventually(async () => (await ok(admin.get(`/api/tickets/${t.id}`))).assigneeId ?? undefined);
  return { id: t.id, assignee };
}

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
});

describe('Auto-assignment', () => {
  it('should assign in turn, skip an agent who is away, keep to the limit, and explain itself in the timeline', async () => {
    const { queue, ann, bob, cid } = await team();
    const away = await ok(bob.session.request('PUT', '/api/me/availability', { away: true, until: new Date(Date.now() + 86_400_000).toISOString() }));
    expect(away).toMatchObject({ away: true, redistributed: 0, kept: 0 });

    const arrivals = [];
    for (let i = 0; i < 4; i++) arrivals.push(await arrive(queue));
    expect(arrivals.map((a) => a.assignee)).toEqual([ann.id, cid.id, ann.id, cid.id]);

    const first = arrivals[0]!;
    const timeline = await ok(admin.get(`/api/tickets/${first.id}/timeline`));
    const decided = timeline.items.find((e: { type: string; data: { auto?: unknown } }) => e.type === 'assigned' && e.data.auto);
    expect(decided).toMatchObject({ actor: { role: 'system' }, data: { to: { assigneeId: ann.id, queue }, auto: { policy: 'round_robin', queue, openTickets: 0 } } });

    // At two open tickets each, Ann and Cid get no more: Bob, back, is the only one under the limit.
    await ok(admin.request('PATCH', `/api/queues/${queue}`, { maxOpenPerAgent: 2 }));
    expect((await ok(bob.session.request('PUT', '/api/me/availability', { away: false }))).away).toBe(false);
    const bobs = await arrive(queue);
    expect(bobs.assignee).toBe(bob.id);

    // Bob goes away: his ticket goes to whoever is next in turn, once the limit allows.
    await ok(admin.request('PATCH', `/api/queues/${queue}`, { maxOpenPerAgent: 10 }));
    const handed = await ok(bob.session.request('PUT', '/api/me/availability', { away: true }));
    expect(handed).toMatchObject({ away: true, awayUntil: null, redistributed: 1, kept: 0 });
    const now = await ok(admin.get(`/api/tickets/${bobs.id}`));
    expect([ann.id, cid.id]).toContain(now.assigneeId);
    const moved = (await ok(admin.get(`/api/tickets/${bobs.id}/timeline`))).items.filter((e: { type: string }) => e.type === 'assigned').at(-1);
    expect(moved.data.auto).toMatchObject({ awayFrom: bob.id, policy: 'round_robin' });
  });

  it('should give a ticket to the agent with the fewest open tickets when the queue says least open', async () => {
    const { queue, ann, bob, cid } = await team();
    await ok(bob.session.request('PUT', '/api/me/availability', { away: true }));
    // Ann holds two open tickets of elsewhere, Cid none.
    for (let i = 0; i < 2; i++) {
      const t = await ok(admin.post('/api/tickets', { type: 'incident', title: unique('Held'), priority: 'low' }), 201);
      await ok(admin.post(`/api/tickets/${t.id}/assign`, { assigneeId: ann.id }));
      await eventually(async () => ((await ok(admin.get(`/api/tickets/${t.id}`))).assigneeId === ann.id ? true : undefined));
    }
    await ok(admin.request('PATCH', `/api/queues/${queue}`, { assignment: 'least_open' }));
    expect((await arrive(queue)).assignee).toBe(cid.id);
    expect((await arrive(queue)).assignee).toBe(cid.id);
    // Two each now: the one who got a ticket of the queue longest ago (Ann, never) is next.
    expect((await arrive(queue)).assignee).toBe(ann.id);
  });

  it("should give a ticket to an agent with a skill its tags name, all in turn when nobody has one, and say so", async () => {
    const { queue, ann, cid } = await team();
    await ok(admin.request('PATCH', `/api/users/${ann.id}`, { skills: ['network'] }));
    expect((await ok(admin.request('PATCH', `/api/users/${cid.id}`, { skills: ['printers', 'scanners'] }))).skills).toEqual(['printers', 'scanners']);
    expect((await admin.request('PATCH', `/api/users/${cid.id}`, { skills: ['Net Work'] })).status).toBe(400);
    await ok(admin.request('PATCH', `/api/queues/${queue}`, { assignment: 'skills' }));

    const tagged = await ok(admin.post('/api/tickets', { type: 'incident', title: unique('Paper jam'), priority: 'medium' }), 201);
    await ok(admin.request('PUT', `/api/tickets/${tagged.id}/tags`, { add: ['printers'] }));
    await ok(admin.post(`/api/tickets/${tagged.id}/assign`, { assigneeId: null, queue }));
    expect(await eventually(async () => (await ok(admin.get(`/api/tickets/${tagged.id}`))).assigneeId ?? undefined)).toBe(cid.id);
    const why = (await ok(admin.get(`/api/tickets/${tagged.id}/timeline`))).items.filter((e: { type: string }) => e.type === 'assigned').at(-1);
    expect(why.data.auto).toEqual({ policy: 'skills', queue, openTickets: 0, skill: 'printers' });

    // Nothing named that anyone has: everyone in turn, Ann first (never given one of this queue, first by name).
    const plain = await arrive(queue);
    expect(plain.assignee).toBe(ann.id);
    const plainWhy = (await ok(admin.get(`/api/tickets/${plain.id}/timeline`))).items.filter((e: { type: string }) => e.type === 'assigned').at(-1);
    expect(plainWhy.data.auto).toMatchObject({ policy: 'skills', skill: null });
  });

  it("should never give a ticket to an integration's service account, though it is an admin in the group", async () => {
    const endpoint = await ok(admin.post('/api/webhooks/endpoints', { name: unique('auto hook'), mapping: { rules: [{ action: { type: 'transition', externalRef: '{{/id}}', transition: 'resolve', fields: {} } }] } }), 201);
    const service = (endpoint.endpoint ?? endpoint).actorId as string;
    expect(service).toMatch(/^[0-9a-f-]{36}$/);
    const zed = await agent(`Zed ${unique('x')}`);
    const group = unique('hook_grp').toLowerCase().replace(/[^a-z0-9_]/g, '_');
    const queue = unique('hook_q').toLowerCase().replace(/[^a-z0-9_]/g, '_');
    await ok(admin.post('/api/groups', { key: group, name: group }), 201);
    // "Webhook: …" comes before "Zed …": in turn, the service account would be first.
    await ok(admin.request('PUT', `/api/groups/${group}/members`, { userIds: [service, zed.id] }));
    await ok(admin.post('/api/queues', { key: queue, name: queue }), 201);
    await ok(admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] }));
    await ok(admin.request('PATCH', `/api/queues/${queue}`, { assignment: 'round_robin' }));
    expect((await arrive(queue)).assignee).toBe(zed.id);
    expect((await arrive(queue)).assignee).toBe(zed.id);
  });

  it('should refuse a return date in the past, and availability to customers', async () => {
    const { ann } = await team();
    const past = await ann.session.request('PUT', '/api/me/availability', { away: true, until: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(422);
    expect(past.body.errors[0].pointer).toBe('/until');
    expect((await ok(ann.session.get('/api/me/availability'))).away).toBe(false);
    const email = `${unique('cust')}@example.test`;
    await ok(admin.post('/api/users', { email, name: 'Cus', role: 'customer', password: 'a-long-password-1' }), 201);
    const customer = await Session.login(email, 'a-long-password-1');
    expect((await customer.request('PUT', '/api/me/availability', { away: true })).status).toBe(403);
  });
});
