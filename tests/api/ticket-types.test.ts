// Custom ticket types against the real desk: admins add a kind of work run by a published definition; customers open
// it from the portal only when allowed; it filters like any type; bad input is refused at its element; a type in use
// stays.
import { ADMIN, Session, signedInAs, unique } from '../support/http';
import { freshDatabaseUrl, startDesk, type Desk } from '../support/desk';

let desk: Desk;
let admin: Session;

const key = (p: string) => unique(p).replace(/[^a-z0-9_]/gi, '_').toLowerCase();

// A desk of its own: the types added here would otherwise show in every other suite's forms and reports.
beforeAll(async () => {
  desk = await startDesk({ taskQueue: unique('guichet-types'), env: { DATABASE_URL: await freshDatabaseUrl('ticket_types') } });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
});

afterAll(async () => desk?.stop());

describe('Custom ticket types', () => {
  it('should open tickets of a custom type on its definition, for customers only when it says so', async () => {
    const listed = (await admin.get('/api/ticket-types')).body.items;
    expect(listed.filter((x: { builtIn: boolean }) => x.builtIn).map((x: { key: string }) => x.key)).toEqual(['incident', 'service_request', 'problem', 'maintenance']);

    const onboarding = key('onboarding');
    const made = await admin.post('/api/ticket-types', { key: onboarding, name: { en: 'Onboarding', fr: 'Arrivée' }, definitionKey: 'service_request', customersMayOpen: true });
    expect(made).toMatchObject({ status: 201, body: { key: onboarding, builtIn: false, definitionKey: 'service_request', customersMayOpen: true } });
    const audit = (await admin.get('/api/audit?action=ticket-types')).body.items;
    expect(audit.some((a: { entityId: string }) => a.entityId === onboarding)).toBe(true);

    const customer = await signedInAs(admin, 'customer', 'Casey');
    const agent = await signedInAs(admin, 'agent', 'Alex');
    const ticket = await customer.post('/api/tickets', { type: onboarding, title: unique('New starter'), priority: 'medium', fields: { item: 'Badge' } });
    expect(ticket).toMatchObject({ status: 201, body: { type: onboarding, definition: { key: 'service_request' }, state: 'submitted' } });
    expect(ticket.body.number).toMatch(/^REQ-/);
    const found = (await agent.get(`/api/tickets?type=${onboarding}`)).body.items;
    expect(found.map((t: { id: string }) => t.id)).toContain(ticket.body.id);

    // A staff-only type: customers are refused, agents open it.
    const audit2 = key('audit');
    expect((await admin.post('/api/ticket-types', { key: audit2, name: { en: 'Audit finding', fr: 'Constat d’audit' }, definitionKey: 'incident' })).status).toBe(201);
    expect((await customer.post('/api/tickets', { type: audit2, title: 'x', priority: 'low' })).status).toBe(403);
    expect(await agent.post('/api/tickets', { type: audit2, title: unique('Finding'), priority: 'low' })).toMatchObject({ status: 201, body: { definition: { key: 'incident' } } });

    // A type in use stays; an unused one goes.
    expect(await admin.request('DELETE', `/api/ticket-types/${onboarding}`)).toMatchObject({ status: 409, body: { type: expect.stringMatching(/\/type-in-use$/) } });
    const spare = key('spare');
    await admin.post('/api/ticket-types', { key: spare, name: { en: 'Spare', fr: 'Réserve' }, definitionKey: 'problem' });
    expect(await admin.request('PATCH', `/api/ticket-types/${spare}`, { name: { en: 'Spare part', fr: 'Pièce' } })).toMatchObject({ status: 200, body: { name: { en: 'Spare part' } } });
    expect((await admin.request('DELETE', `/api/ticket-types/${spare}`)).status).toBe(204);
    expect((await admin.get('/api/ticket-types')).body.items.map((x: { key: string }) => x.key)).not.toContain(spare);
  });

  it('should refuse bad types at their element and change nothing', async () => {
    const before = (await admin.get('/api/ticket-types')).body.items.length;
    expect(await admin.post('/api/ticket-types', { key: 'incident', name: { en: 'I', fr: 'I' }, definitionKey: 'incident' })).toMatchObject({ status: 409, body: { type: expect.stringMatching(/\/type-taken$/) } });
    expect(await admin.post('/api/ticket-types', { key: key('nodef'), name: { en: 'N', fr: 'N' }, definitionKey: 'no_such_definition' })).toMatchObject({ status: 422, body: { errors: [{ pointer: '/definitionKey' }] } });
    expect(await admin.post('/api/ticket-types', { key: key('wo'), name: { en: 'W', fr: 'W' }, definitionKey: 'maintenance' })).toMatchObject({ status: 422, body: { errors: [{ pointer: '/definitionKey' }] } });
    expect((await admin.post('/api/ticket-types', { key: 'Bad Key', name: { en: 'B', fr: 'B' }, definitionKey: 'incident' })).status).toBe(400);
    expect(await admin.request('PATCH', '/api/ticket-types/incident', { customersMayOpen: false })).toMatchObject({ status: 409, body: { type: expect.stringMatching(/\/built-in-type$/) } });
    expect((await admin.get('/api/ticket-types')).body.items.length).toBe(before);
    // A type nobody defined opens nothing.
    expect(await admin.post('/api/tickets', { type: 'no_such_type', title: 'x', priority: 'low' })).toMatchObject({ status: 422, body: { errors: [{ pointer: '/type' }] } });
  });
});
