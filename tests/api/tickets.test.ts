// The first slice through HTTP: auth, creating a ticket starts its workflow, the queue lists it by priority then creation date.
import { Client, Connection } from '@temporalio/client';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ADMIN, Session, eventually, unique, useAdmin } from '../support/http';

const admin = useAdmin();
let temporal: Connection;

beforeAll(async () => {
  temporal = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
});
afterAll(async () => temporal?.close());

async function newCustomer(): Promise<Session> {
  const email = `${unique('customer')}@example.test`;
  const created = await admin.post('/api/users', { email, name: 'Camille Client', role: 'customer', password: 'customer-password-1' });
  expect(created.status).toBe(201);
  return Session.login(email, 'customer-password-1');
}

describe('authentication', () => {
  it('should answer 401 problem+json to an anonymous ticket list', async () => {
    const res = await new Session().get('/api/tickets');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 401, type: expect.stringContaining('unauthorized') });
  });

  it('should refuse a wrong password without saying whether the email exists', async () => {
    const wrong = await new Session().post('/api/auth/login', { email: ADMIN.email, password: 'nope' });
    const unknown = await new Session().post('/api/auth/login', { email: 'nobody@example.test', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('should refuse a state-changing request from a cookie session without the CSRF header', async () => {
    const res = await admin.request('POST', '/api/tickets', { type: 'incident', title: 'x', priority: 'low' }, { 'x-csrf-token': 'forged' });
    expect(res.status).toBe(403);
    expect(res.body.type).toContain('csrf');
  });
});

describe('POST /api/tickets', () => {
  it('should create a ticket whose workflow runs under ticket-<id> and which the queue lists', async () => {
    const title = unique('Printer on fire');
    const res = await admin.post('/api/tickets', { type: 'incident', title, description: '3rd floor', priority: 'high' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ number: expect.stringMatching(/^INC-\d{6}$/), state: 'new', definition: { key: 'incident', version: expect.any(Number) } });
    expect(res.headers.get('location')).toBe(`/api/tickets/${res.body.id}`);

    const wf = await new Client({ connection: temporal }).workflow.getHandle(`ticket-${res.body.id}`).describe();
    expect(wf.status.name).toBe('RUNNING');
    expect(wf.type).toBe('ticketWorkflow');

    const one = await admin.get(`/api/tickets/${res.body.id}`);
    expect(one.status).toBe(200);
    expect(one.body.title).toBe(title);
    expect(one.body.sla.map((c: { name: string }) => c.name)).toEqual(['firstResponse', 'resolution']);

    // Filtered to this ticket's title too: the queue lists oldest first, and other suites' high tickets come before it.
    const list = await admin.get(`/api/tickets?limit=100&priority=high&q=${encodeURIComponent(title)}`);
    expect(list.body.items.map((t: { id: string }) => t.id)).toContain(res.body.id);
  });

  it('should answer with the ticket exactly as its workflow then records it (state, queue, SLA targets)', async () => {
    const res = await admin.post('/api/tickets', { type: 'incident', title: unique('Answered before recorded'), priority: 'critical' });
    expect(res.status).toBe(201);
    const events = await eventually(async () => {
      const r = await admin.get(`/api/tickets/${res.body.id}/timeline`);
      return r.body.items?.length ? r.body.items : undefined;
    }, 20_000);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['created']);
    const recorded = (await admin.get(`/api/tickets/${res.body.id}`)).body;
    const stable = (t: Record<string, unknown>) => {
      const { updatedAt: _u, sla, ...rest } = t as { updatedAt: string; sla: Array<Record<string, unknown>> };
      // remainingMs and status move with the clock; the targets and budgets do not.
      return { ...rest, sla: sla.map(({ remainingMs: _r, status: _st, ...c }) => c) };
    };
    expect(stable(res.body)).toEqual(stable(recorded));
    expect(res.body.sla.length).toBeGreaterThan(0);
  });

  it('should order the queue by priority then creation date, across pages', async () => {
    const made: Array<{ id: string; priority: string }> = [];
    for (const priority of ['low', 'critical', 'medium', 'critical', 'high']) {
      const r = await admin.post('/api/tickets', { type: 'service_request', title: unique('order'), priority });
      expect(r.status).toBe(201);
      made.push({ id: r.body.id, priority });
    }
    const seen: Array<{ id: string; priority: string; createdAt: string }> = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: typeof seen; next: string | null } } = await admin.get(`/api/tickets?type=service_request&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.items);
      cursor = page.body.next;
    } while (cursor);
    const rank = { critical: 0, high: 1, medium: 2, low: 3 } as Record<string, number>;
    for (let i = 1; i < seen.length; i++) {
      const a = seen[i - 1];
      const b = seen[i];
      expect(rank[a.priority] < rank[b.priority] || (rank[a.priority] === rank[b.priority] && a.createdAt <= b.createdAt)).toBe(true);
    }
    expect(new Set(seen.map((t) => t.id)).size).toBe(seen.length);
    for (const m of made) expect(seen.map((t) => t.id)).toContain(m.id);
  });

  it('should return the first ticket again for a retried Idempotency-Key', async () => {
    const key = unique('idem');
    const body = { type: 'incident', title: unique('Idempotent'), priority: 'medium' };
    const first = await admin.post('/api/tickets', body, { 'idempotency-key': key });
    const second = await admin.post('/api/tickets', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.number).toBe(first.body.number);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const list = await admin.get(`/api/tickets?limit=100&type=incident&q=${encodeURIComponent(body.title)}`);
    expect(list.body.items.filter((t: { title: string }) => t.title === body.title)).toHaveLength(1);
  });

  it.each([
    ['a missing title', { type: 'incident', priority: 'low' }, '/title'],
    ['an unknown field', { type: 'incident', title: 't', priority: 'low', colour: 'red' }, '/colour'],
    ['a wrong priority', { type: 'incident', title: 't', priority: 'urgent' }, '/priority'],
    ['a wrong type', { type: 'incident', title: 42, priority: 'low' }, '/title'],
    ['a blank title', { type: 'incident', title: '   ', priority: 'low' }, '/title'],
  ])('should answer 400 naming the field for %s', async (_what, body, pointer) => {
    const res = await admin.post('/api/tickets', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
  });

  it('should answer 400 to malformed JSON and 413 to an oversized body', async () => {
    const bad = await admin.request('POST', '/api/tickets', '{"type": "incident",', {});
    expect(bad.status).toBe(400);
    expect(bad.body.title).toBe('Bad request');
    const huge = await admin.post('/api/tickets', { type: 'incident', title: 't', priority: 'low', description: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
  });

  it('should answer 422 for definition fields that do not exist', async () => {
    const res = await admin.post('/api/tickets', { type: 'incident', title: 't', priority: 'low', fields: { nope: 'x' } });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].pointer).toBe('/fields/nope');
  });
});

describe('customers', () => {
  it('should see their own tickets and never another customer\'s', async () => {
    const alice = await newCustomer();
    const bob = await newCustomer();
    const mine = await alice.post('/api/tickets', { type: 'incident', title: unique('Alice laptop'), priority: 'medium' });
    expect(mine.status).toBe(201);
    expect((await bob.get(`/api/tickets/${mine.body.id}`)).status).toBe(404);
    expect((await bob.get(`/api/tickets/${mine.body.id}/timeline`)).status).toBe(404);
    const bobList = await bob.get('/api/tickets?limit=100');
    expect(bobList.body.items.map((t: { id: string }) => t.id)).not.toContain(mine.body.id);
    const aliceList = await eventually(async () => {
      const l = await alice.get('/api/tickets?limit=100');
      return l.body.items.length ? l : undefined;
    });
    expect(aliceList.body.items.map((t: { id: string }) => t.id)).toEqual([mine.body.id]);
  });

  it('should not open problems nor write internal notes', async () => {
    const carol = await newCustomer();
    expect((await carol.post('/api/tickets', { type: 'problem', title: 'x', priority: 'low' })).status).toBe(403);
    const t = await carol.post('/api/tickets', { type: 'incident', title: unique('Carol'), priority: 'low' });
    expect((await carol.post(`/api/tickets/${t.body.id}/comments`, { body: 'sneaky', visibility: 'internal' })).status).toBe(403);
    await admin.post(`/api/tickets/${t.body.id}/comments`, { body: 'agents only', visibility: 'internal' });
    await admin.post(`/api/tickets/${t.body.id}/comments`, { body: 'hello Carol', visibility: 'public' });
    const timeline = await carol.get(`/api/tickets/${t.body.id}/timeline`);
    const bodies = timeline.body.items.map((e: { data: { body?: string } }) => e.data.body).filter(Boolean);
    expect(bodies).toEqual(['hello Carol']);
    const full = await admin.get(`/api/tickets/${t.body.id}/timeline`);
    expect(full.body.items.map((e: { data: { body?: string } }) => e.data.body).filter(Boolean)).toEqual(['agents only', 'hello Carol']);
  });
});

describe('health', () => {
  it('should be live and ready against real PostgreSQL and Temporal', async () => {
    const s = new Session();
    expect((await s.get('/healthz')).status).toBe(200);
    const ready = await s.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', database: 'ok', temporal: 'ok' });
  });
});

describe('changing a ticket', () => {
  it('should re-target the SLA clocks when the priority changes, and record it', async () => {
    const t = await admin.post('/api/tickets', { type: 'incident', title: unique('Slow mail'), priority: 'low' });
    const before = t.body.sla.find((c: { name: string }) => c.name === 'resolution');
    const res = await admin.request('PATCH', `/api/tickets/${t.body.id}`, { priority: 'critical' });
    expect(res.status).toBe(200);
    const after = res.body.sla.find((c: { name: string }) => c.name === 'resolution');
    expect(after.budgetMinutes).toBe(240);
    expect(Date.parse(after.target)).toBeLessThan(Date.parse(before.target));
    expect((await admin.request('PATCH', `/api/tickets/${t.body.id}`, { priority: 'critical' })).status).toBe(409);
    const timeline = await admin.get(`/api/tickets/${t.body.id}/timeline`);
    expect(timeline.body.items.find((e: { type: string }) => e.type === 'priority_changed').data).toMatchObject({ from: 'low', to: 'critical' });
  });

  it('should assign to an agent and refuse someone who is not one', async () => {
    const t = await admin.post('/api/tickets', { type: 'incident', title: unique('Badge reader'), priority: 'medium' });
    const assigned = await admin.post(`/api/tickets/${t.body.id}/assign`, { assigneeId: admin.user!.id });
    expect(assigned.status).toBe(200);
    expect(assigned.body.assigneeId).toBe(admin.user!.id);
    const customer = await newCustomer();
    const refused = await admin.post(`/api/tickets/${t.body.id}/assign`, { assigneeId: customer.user!.id });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].pointer).toBe('/assigneeId');
    const mine = await admin.get(`/api/tickets?assigneeId=${admin.user!.id}&limit=100&q=${encodeURIComponent(t.body.title)}`);
    expect(mine.body.items.map((x: { id: string }) => x.id)).toContain(t.body.id);
  });
});

describe('GET /api/openapi.json', () => {
  it('should describe every route the server serves as OpenAPI 3.1', async () => {
    const doc = (await new Session().get('/api/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, m]) => Object.keys(m).map((k) => `${k.toUpperCase()} ${p}`));
    for (const op of ['POST /api/auth/login', 'GET /api/tickets', 'POST /api/tickets', 'GET /api/tickets/{id}', 'POST /api/tickets/{id}/transitions', 'GET /api/tickets/{id}/timeline', 'POST /api/definitions/validate', 'PUT /api/definitions/{key}/draft', 'GET /readyz']) {
      expect(ops).toContain(op);
    }
    const docs = await new Session().get('/api/docs');
    expect(docs.status).toBe(200);
    // Named shapes are shown whole on the page, not as references to the document's components.
    expect(docs.body).not.toContain('#/components/schemas/');
    expect(docs.body).toContain('&quot;critical&quot;');
  });

  it('should validate against the OpenAPI 3.1 schema', async () => {
    const doc = (await new Session().get('/api/openapi.json')).body;
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('should name the shapes it shares, so generated clients get one type per shape', async () => {
    const doc = (await new Session().get('/api/openapi.json')).body;
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Ticket', 'TicketPage', 'Transition', 'TimelineEvent', 'Priority', 'User', 'Session']));
    expect(doc.paths['/api/tickets/{id}/tags'].put.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Ticket' });
    expect(doc.components.schemas.Ticket.required).toContain('workflowId');
  });

  it('should answer a URL past the parser limit with a problem, as documented', async () => {
    const res = await new Session().get(`/api/tickets?q=${'x'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.type).toMatch(/headers-too-large$/);
  });
});

describe('comments', () => {
  it('should render markdown safely: raw HTML escaped, script links dropped', async () => {
    const t = await admin.post('/api/tickets', { type: 'incident', title: unique('XSS probe'), priority: 'low' });
    const body = '<script>alert(1)</script> **bold** [bad](javascript:alert(1)) [good](https://example.org) <img src=x onerror=alert(1)>';
    expect((await admin.post(`/api/tickets/${t.body.id}/comments`, { body, visibility: 'public' })).status).toBe(201);
    const comment = (await admin.get(`/api/tickets/${t.body.id}/timeline`)).body.items.find((e: { type: string }) => e.type === 'commented');
    expect(comment.data.body).toBe(body);
    const html: string = comment.data.html;
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toMatch(/<script|<img|href="javascript/i);
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('href="https://example.org"');
  });

  it('should number what a customer sees 1, 2, 3… so no gap betrays an internal note, and edit by that number', async () => {
    const customer = await newCustomer();
    const t = await customer.post('/api/tickets', { type: 'incident', title: unique('Numbering'), priority: 'low' });
    const id = t.body.id;
    expect((await admin.post(`/api/tickets/${id}/comments`, { body: 'We are looking', visibility: 'public' })).status).toBe(201);
    expect((await admin.post(`/api/tickets/${id}/comments`, { body: 'psst, internal', visibility: 'internal' })).status).toBe(201);
    expect((await admin.post(`/api/tickets/${id}/comments`, { body: 'another internal', visibility: 'internal' })).status).toBe(201);
    const posted = await customer.post(`/api/tickets/${id}/comments`, { body: 'Thanks, any newz?', visibility: 'public' });
    expect(posted.status).toBe(201);

    const seen = (await customer.get(`/api/tickets/${id}/timeline`)).body.items as Array<{ seq: number; type: string; data: { body?: string; seq?: number } }>;
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    const mine = seen.find((e) => e.data.body === 'Thanks, any newz?')!;
    expect(posted.body.seq).toBe(mine.seq);
    const staff = (await admin.get(`/api/tickets/${id}/timeline`)).body.items as Array<{ seq: number; data: { body?: string } }>;
    expect(staff.find((e) => e.data.body === 'Thanks, any newz?')!.seq).toBeGreaterThan(mine.seq);

    const edited = await customer.request('PATCH', `/api/tickets/${id}/comments/${mine.seq}`, { body: 'Thanks, any news?' });
    expect(edited.status).toBe(200);
    const after = (await customer.get(`/api/tickets/${id}/timeline`)).body.items as typeof seen;
    expect(after.map((e) => e.seq)).toEqual(after.map((_, i) => i + 1));
    expect(after.find((e) => e.seq === mine.seq)!.data.body).toBe('Thanks, any news?');
    expect(edited.body.seq).toBe(after.at(-1)!.seq);
    expect(after.at(-1)).toMatchObject({ type: 'comment_edited', data: { seq: mine.seq } });
    expect((await customer.request('PATCH', `/api/tickets/${id}/comments/${after.length + 5}`, { body: 'nothing there' })).status).toBe(409);
  });

  it('should keep edits in the comment history and let only the author or an admin edit', async () => {
    const customer = await newCustomer();
    const t = await customer.post('/api/tickets', { type: 'incident', title: unique('Typo'), priority: 'low' });
    const { seq } = (await customer.post(`/api/tickets/${t.body.id}/comments`, { body: 'teh printer', visibility: 'public' })).body;
    const edited = await customer.request('PATCH', `/api/tickets/${t.body.id}/comments/${seq}`, { body: 'the printer' });
    expect(edited.status).toBe(200);
    const email = `${unique('agent')}@example.test`;
    await admin.post('/api/users', { email, name: 'Agent', role: 'agent', password: 'agent-password-12' });
    const agent = await Session.login(email, 'agent-password-12');
    // Staff number events as they are; the customer's comment is the same one under its real number.
    const real = (await agent.get(`/api/tickets/${t.body.id}/timeline`)).body.items.find((e: { type: string; data: { body?: string } }) => e.type === 'commented').seq;
    expect((await agent.request('PATCH', `/api/tickets/${t.body.id}/comments/${real}`, { body: 'hijack' })).status).toBe(403);
    expect((await customer.request('PATCH', `/api/tickets/${t.body.id}/comments/1`, { body: 'not a comment' })).status).toBe(409);
    const timeline = (await customer.get(`/api/tickets/${t.body.id}/timeline`)).body.items;
    const comment = timeline.find((e: { seq: number }) => e.seq === seq);
    expect(comment.data).toMatchObject({ body: 'the printer', edited: true, revisions: [{ body: 'teh printer' }] });
    expect(timeline.some((e: { type: string; data: { seq?: number } }) => e.type === 'comment_edited' && e.data.seq === seq)).toBe(true);
  });
});

describe('customer replies', () => {
  it("should bring a ticket waiting on the customer back to the agents, clocks running, when the customer answers, and only then", async () => {
    const customer = await newCustomer();
    const t = (await customer.post('/api/tickets', { type: 'incident', title: unique('VPN drops'), priority: 'high' })).body;
    expect((await admin.post(`/api/tickets/${t.id}/transitions`, { transition: 'start' })).status).toBe(200);
    const waiting = await admin.post(`/api/tickets/${t.id}/transitions`, { transition: 'wait_for_customer', fields: { pending_reason: 'your VPN client version' } });
    expect(waiting.status).toBe(200);
    expect(waiting.body.state).toBe('pending_customer');
    expect(waiting.body.sla.find((c: { name: string }) => c.name === 'resolution').paused).toBe(true);

    // The agent's own follow-up and an internal note leave it waiting.
    expect((await admin.post(`/api/tickets/${t.id}/comments`, { body: 'Any news?', visibility: 'public' })).status).toBe(201);
    expect((await admin.get(`/api/tickets/${t.id}`)).body.state).toBe('pending_customer');

    expect((await customer.post(`/api/tickets/${t.id}/comments`, { body: 'Version 5.2, still dropping', visibility: 'public' })).status).toBe(201);
    const after = (await admin.get(`/api/tickets/${t.id}`)).body;
    expect(after.state).toBe('in_progress');
    expect(after.sla.find((c: { name: string }) => c.name === 'resolution').paused).toBe(false);
    const timeline = (await admin.get(`/api/tickets/${t.id}/timeline`)).body.items as Array<{ type: string; data: { transition?: string }; actor: { role: string } }>;
    const resumed = timeline.filter((e) => e.type === 'transitioned' && e.data.transition === 'customer_replied');
    expect(resumed).toHaveLength(1);
    expect(resumed[0].actor.role).toBe('system');

    // A second reply while the agents already work on it changes nothing.
    expect((await customer.post(`/api/tickets/${t.id}/comments`, { body: 'Also on Wi-Fi', visibility: 'public' })).status).toBe(201);
    expect((await admin.get(`/api/tickets/${t.id}`)).body.state).toBe('in_progress');
  });
});

describe('field locks on every path', () => {
  it('should refuse a customer a transition that carries a field only agents set, and change nothing', async () => {
    const customer = await newCustomer();
    const t = (await customer.post('/api/tickets', { type: 'incident', title: unique('Locked fields'), priority: 'low' })).body;
    const sneaky = await customer.post(`/api/tickets/${t.id}/transitions`, { transition: 'cancel', fields: { resolution: 'fixed, says the customer' } });
    expect(sneaky.status).toBe(409);
    expect(sneaky.body.type).toMatch(/field-not-editable/);
    const after = (await admin.get(`/api/tickets/${t.id}`)).body;
    expect(after.state).toBe('new');
    expect(after.fields.resolution).toBeUndefined();
    // The same transition without the locked field, or with one the customer may edit, goes through.
    const allowed = await customer.post(`/api/tickets/${t.id}/transitions`, { transition: 'cancel', fields: { category: 'network' } });
    expect(allowed.status).toBe(200);
    expect(allowed.body.state).toBe('closed');
  });
});

describe('idempotent commands', () => {
  it('should record a comment and take a transition once when the same Idempotency-Key arrives twice at the same time', async () => {
    const customer = await newCustomer();
    const t = (await customer.post('/api/tickets', { type: 'incident', title: unique('Twice sent'), priority: 'low' })).body;
    const key = { 'Idempotency-Key': unique('crm-note') };
    const comments = await Promise.all([1, 2].map(() => admin.post(`/api/tickets/${t.id}/comments`, { body: 'Called the customer back', visibility: 'public' }, key)));
    expect(comments.map((r) => r.status)).toEqual([201, 201]);
    expect(comments[0].body.seq).toBe(comments[1].body.seq);
    const again = await admin.post(`/api/tickets/${t.id}/comments`, { body: 'Called the customer back', visibility: 'public' }, key);
    expect(again.body.seq).toBe(comments[0].body.seq);

    const move = { 'Idempotency-Key': unique('crm-start') };
    const starts = await Promise.all([1, 2].map(() => admin.post(`/api/tickets/${t.id}/transitions`, { transition: 'start' }, move)));
    expect(starts.map((r) => r.status)).toEqual([200, 200]);
    const timeline = (await admin.get(`/api/tickets/${t.id}/timeline`)).body.items as Array<{ type: string; data: { body?: string; transition?: string } }>;
    expect(timeline.filter((e) => e.type === 'commented' && e.data.body === 'Called the customer back')).toHaveLength(1);
    expect(timeline.filter((e) => e.type === 'transitioned' && e.data.transition === 'start')).toHaveLength(1);
    // Another key is another command.
    expect((await admin.post(`/api/tickets/${t.id}/comments`, { body: 'Called the customer back', visibility: 'public' }, { 'Idempotency-Key': unique('crm-note') })).body.seq).toBeGreaterThan(comments[0].body.seq);
  });
});
