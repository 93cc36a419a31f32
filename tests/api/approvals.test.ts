// Approvals against the real desk (PostgreSQL, the Temporal dev server, a worker, an SMTP receiver): a service request
// that needs two approvers ("all") is approved by one in the console and by the other through the signed link mailed to
// them; a manager's rejection ends another request; and every refusal is clear: a stranger, a second decision, a closed
// round, a forged or altered link, an approver who has lost the right, a rejection without a reason.
import { ADMIN, Session, eventually, unique, ok } from '../support/http';
import { freshDatabaseUrl, startDesk, type Desk } from '../support/desk';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture';

let desk: Desk;
let smtp: SmtpCapture;
let admin: Session;
const PASSWORD = 'a-long-password-1';

async function person(role: 'agent' | 'customer', name: string, extra: Record<string, unknown> = {}) {
  const email = `${unique(name.toLowerCase())}@example.test`;
  const made = await ok(admin.post('/api/users', { email, name, role, password: PASSWORD, ...extra }), 201);
  return { id: made.id as string, email, session: await Session.login(email, PASSWORD, desk.url) };
}

/** Publishes the service request definition with its approval state asking `approvers` under `policy`. */
async function requireApproval(approval: Record<string, unknown>) {
  const versions = (await ok(admin.get('/api/definitions/service_request/versions'))).items.filter((v: { status: string }) => v.status === 'published');
  const { version: _v, status: _s, ...def } = await ok(admin.get(`/api/definitions/service_request/versions/${versions.at(-1).version}`));
  for (const t of def.transitions) if ((t.name === 'approve' || t.name === 'reject') && !t.roles.includes('system')) t.roles.push('system');
  const state = def.states.find((s: { name: string }) => s.name === 'awaiting_approval');
  state.approval = { approved: { transition: 'approve', commentField: 'approval_note' }, rejected: { transition: 'reject', commentField: 'rejection_reason' }, ...approval };
  await ok(admin.request('PUT', '/api/definitions/service_request/draft', def));
  await ok(admin.post('/api/definitions/service_request/publish'));
}

/** A customer's request, sent for approval by an agent; answers once the round has found its approvers. */
async function requestFor(customer: Session, agent: Session, title: string) {
  const t = await ok(customer.post('/api/tickets', { type: 'service_request', title, priority: 'medium', fields: { item: 'Laptop' } }), 201);
  await ok(agent.post(`/api/tickets/${t.id}/transitions`, { transition: 'request_approval' }));
  const round = await eventually(async () => (await ok(admin.get(`/api/tickets/${t.id}/approvals`))).items[0]);
  return { id: t.id as string, number: t.number as string, round };
}

const linkIn = (text: string) => /\/approve\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(text)?.[1];

beforeAll(async () => {
  smtp = await startSmtpCapture();
  // A database of its own: these tests publish service request definitions no other suite expects.
  desk = await startDesk({ taskQueue: unique('guichet-approvals'), env: { DATABASE_URL: await freshDatabaseUrl('approvals'), SMTP_URL: smtp.url, MAIL_FROM: 'Guichet <support@desk.test>', MAIL_POLL_INTERVAL_MS: '300' } });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
});

afterAll(async () => {
  await desk?.stop();
  await smtp?.stop();
});

describe('Approvals', () => {
  it('should approve a request once both approvers have, one in the console and one through the mailed link, and refuse every other decision', async () => {
    const anne = await person('agent', 'Anne');
    const bruno = await person('agent', 'Bruno', { locale: 'fr' });
    const stranger = await person('agent', 'Stranger');
    const carla = await person('customer', 'Carla');
    await requireApproval({ approvers: { users: [anne.email, bruno.email] }, policy: 'all' });

    const req = await requestFor(carla.session, stranger.session, unique('Laptop for Carla'));
    expect(req.round).toMatchObject({ status: 'open', policy: 'all', needed: 2, approvers: expect.arrayContaining([expect.objectContaining({ id: anne.id, decision: null })]) });

    // Anne sees it in her list, with the request's words; a stranger is told they are not an approver.
    const mine = await ok(anne.session.get('/api/approvals'));
    expect(mine.items.map((a: { ticket: { id: string } }) => a.ticket.id)).toContain(req.id);
    const path = `/api/tickets/${req.id}/approvals/${req.round.round}/decision`;
    const refused = await stranger.session.post(path, { decision: 'approve' });
    expect(refused).toMatchObject({ status: 403, body: { type: expect.stringMatching(/\/not-an-approver$/) } });
    expect(await anne.session.post(path, { decision: 'reject' })).toMatchObject({ status: 422, body: { type: expect.stringMatching(/\/comment-required$/), errors: [{ pointer: '/comment' }] } });

    const afterAnne = await ok(anne.session.post(path, { decision: 'approve', comment: 'Within budget' }));
    expect(afterAnne).toMatchObject({ status: 'open', myDecision: 'approve', canDecide: false });
    expect(await anne.session.post(path, { decision: 'approve' })).toMatchObject({ status: 409, body: { type: expect.stringMatching(/\/already-decided$/) } });

    // Bruno decides from his mail, in French, through a link only he holds; altered or forged links are refused.
    const mail = await smtp.waitFor((m) => m.to.includes(bruno.email) && m.subject.includes(req.number));
    expect(mail.subject).toContain('Votre approbation est demandée');
    const token = linkIn(mail.text)!;
    expect(token).toBeDefined();
    const anonymous = new Session(desk.url);
    const [payload, signature] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify([req.id, req.round.round, anne.id, 9999999999])).toString('base64url')}.${signature}`;
    expect(await anonymous.get(`/api/approval-links/${forged}`)).toMatchObject({ status: 403, body: { type: expect.stringMatching(/\/invalid-link$/) } });
    expect(await anonymous.post(`/api/approval-links/${payload}.${'A'.repeat(signature!.length)}`, { decision: 'approve' })).toMatchObject({ status: 403, body: { type: expect.stringMatching(/\/invalid-link$/) } });
    const shown = await ok(anonymous.get(`/api/approval-links/${token}`));
    expect(shown).toMatchObject({ approver: 'Bruno', approval: { ticket: { id: req.id }, canDecide: true } });
    const decided = await ok(anonymous.post(`/api/approval-links/${token}`, { decision: 'approve' }));
    expect(decided.approval).toMatchObject({ status: 'approved', closedBy: 'decisions' });
    // The link counted once: the round is closed now.
    expect(await anonymous.post(`/api/approval-links/${token}`, { decision: 'reject', comment: 'again' })).toMatchObject({ status: 409, body: { type: expect.stringMatching(/\/approval-closed$/) } });

    const ticket = await ok(admin.get(`/api/tickets/${req.id}`));
    expect(ticket).toMatchObject({ state: 'in_fulfilment', fields: { approval_note: 'Within budget' } });
    const timeline = (await ok(admin.get(`/api/tickets/${req.id}/timeline`))).items.map((e: { type: string; data: Record<string, unknown> }) => [e.type, e.data.decision ?? e.data.outcome ?? e.data.transition ?? null, e.data.via ?? null]);
    expect(timeline.filter((e: unknown[]) => String(e[0]).startsWith('approval_') || e[0] === 'transitioned')).toEqual([
      ['transitioned', 'request_approval', null],
      ['approval_requested', null, null],
      ['approval_decided', 'approve', 'console'],
      ['approval_decided', 'approve', 'email'],
      ['approval_closed', 'approved', null],
      ['transitioned', 'approve', null],
    ]);
    // Both decisions are in the audit log, the link's as made by Bruno through it.
    const audit = await ok(admin.get(`/api/audit?action=approval.decide`));
    const entries = audit.items.filter((a: { target: string }) => a.target === `${req.number}#${req.round.round}`);
    expect(entries.map((a: { actorId: string; via: string | null; detail: { via: string } }) => [a.actorId, a.detail.via])).toEqual(
      expect.arrayContaining([
        [anne.id, 'console'],
        [bruno.id, 'email'],
      ]),
    );
  });

  it("should end a request its requester's manager rejects, and refuse a manager replaced meanwhile", async () => {
    const agent = await person('agent', 'Agent');
    const mia = await person('customer', 'Mia');
    const max = await person('customer', 'Max');
    const carla = await person('customer', 'Carla');
    const dan = await person('customer', 'Dan');
    // Managers are checked: nobody manages themselves, and no chain loops.
    expect(await admin.request('PATCH', `/api/users/${mia.id}`, { managerId: mia.id })).toMatchObject({ status: 422, body: { errors: [{ pointer: '/managerId' }] } });
    await ok(admin.request('PATCH', `/api/users/${carla.id}`, { managerId: mia.id }));
    await ok(admin.request('PATCH', `/api/users/${dan.id}`, { managerId: mia.id }));
    await ok(admin.request('PATCH', `/api/users/${mia.id}`, { managerId: max.id }));
    expect(await admin.request('PATCH', `/api/users/${max.id}`, { managerId: carla.id })).toMatchObject({ status: 422, body: { type: expect.stringMatching(/\/invalid-manager$/) } });
    await requireApproval({ approvers: { manager: true }, policy: 'any' });

    const rejected = await requestFor(carla.session, agent.session, unique('Second screen'));
    expect(rejected.round.approvers.map((a: { id: string }) => a.id)).toEqual([mia.id]);
    // Mia does not see Carla's tickets, but she sees what she is asked to approve, in the portal.
    expect((await mia.session.get(`/api/tickets/${rejected.id}`)).status).toBe(404);
    expect((await ok(mia.session.get(`/api/tickets/${rejected.id}/approvals`))).items[0]).toMatchObject({ canDecide: true, ticket: { title: expect.stringContaining('Second screen') } });
    const after = await ok(mia.session.post(`/api/tickets/${rejected.id}/approvals/${rejected.round.round}/decision`, { decision: 'reject', comment: 'We have spare screens' }));
    expect(after).toMatchObject({ status: 'rejected', approvers: [{ id: mia.id, decision: 'reject', via: 'portal', comment: 'We have spare screens' }] });
    expect(await ok(admin.get(`/api/tickets/${rejected.id}`))).toMatchObject({ state: 'rejected', fields: { rejection_reason: 'We have spare screens' } });

    // Dan's manager changes after the round asked Mia: Mia has lost the right to decide it.
    const moved = await requestFor(dan.session, agent.session, unique('Headset'));
    await ok(admin.request('PATCH', `/api/users/${dan.id}`, { managerId: max.id }));
    const lost = await mia.session.post(`/api/tickets/${moved.id}/approvals/${moved.round.round}/decision`, { decision: 'approve' });
    expect(lost).toMatchObject({ status: 403, body: { type: expect.stringMatching(/\/approver-lost-right$/) } });
    expect(await ok(admin.get(`/api/tickets/${moved.id}`))).toMatchObject({ state: 'awaiting_approval' });

    // An agent may still decide the request by hand: the round closes as withdrawn, and no approver can decide it after.
    await ok(agent.session.post(`/api/tickets/${moved.id}/transitions`, { transition: 'reject', fields: { rejection_reason: 'Ordered elsewhere' } }));
    const closed = await eventually(async () => {
      const r = (await ok(admin.get(`/api/tickets/${moved.id}/approvals`))).items[0];
      return r.status === 'open' ? undefined : r;
    });
    expect(closed).toMatchObject({ status: 'withdrawn', closedBy: 'left_state' });

    // Erasing Mia removes her words: her remark leaves the round and the timeline; the decision itself stays.
    await ok(admin.post(`/api/users/${mia.id}/erase`, { confirm: mia.email }));
    const scrubbed = (await ok(admin.get(`/api/tickets/${rejected.id}/approvals`))).items[0];
    expect(scrubbed.approvers).toEqual([expect.objectContaining({ id: mia.id, decision: 'reject', comment: null })]);
    const decision = (await ok(admin.get(`/api/tickets/${rejected.id}/timeline`))).items.find((e: { type: string }) => e.type === 'approval_decided');
    expect(decision.data).toEqual({ round: rejected.round.round, decision: 'reject', via: 'portal' });
  });

  it("should ask a group's active members, and nobody the group has lost or the desk has disabled", async () => {
    const [ines, jules, kim] = [await person('agent', 'Ines'), await person('agent', 'Jules'), await person('agent', 'Kim')];
    const leo = await person('customer', 'Leo');
    const group = unique('approvers').replace(/[^a-z0-9_]/g, '_');
    await ok(admin.post('/api/groups', { key: group, name: group }), 201);
    await ok(admin.request('PUT', `/api/groups/${group}/members`, { userIds: [ines.id, jules.id, kim.id] }));
    await ok(admin.request('PATCH', `/api/users/${kim.id}`, { disabled: true }));
    await requireApproval({ approvers: { group }, policy: 'any' });
    const req = await requestFor(leo.session, ines.session, unique('Monitor for Leo'));
    expect(req.round.approvers.map((a: { id: string }) => a.id).sort()).toEqual([ines.id, jules.id].sort());
    const decided = await ok(jules.session.post(`/api/tickets/${req.id}/approvals/${req.round.round}/decision`, { decision: 'approve' }));
    expect(decided).toMatchObject({ myDecision: 'approve' });
  });
});
