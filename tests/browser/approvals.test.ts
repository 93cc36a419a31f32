// Approvals in Chromium, on a desk of their own (it changes the service request definition and reads mail): the designer
// shows a state's approval; a two-approver "all" approval is completed by one approver in the console (English) and the
// other from the link mailed to them (French, without signing in); a rejection from the ticket page ends the request.
import type { Page } from 'playwright-core';
import { violations } from '../support/axe';
import { loginUi, shot, useBrowser, type Locale } from '../support/browser';
import { Session, eventually, unique } from '../support/http';
import { startPluginDesk, type Desk } from '../support/desk';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture';

const PASSWORD = 'a-long-password-for-approvals';
let desk: Desk;
let smtp: SmtpCapture;
let admin: Session;
const browser = useBrowser();

beforeAll(async () => {
  smtp = await startSmtpCapture();
  // A database of its own: this test publishes a service request definition no other suite expects.
  ({ desk, admin } = await startPluginDesk('approvals_ui', [], { SMTP_URL: smtp.url, MAIL_FROM: 'Guichet <support@desk.test>', MAIL_POLL_INTERVAL_MS: '300' }));
}, 120_000);

afterAll(async () => {
  await desk?.stop();
  await smtp?.stop();
});

async function openPage(locale: Locale): Promise<Page> {
  return (await browser.openPage(locale, { baseURL: desk.url })).page;
}

async function person(role: 'agent' | 'customer' | 'admin', name: string, locale: Locale = 'en') {
  const email = `${unique(name.toLowerCase())}@example.test`;
  const made = await admin.post('/api/users', { email, name, role, password: PASSWORD, locale });
  if (made.status !== 201) throw new Error(JSON.stringify(made.body));
  return { id: made.body.id as string, email, session: await Session.login(email, PASSWORD, desk.url) };
}

const login = (page: Page, email: string): Promise<void> => loginUi(page, email, PASSWORD);

async function requestFor(customer: Session, agent: Session, title: string) {
  const t = (await customer.post('/api/tickets', { type: 'service_request', title, priority: 'medium', fields: { item: 'Laptop' } })).body;
  await agent.post(`/api/tickets/${t.id}/transitions`, { transition: 'request_approval' });
  await eventually(async () => (await admin.get(`/api/tickets/${t.id}/approvals`)).body.items[0]);
  return t as { id: string; number: string };
}

it('should complete an all-approvers approval from the console and a mailed link, and end a request rejected on its page', async () => {
  const anne = await person('agent', 'Anne');
  const bruno = await person('agent', 'Bruno', 'fr');
  const agent = await person('agent', 'Agent');
  const carla = await person('customer', 'Carla');
  const designerAdmin = await person('admin', 'Ada');

  const versions = (await admin.get('/api/definitions/service_request/versions')).body.items;
  const { version: _v, status: _s, ...def } = (await admin.get(`/api/definitions/service_request/versions/${versions.at(-1).version}`)).body;
  for (const t of def.transitions) if ((t.name === 'approve' || t.name === 'reject') && !t.roles.includes('system')) t.roles.push('system');
  def.states.find((s: { name: string }) => s.name === 'awaiting_approval').approval = {
    approvers: { users: [anne.email, bruno.email] },
    policy: 'all',
    approved: { transition: 'approve', commentField: 'approval_note' },
    rejected: { transition: 'reject', commentField: 'rejection_reason' },
    timeoutMinutes: 2880,
    remindBeforeMinutes: 480,
  };
  expect((await admin.request('PUT', '/api/definitions/service_request/draft', def)).status).toBe(200);
  expect((await admin.post('/api/definitions/service_request/publish')).status).toBe(200);

  // The designer shows the state's approval as published.
  const designer = await openPage('en');
  await login(designer, designerAdmin.email);
  await designer.goto('/admin/definitions/service_request');
  await designer.getByTestId('state-node-awaiting_approval').click();
  await designer.getByTestId('approval-editor').waitFor();
  expect(await designer.getByTestId('approval-users').inputValue()).toBe(`${anne.email}\n${bruno.email}`);
  await designer.getByTestId('designer-valid').waitFor();
  await shot(designer, 'approval-designer-en');

  const first = await requestFor(carla.session, agent.session, unique('Laptop for Carla'));

  // Anne approves from her list in the console.
  const anneTab = await openPage('en');
  await login(anneTab, anne.email);
  await anneTab.getByTestId('nav-approvals').click();
  const card = anneTab.getByTestId('approval-card').filter({ hasText: first.number });
  await card.waitFor();
  expect(await card.textContent()).toContain('Every approver must approve (0 of 2 so far)');
  await shot(anneTab, 'approvals-list-en');
  expect(await violations(anneTab)).toEqual([]);
  await card.getByTestId('approval-comment').fill('Within budget');
  await card.getByTestId('approve').click();
  await card.waitFor({ state: 'detached' });

  // Bruno decides from the mail, in French, without signing in.
  const mail = await smtp.waitFor((m) => m.to.includes(bruno.email) && m.subject.includes(first.number));
  const link = /https?:\/\/[^\s]+\/approve\/[A-Za-z0-9_.-]+/.exec(mail.text)![0];
  const brunoTab = await openPage('fr');
  await brunoTab.goto(new URL(link).pathname);
  const linked = brunoTab.getByTestId('approval-card');
  await linked.waitFor();
  expect(await linked.textContent()).toContain('Chaque approbateur doit approuver (1 sur 2 pour l’instant)');
  await shot(brunoTab, 'approval-link-fr');
  expect(await violations(brunoTab)).toEqual([]);
  await linked.getByTestId('approve').click();
  await brunoTab.getByTestId('link-done').waitFor();
  await brunoTab.getByTestId('approval-status').filter({ hasText: 'Approuvée' }).waitFor();
  expect((await admin.get(`/api/tickets/${first.id}`)).body).toMatchObject({ state: 'in_fulfilment', fields: { approval_note: 'Within budget' } });

  // A second request: Anne rejects it from the ticket page, where a rejection asks for a reason first.
  const second = await requestFor(carla.session, agent.session, unique('Second laptop'));
  await anneTab.goto(`/tickets/${second.id}`);
  const panel = anneTab.getByTestId('approval-card');
  await panel.waitFor();
  await panel.getByTestId('reject').click();
  await panel.locator('small.error').waitFor();
  await panel.getByTestId('approval-comment').fill('One laptop is enough');
  await panel.getByTestId('reject').click();
  await panel.getByTestId('approval-status').filter({ hasText: 'Rejected' }).waitFor();
  await anneTab.getByTestId('ticket-state').and(anneTab.locator('[data-state="rejected"]')).waitFor();
  await shot(anneTab, 'approval-rejected-ticket-en');
  expect(await violations(anneTab)).toEqual([]);
  expect((await admin.get(`/api/tickets/${second.id}`)).body).toMatchObject({ state: 'rejected', fields: { rejection_reason: 'One laptop is enough' } });
}, 180_000);
