// Automation rules against the real desk (PostgreSQL, the Temporal dev server, a worker, an SMTP receiver): a rule runs
// for each matching event, in order, each of its actions named in the timeline; a shared macro, a mail and a webhook
// event are among its actions; a customer's reply moves the ticket; a broken rule is refused at its element and
// nothing is saved; every change is a version in the rule's history and the audit log; the dry run lists the tickets
// a rule would have fired on over the last days of real events and what it would have changed, changing nothing.
import { Client, Connection } from '@temporalio/client';
import { ADMIN, Session, eventually, unique, ok } from '../support/http';
import { freshDatabaseUrl, startDesk, type Desk } from '../support/desk';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture';

let desk: Desk;
let smtp: SmtpCapture;
let admin: Session;
let temporal: Connection;
const TASK_QUEUE = unique('guichet-rules');
const PASSWORD = 'a-long-password-1';

async function person(role: 'agent' | 'customer', name: string, extra: Record<string, unknown> = {}) {
  const email = `${unique(name.toLowerCase())}@example.test`;
  const made = await ok(admin.post('/api/users', { email, name, role, password: PASSWORD, ...extra }), 201);
  return { id: made.id as string, email, session: await Session.login(email, PASSWORD, desk.url) };
}

const timeline = async (id: string) => (await ok(admin.get(`/api/tickets/${id}/timeline`))).items as Array<{ seq: number; type: string; actor: { role: string }; data: Record<string, any> }>;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  // A database of its own: enabled rules act on every ticket of the desk they run on.
  temporal = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  desk = await startDesk({ taskQueue: TASK_QUEUE, env: { DATABASE_URL: await freshDatabaseUrl('rules'), SMTP_URL: smtp.url, MAIL_FROM: 'Guichet <support@desk.test>', MAIL_POLL_INTERVAL_MS: '300' } });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
});

afterAll(async () => {
  await desk?.stop();
  await smtp?.stop();
  await temporal?.close();
});

describe('Automation rules', () => {
  it('should run enabled rules on matching events, in order, with every action in the timeline', async () => {
    const org = await ok(admin.post('/api/organisations', { name: unique('Acme') }), 201);
    const vipCustomer = await person('customer', 'Vera', { organisationId: org.id });
    const other = await person('customer', 'Olga');
    const agent = await person('agent', 'Alex');
    const macro = await ok(admin.post('/api/macros', { name: unique('Triage'), shared: true, addTags: ['triaged'], reply: { en: 'Hello {{requester.firstName}}, we are on {{ticket.number}}.', fr: 'Bonjour {{requester.firstName}}, nous traitons {{ticket.number}}.' } }), 201);

    const vip = await ok(
      admin.post('/api/rules', {
        name: unique('Acme is VIP'),
        enabled: true,
        when: { event: 'created' },
        if: [{ subject: 'organisation', op: 'is', value: org.id }, { subject: 'type', op: 'is', value: 'incident' }],
        then: [
          { action: 'set_priority', priority: 'high' },
          { action: 'assign', assigneeId: agent.id },
          { action: 'apply_macro', macroId: macro.id },
          { action: 'send_mail', to: 'requester', subject: { en: '[{{ticket.number}}] Priority support', fr: '[{{ticket.number}}] Support prioritaire' }, body: { en: 'Your ticket {{ticket.title}} is handled first.', fr: 'Votre ticket {{ticket.title}} passe en premier.' } },
          { action: 'webhook', event: 'vip.opened' },
        ],
      }),
      201,
    );
    expect(vip).toMatchObject({ position: 1, version: 1, enabled: true });
    // A disabled rule does nothing.
    await ok(admin.post('/api/rules', { name: unique('Disabled'), when: { event: 'created' }, then: [{ action: 'add_tags', tags: ['never'] }] }), 201);
    const replied = await ok(
      admin.post('/api/rules', {
        name: unique('Customer answered'),
        enabled: true,
        when: { event: 'commented', by: 'customer' },
        if: [{ subject: 'state', op: 'is', value: 'pending_customer' }],
        then: [{ action: 'add_tags', tags: ['answered'] }, { action: 'comment', body: 'The customer answered: back to the queue.', visibility: 'internal' }],
      }),
      201,
    );
    expect(replied.position).toBe(3);

    const ticket = await ok(vipCustomer.session.post('/api/tickets', { type: 'incident', title: unique('Printer on fire'), priority: 'low' }), 201);
    const ordinary = await ok(other.session.post('/api/tickets', { type: 'incident', title: unique('Slow mouse'), priority: 'low' }), 201);

    const done = await eventually(async () => {
      const t = await ok(admin.get(`/api/tickets/${ticket.id}`));
      return t.priority === 'high' && t.tags.includes('triaged') ? t : undefined;
    }).catch(async (e) => {
      throw new Error(`${e.message}; timeline: ${JSON.stringify(await timeline(ticket.id))}`);
    });
    expect(done).toMatchObject({ assigneeId: agent.id, tags: ['triaged'] });
    const events = await timeline(ticket.id);
    const applied = events.find((e) => e.type === 'rule_applied')!;
    expect(applied.data).toMatchObject({ rule: { id: vip.id, version: 1 }, depth: 1, trigger: 1 });
    const byVip = events.filter((e) => e.data.byRule?.id === vip.id).map((e) => e.type);
    expect(byVip).toEqual(['priority_changed', 'assigned', 'macro_applied', 'tags_changed', 'commented', 'notification', 'event_emitted']);
    const reply = events.find((e) => e.type === 'commented' && e.data.byRule)!;
    expect(reply.data.body).toBe(`Hello Vera, we are on ${ticket.number}.`);
    const mail = await smtp.waitFor((m) => m.to.includes(vipCustomer.email) && m.subject.includes('Priority support'));
    expect(mail.subject).toBe(`[${ticket.number}] Priority support`);
    expect(mail.text).toContain(`Your ticket ${ticket.title} is handled first.`);

    // The other customer's ticket matched no condition: untouched, no rule in its timeline.
    const plain = await ok(admin.get(`/api/tickets/${ordinary.id}`));
    expect(plain).toMatchObject({ priority: 'low', tags: [] });
    expect((await timeline(ordinary.id)).some((e) => e.type.startsWith('rule_'))).toBe(false);

    // The customer's reply while the ticket waits on them fires the second rule, once.
    await ok(agent.session.post(`/api/tickets/${ticket.id}/transitions`, { transition: 'wait_for_customer', fields: { pending_reason: 'Which printer?' } }));
    await ok(vipCustomer.session.post(`/api/tickets/${ticket.id}/comments`, { body: 'The one on floor 2', visibility: 'public' }), 201);
    await eventually(async () => ((await ok(admin.get(`/api/tickets/${ticket.id}`))).tags.includes('answered') ? true : undefined));
    const after = await timeline(ticket.id);
    expect(after.filter((e) => e.type === 'rule_applied' && e.data.rule.id === replied.id)).toHaveLength(1);
    expect(after.filter((e) => e.type === 'commented' && e.data.byRule?.id === replied.id).map((e) => e.data.body)).toEqual(['The customer answered: back to the queue.']);
    // Internal: the customer sees neither the rule's note nor that a rule ran.
    const seen = (await ok(vipCustomer.session.get(`/api/tickets/${ticket.id}/timeline`))).items as Array<{ type: string; data: Record<string, any> }>;
    expect(seen.some((e) => e.type === 'rule_applied' || e.data.body === 'The customer answered: back to the queue.')).toBe(false);
  });

  it('should refuse a broken rule at its element and save nothing', async () => {
    const before = (await ok(admin.get('/api/rules'))).items.length;
    const bad = async (rule: Record<string, unknown>, pointer: string, status = 422) => {
      const res = await admin.post('/api/rules', { name: unique('Bad'), when: { event: 'created' }, then: [{ action: 'add_tags', tags: ['x'] }], ...rule });
      expect(res.status).toBe(status);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    };
    await bad({ then: [{ action: 'set_field', field: 'deleted_field', value: 'x' }] }, '/then/0/field');
    await bad({ then: [{ action: 'set_field', field: 'category', value: 'teapot' }] }, '/then/0/value');
    await bad({ then: [{ action: 'apply_macro', macroId: '00000000-0000-4000-8000-000000000000' }] }, '/then/0/macroId');
    await bad({ then: [{ action: 'set_queue', queue: 'nowhere' }] }, '/then/0/queue');
    await bad({ then: [{ action: 'transition', transition: 'teleport' }] }, '/then/0/transition');
    await bad({ when: { event: 'state_entered', state: 'limbo' } }, '/when/state');
    await bad({ when: { event: 'created', minutes: 5 } }, '/when/minutes');
    await bad({ when: { event: 'idle' } }, '/when/minutes');
    await bad({ if: [{ subject: 'priority', op: 'within' }] }, '/if/0/op');
    await bad({ if: [{ subject: 'time', op: 'within', timeZone: 'Mars/Olympus', from: '09:00', to: '17:00' }] }, '/if/0/timeZone');
    await bad({ if: [{ subject: 'queue', op: 'in', value: [] }] }, '/if/0/value');
    // The shape itself: the action's own properties, named by the discriminator's branch.
    await bad({ then: [{ action: 'set_priority', priority: 'urgent' }] }, '/then/0/priority', 400);
    await bad({ then: [{ action: 'assign' }] }, '/then/0/assigneeId', 400);
    expect((await ok(admin.get('/api/rules'))).items).toHaveLength(before);

    // A change that breaks a saved rule is refused the same way and leaves it as it was.
    const rule = await ok(admin.post('/api/rules', { name: unique('Fine'), when: { event: 'created' }, then: [{ action: 'add_tags', tags: ['fine'] }] }), 201);
    const refused = await admin.request('PATCH', `/api/rules/${rule.id}`, { then: [{ action: 'set_field', field: 'gone', value: 1 }] });
    expect(refused).toMatchObject({ status: 422, body: { errors: [{ pointer: '/then/0/field' }] } });
    expect(await ok(admin.get(`/api/rules/${rule.id}`))).toMatchObject({ version: 1, then: [{ action: 'add_tags', tags: ['fine'] }] });
    expect((await admin.post('/api/rules', { name: rule.name, when: { event: 'created' }, then: [{ action: 'add_tags', tags: ['x'] }] })).status).toBe(409);
  });

  it('should keep every change as a version, in the audit log too, and move rules in the order', async () => {
    const a = await ok(admin.post('/api/rules', { name: unique('First'), when: { event: 'created' }, then: [{ action: 'add_tags', tags: ['a'] }] }), 201);
    const b = await ok(admin.post('/api/rules', { name: unique('Second'), when: { event: 'created' }, then: [{ action: 'add_tags', tags: ['b'] }] }), 201);
    const changed = await ok(admin.request('PATCH', `/api/rules/${b.id}`, { position: a.position, then: [{ action: 'add_tags', tags: ['b', 'c'] }] }));
    expect(changed).toMatchObject({ version: 2, position: a.position });
    expect((await ok(admin.get(`/api/rules/${a.id}`))).position).toBe(a.position + 1);
    const versions = (await ok(admin.get(`/api/rules/${b.id}/versions`))).items;
    expect(versions.map((v: { version: number; change: string }) => [v.version, v.change])).toEqual([[2, 'updated'], [1, 'created']]);
    expect(versions[0]).toMatchObject({ changedBy: { name: expect.any(String) }, rule: { then: [{ action: 'add_tags', tags: ['b', 'c'] }] } });
    expect(versions[1].rule.then).toEqual([{ action: 'add_tags', tags: ['b'] }]);
    const audit = await ok(admin.get(`/api/audit?entity=automation_rule&entityId=${b.id}`));
    const changes = audit.items.flatMap((e: { detail?: { changes?: Array<{ path: string; before: unknown; after: unknown }> } }) => e.detail?.changes ?? []);
    expect(changes).toEqual(expect.arrayContaining([{ path: '/then/0/tags/1', before: null, after: 'c' }]));
    expect((await admin.request('DELETE', `/api/rules/${b.id}`)).status).toBe(204);
    expect((await ok(admin.get(`/api/rules/${b.id}/versions`))).items[0]).toMatchObject({ version: 3, change: 'deleted' });
    expect((await admin.get(`/api/rules/${b.id}`)).status).toBe(404);
  });

  it('should tell open tickets when an idle rule is added, so quiet ones arm it at once', async () => {
    const customer = await person('customer', 'Quinn');
    const quiet = await ok(customer.session.post('/api/tickets', { type: 'incident', title: unique('Quiet one'), priority: 'low' }), 201);
    await eventually(async () => ((await timeline(quiet.id)).length ? true : undefined));
    const rule = await ok(admin.post('/api/rules', { name: unique('Nudge quiet tickets'), enabled: true, when: { event: 'idle', minutes: 240 }, then: [{ action: 'add_tags', tags: ['nudged'] }] }), 201);
    const versions = (await ok(admin.get(`/api/rules/${rule.id}/versions`))).items;
    expect(versions).toHaveLength(1);
    const client = new Client({ connection: temporal });
    // The broadcast runs once per rule-set generation, which its id carries: found through visibility, which may lag the start.
    const ids = await eventually(async () => {
      const found: string[] = [];
      for await (const w of client.workflow.list({ query: `WorkflowType = 'rulesBroadcastWorkflow' AND TaskQueue = '${TASK_QUEUE}'` })) found.push(w.workflowId);
      return found.length ? found : undefined;
    });
    expect(ids).toHaveLength(1);
    const told = await client.workflow.getHandle(ids[0]!).result();
    expect(told.told).toBeGreaterThanOrEqual(1);
    // The quiet ticket heard it and asked for the idle rules (a local activity, recorded in its history).
    const history = await client.workflow.getHandle(`ticket-${quiet.id}`).fetchHistory();
    const signalled = history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'rulesChanged');
    expect(signalled).toHaveLength(1);
  });

  it('should dry-run a rule over the last days of real events, listing what it would have changed, changing nothing', async () => {
    const customer = await person('customer', 'Dora');
    const agent = await person('agent', 'Dan');
    const urgent = await ok(customer.session.post('/api/tickets', { type: 'incident', title: unique('Server down'), priority: 'low' }), 201);
    const calm = await ok(customer.session.post('/api/tickets', { type: 'incident', title: unique('New mouse'), priority: 'low' }), 201);
    // Raised to critical, then lowered again: the dry run judges the ticket as it stood right after each event.
    await ok(agent.session.request('PATCH', `/api/tickets/${urgent.id}`, { priority: 'critical' }));
    await ok(agent.session.request('PATCH', `/api/tickets/${urgent.id}`, { priority: 'medium' }));
    await eventually(async () => ((await ok(admin.get(`/api/tickets/${urgent.id}`))).priority === 'medium' ? true : undefined));
    const rule = {
      name: unique('Critical goes to ops'),
      when: { event: 'field_changed', field: 'priority' },
      if: [{ subject: 'priority', op: 'is', value: 'critical' }],
      then: [{ action: 'add_tags', tags: ['ops'] }, { action: 'comment', body: 'Paged ops.', visibility: 'internal' }],
    };
    const run = await ok(admin.post('/api/rules/dry-run', { rule, days: 30 }));
    expect(run.events).toBeGreaterThan(0);
    const mine = run.matches.filter((m: { ticketId: string }) => m.ticketId === urgent.id || m.ticketId === calm.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ ticketId: urgent.id, number: urgent.number, trigger: { type: 'priority_changed' }, changes: [{ action: 'add_tags', tags: ['ops'] }, { action: 'comment', body: 'Paged ops.' }] });
    // Nothing changed on the ticket, and no rule was saved.
    expect((await ok(admin.get(`/api/tickets/${urgent.id}`))).tags).toEqual([]);
    expect((await ok(admin.get('/api/rules'))).items.some((r: { name: string }) => r.name === rule.name)).toBe(false);
    // A dry run of a broken rule is refused like saving it.
    expect((await admin.post('/api/rules/dry-run', { rule: { ...rule, then: [{ action: 'set_field', field: 'nope', value: 1 }] } })).status).toBe(422);
  });
});
