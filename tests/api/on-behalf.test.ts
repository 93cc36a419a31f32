// Agents open tickets for the people who call or walk in: find them (or add them on the spot), name them as requester
// with the channel, and see them beside the ticket; customers can never name someone else.
import { ADMIN, Session, unique } from '../support/http';

let admin: Session;
let agent: Session;
let customer: Session;
let colleague: { id: string; email: string };
let org: { id: string; name: string };

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  org = (await admin.post('/api/organisations', { name: unique('Boulangerie Dupain') })).body;
  const make = async (role: string, organisationId?: string) => {
    const email = `${unique(role)}@example.test`;
    const res = await admin.post('/api/users', { email, name: unique(`${role} person`), role, password: 'a-long-password-1', ...(organisationId ? { organisationId } : {}) });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, email };
  };
  agent = await Session.login((await make('agent')).email, 'a-long-password-1');
  customer = await Session.login((await make('customer', org.id)).email, 'a-long-password-1');
  colleague = await make('customer', org.id);
});

describe('people for agents', () => {
  it('should find customers by organisation and add a first-time caller, audited, refusing a taken e-mail', async () => {
    const found = await agent.get(`/api/people?q=${encodeURIComponent(org.name)}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining([customer.user!.id, colleague.id]));
    expect(found.body.items[0]).toMatchObject({ role: 'customer', organisation: { id: org.id, name: org.name } });

    const email = `${unique('caller')}@Example.test`;
    const added = await agent.post('/api/people', { name: 'Jeanne Appelante', email, phone: '+33 1 23 45 67 89', organisationId: org.id });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ name: 'Jeanne Appelante', email: email.toLowerCase(), phone: '+33 1 23 45 67 89', role: 'customer', organisation: { id: org.id } });
    const audit = await admin.get(`/api/audit?entity=user&entityId=${added.body.id}`);
    expect(audit.body.items[0]).toMatchObject({ action: 'POST /api/people', actorId: agent.user!.id, outcome: 'allowed' });

    const again = await agent.post('/api/people', { name: 'Someone else', email: email.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body.errors).toEqual([{ pointer: '/email', message: 'already has an account' }]);
    const badOrg = await agent.post('/api/people', { name: 'Nobody', email: `${unique('x')}@example.test`, organisationId: '00000000-0000-4000-8000-000000000000' });
    expect(badOrg.status).toBe(422);
    expect((await agent.get(`/api/people?q=${encodeURIComponent('Someone else')}`)).body.items).toEqual([]);
  });

  it('should keep the people directory and adding people to staff', async () => {
    expect((await customer.get('/api/people?q=a')).status).toBe(403);
    const refused = await customer.post('/api/people', { name: 'Sneaky', email: `${unique('sneaky')}@example.test` });
    expect(refused.status).toBe(403);
    expect((await admin.get(`/api/people?q=Sneaky`)).body.items).toEqual([]);
  });
});

describe('tickets on behalf', () => {
  it('should open a ticket for a caller with its channel, in their organisation, and show it beside the ticket', async () => {
    const earlier = await customer.post('/api/tickets', { type: 'incident', title: unique('Oven broken'), priority: 'medium' });
    const res = await agent.post('/api/tickets', { type: 'incident', title: unique('Phoned: card reader down'), priority: 'high', requesterId: customer.user!.id, channel: 'phone' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ requesterId: customer.user!.id, organisationId: org.id });
    expect((await customer.get(`/api/tickets/${res.body.id}`)).status).toBe(200);

    const context = await agent.get(`/api/tickets/${res.body.id}/context`);
    expect(context.status).toBe(200);
    expect(context.body).toMatchObject({ channel: 'phone', requester: { id: customer.user!.id, organisation: { id: org.id, name: org.name } } });
    expect(context.body.otherTickets.map((t: { id: string }) => t.id)).toEqual([earlier.body.id]);
    expect(context.body.workflowId).toBe(`ticket-${res.body.id}`);
    expect(context.body.assignees.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([agent.user!.id, admin.user!.id]));
    expect(context.body.assignees.map((a: { id: string }) => a.id)).not.toContain(customer.user!.id);
    expect((await agent.get(`/api/tickets/${earlier.body.id}/context`)).body.channel).toBe('portal');
    expect((await customer.get(`/api/tickets/${res.body.id}/context`)).status).toBe(403);
  });

  it('should keep the channel its first attempt recorded when a creation is retried with the same Idempotency-Key', async () => {
    const key = unique('phoned-once');
    const body = { type: 'incident', title: unique('Phoned: badge reader'), priority: 'medium', requesterId: customer.user!.id };
    const first = await agent.request('POST', '/api/tickets', { ...body, channel: 'phone' }, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    const retried = await agent.request('POST', '/api/tickets', { ...body, channel: 'email' }, { 'Idempotency-Key': key });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.body.id).toBe(first.body.id);
    expect((await agent.get(`/api/tickets/${first.body.id}/context`)).body.channel).toBe('phone');
  });

  it('should refuse a customer naming someone else, and a requester who is unknown or disabled, changing nothing', async () => {
    const title = unique('Not mine to open');
    const refused = await customer.post('/api/tickets', { type: 'incident', title, priority: 'low', requesterId: colleague.id });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect((await admin.get(`/api/tickets?q=${encodeURIComponent(title)}`)).body.items).toEqual([]);
    // Naming oneself is no trick, just the usual case.
    expect((await customer.post('/api/tickets', { type: 'incident', title: unique('mine'), priority: 'low', requesterId: customer.user!.id })).status).toBe(201);

    const unknown = await agent.post('/api/tickets', { type: 'incident', title, priority: 'low', requesterId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ pointer: '/requesterId', message: 'unknown, disabled or a service account' }]);
    const gone = await admin.post('/api/users', { email: `${unique('gone')}@example.test`, name: 'Gone', role: 'customer', password: 'a-long-password-1' });
    expect((await admin.request('PATCH', `/api/users/${gone.body.id}`, { disabled: true })).status).toBe(200);
    expect((await agent.post('/api/tickets', { type: 'incident', title, priority: 'low', requesterId: gone.body.id })).status).toBe(422);
    expect((await admin.get(`/api/tickets?q=${encodeURIComponent(title)}`)).body.items).toEqual([]);
  });
});

describe('ticket fields as the caller may use them', () => {
  it('should list every field with its value for agents, only the fields customers may change for customers, and hide the ticket from others', async () => {
    const t = await customer.post('/api/tickets', { type: 'incident', title: unique('Fields'), priority: 'low', fields: { category: 'hardware' } });
    expect(t.status).toBe(201);
    const staff = (await agent.get(`/api/tickets/${t.body.id}/fields`)).body.items as Array<{ name: string; value: unknown; editable: boolean }>;
    expect(staff.map((f) => f.name)).toEqual(expect.arrayContaining(['category', 'resolution', 'pending_reason']));
    expect(staff.every((f) => f.editable)).toBe(true);
    expect(staff.find((f) => f.name === 'category')!.value).toBe('hardware');
    const theirs = (await customer.get(`/api/tickets/${t.body.id}/fields`)).body.items as typeof staff;
    expect(theirs.map((f) => f.name).sort()).toEqual(['asset', 'category']);
    expect(theirs.every((f) => f.editable)).toBe(true);
    const stranger = await admin.post('/api/users', { email: `${unique('stranger')}@example.test`, name: 'Stranger', role: 'customer', password: 'a-long-password-1' });
    const strangerSession = await Session.login(stranger.body.email, 'a-long-password-1');
    expect((await strangerSession.get(`/api/tickets/${t.body.id}/fields`)).status).toBe(404);
  });
});

describe('tickets opened in a later state', () => {
  it('should resolve a ticket on the first call when the definition lets the caller, and create nothing when it does not', async () => {
    const title = unique('Password reset on the call');
    const done = await agent.post('/api/tickets', {
      type: 'incident', title, priority: 'low', requesterId: customer.user!.id, channel: 'phone',
      then: { transition: 'resolve', fields: { resolution: 'Reset the password with the caller' } },
    });
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ state: 'resolved', stateCategory: 'resolved', requesterId: customer.user!.id });
    const timeline = (await agent.get(`/api/tickets/${done.body.id}/timeline`)).body.items.map((e: { type: string }) => e.type);
    expect(timeline.slice(0, 1)).toEqual(['created']);
    expect(timeline).toContain('transitioned');

    const missing = unique('Not resolvable yet');
    const refused = await agent.post('/api/tickets', { type: 'incident', title: missing, priority: 'low', then: { transition: 'resolve' } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ pointer: '/then/fields/resolution', message: 'resolution is required' }]);
    const customers = await customer.post('/api/tickets', { type: 'incident', title: missing, priority: 'low', then: { transition: 'resolve', fields: { resolution: 'solved it myself' } } });
    expect(customers.status).toBe(409);
    expect(customers.body.type).toContain('role-not-allowed');
    expect((await admin.get(`/api/tickets?q=${encodeURIComponent(missing)}`)).body.items).toEqual([]);
  });
});
