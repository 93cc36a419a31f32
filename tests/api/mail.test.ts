// Email end to end on real SMTP servers: mail in opens and feeds tickets, notifications go out per language, preference and template, loops die out.
import nodemailer, { type SendMailOptions } from 'nodemailer';
import pg from 'pg';
import { ADMIN, eventually, Session, unique } from '../support/http';
import { startDesk, type Desk } from '../support/desk';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture';

let desk: Desk;
let smtp: SmtpCapture;
let admin: Session;
let agent: Session;
let agentEmail: string;

const PASSWORD = 'a-long-password-1';

beforeAll(async () => {
  smtp = await startSmtpCapture();
  desk = await startDesk({
    taskQueue: unique('guichet-mail'),
    env: {
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Guichet Desk <support@desk.test>',
      MAIL_DIGEST_INTERVAL_SECONDS: '4',
      MAIL_POLL_INTERVAL_MS: '500',
      MAIL_INBOUND_PER_SENDER_PER_HOUR: '20',
    },
  });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  agentEmail = `${unique('agent')}@example.test`;
  await admin.post('/api/users', { email: agentEmail, name: 'Alex Agent', role: 'agent', password: PASSWORD });
  agent = await Session.login(agentEmail, PASSWORD, desk.url);
});

afterAll(async () => {
  await desk?.stop();
  await smtp?.stop();
});

async function customer(locale: 'en' | 'fr' = 'en'): Promise<{ email: string; session: Session; id: string }> {
  const email = `${unique('customer')}@example.test`;
  const res = await admin.post('/api/users', { email, name: locale === 'fr' ? 'Camille' : 'Casey', role: 'customer', password: PASSWORD, locale });
  return { email, session: await Session.login(email, PASSWORD, desk.url), id: res.body.id };
}

/** Sends a message into the desk's SMTP endpoint as an ordinary mail client would. */
async function sendToDesk(mail: SendMailOptions): Promise<void> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: desk.mailPort, secure: false, ignoreTLS: true });
  try {
    await t.sendMail({ to: 'support@desk.test', ...mail });
  } finally {
    t.close();
  }
}

async function timeline(s: Session, id: string): Promise<Array<{ seq: number; type: string; visibility: string; data: Record<string, unknown>; actor: { id: string } }>> {
  return (await s.get(`/api/tickets/${id}/timeline`)).body.items;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('should open a ticket from an email, acknowledge it in French, thread the reply as a public comment and not answer an out-of-office', async () => {
  const c = await customer('fr');
  const tag = unique('printer');
  await sendToDesk({ from: `Camille <${c.email}>`, subject: `Imprimante ${tag} en panne`, text: 'Elle affiche E-502.', attachments: [{ filename: 'photo.png', content: Buffer.from('89504e470d0a1a0a', 'hex'), contentType: 'image/png' }] });

  const ticket = await eventually(async () => (await c.session.get(`/api/tickets?q=${tag}`)).body.items[0] as { id: string; number: string; title: string } | undefined);
  expect(ticket.title).toBe(`Imprimante ${tag} en panne`);
  const attachments = await c.session.get(`/api/tickets/${ticket.id}/attachments`);
  expect(attachments.body.items.map((a: { filename: string }) => a.filename)).toEqual(['photo.png']);

  const ack = await smtp.waitFor((m) => m.to.includes(c.email) && m.subject.includes(ticket.number));
  expect(ack.subject).toContain('Nous avons reçu votre demande');
  expect(ack.header('auto-submitted')).toBe('auto-generated');
  const replyTo = ack.parsed.replyTo!.value[0].address!;
  expect(replyTo).toMatch(/^support\+[a-z2-7]{20}@desk\.test$/);

  // The customer answers the acknowledgement from their mail client: new text above, the quote below.
  await sendToDesk({
    from: c.email,
    to: replyTo,
    subject: `Re: ${ack.subject}`,
    inReplyTo: ack.parsed.messageId,
    references: [ack.parsed.messageId!],
    text: `Elle marche de nouveau après redémarrage.\n\nLe mar. 24 nov. 2026 à 10:00, Guichet Desk <support@desk.test> a écrit :\n> ${ack.text.split('\n').join('\n> ')}`,
  });
  const comment = await eventually(async () => (await timeline(c.session, ticket.id)).find((e) => e.type === 'commented'));
  expect(comment.visibility).toBe('public');
  expect(comment.actor.id).toBe(c.id);
  expect(comment.data.body).toBe('Elle marche de nouveau après redémarrage.');

  // An out-of-office answering the acknowledgement: no ticket, no comment, no mail back.
  const before = smtp.to(c.email).length;
  const events = (await timeline(c.session, ticket.id)).length;
  await sendToDesk({
    from: c.email,
    to: replyTo,
    subject: `Absence : ${ack.subject}`,
    inReplyTo: ack.parsed.messageId,
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' },
    text: 'Je suis absente jusqu’au 2 décembre.',
  });
  await sendToDesk({ from: c.email, subject: `Vacances ${tag}`, headers: { Precedence: 'auto_reply' }, text: 'Absente.' });
  await sendToDesk({ from: c.email, subject: `Liste ${tag}`, headers: { 'List-Id': '<news.example.test>' }, text: 'Newsletter.' });
  await sendToDesk({ from: 'support@desk.test', subject: `Boucle ${tag}`, text: 'From ourselves.' });
  await settle(2500);
  expect((await timeline(c.session, ticket.id)).length).toBe(events);
  expect((await c.session.get(`/api/tickets?q=${tag}`)).body.items).toHaveLength(1);
  expect(smtp.to(c.email).length).toBe(before);
});

it('should ignore mail from unknown senders when the desk does not create accounts', async () => {
  const tag = unique('stranger');
  await sendToDesk({ from: `${tag}@nowhere.test`, subject: `Hello ${tag}`, text: 'Who am I?' });
  await settle(1500);
  expect((await admin.get(`/api/tickets?q=${tag}`)).body.items).toHaveLength(0);
  expect(smtp.messages.some((m) => m.to.includes(`${tag}@nowhere.test`))).toBe(false);
});

it('should drop a sender\'s mail beyond the hourly cap, automatic messages included', async () => {
  const c = await customer('en');
  const tag = unique('flood');
  for (let i = 0; i < 20; i++) await sendToDesk({ from: c.email, subject: `bulk ${i}`, headers: { Precedence: 'bulk' }, text: 'news' });
  await sendToDesk({ from: c.email, subject: `Real question ${tag}`, text: 'Does this get through?' });
  // sendMail returns once the desk has handled the message, so its log row is already there.
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    const { rows } = await db.query<{ outcome: string; n: string }>('select outcome, count(*) as n from mail_inbound where sender = $1 group by outcome order by outcome', [c.email]);
    expect(rows.map((r) => [r.outcome, Number(r.n)])).toEqual([['automatic', 20], ['rate_limited', 1]]);
  } finally {
    await db.end();
  }
  expect((await c.session.get(`/api/tickets?q=${tag}`)).body.items).toHaveLength(0);
});

it('should mail the requester a public comment but never an internal note', async () => {
  const c = await customer('en');
  const t = await c.session.post('/api/tickets', { type: 'incident', title: unique('vpn'), priority: 'low' });
  await smtp.waitFor((m) => m.to.includes(c.email) && m.subject.includes(t.body.number));
  const internal = unique('secret-note');
  const publicText = unique('public-answer');
  await agent.post(`/api/tickets/${t.body.id}/comments`, { body: internal, visibility: 'internal' });
  await agent.post(`/api/tickets/${t.body.id}/comments`, { body: publicText, visibility: 'public' });
  const mail = await smtp.waitFor((m) => m.to.includes(c.email) && m.text.includes(publicText));
  expect(mail.subject).toBe(`[${t.body.number}] New reply: ${t.body.title}`);
  expect(mail.text).toContain('Alex Agent wrote');
  expect(mail.header('references')).toContain(`ticket-${t.body.id}@desk.test`);
  await settle(1500);
  expect(smtp.messages.some((m) => m.text.includes(internal))).toBe(false);
});

it('should not mail a kind the user turned off, and mail state changes otherwise', async () => {
  const c = await customer('en');
  const prefs = await c.session.request('PUT', '/api/me/notifications', { kinds: { comment: 'off' } });
  expect(prefs.status).toBe(200);
  expect(prefs.body.kinds).toMatchObject({ comment: 'off', state_change: 'immediate', ticket_created: 'immediate' });
  expect((await c.session.request('PUT', '/api/me/notifications', { kinds: { comment: 'digest' } })).status).toBe(422);
  // A second change replaces a kind's mode and keeps the others; the locale comes along.
  const again = await c.session.request('PUT', '/api/me/notifications', { locale: 'fr', kinds: { state_change: 'off' } });
  expect(again.body).toMatchObject({ locale: 'fr', kinds: { comment: 'off', state_change: 'off' } });
  expect((await c.session.request('PUT', '/api/me/notifications', { locale: 'en', kinds: { state_change: 'immediate' } })).body).toMatchObject({ locale: 'en', kinds: { comment: 'off', state_change: 'immediate' } });
  const t = await c.session.post('/api/tickets', { type: 'incident', title: unique('quiet'), priority: 'low' });
  const text = unique('unheard');
  await agent.post(`/api/tickets/${t.body.id}/comments`, { body: text, visibility: 'public' });
  await agent.post(`/api/tickets/${t.body.id}/transitions`, { transition: 'start' });
  await smtp.waitFor((m) => m.to.includes(c.email) && m.subject.startsWith(`[${t.body.number}] Now`));
  expect(smtp.messages.some((m) => m.text.includes(text))).toBe(false);
});

it('should use the template an admin edited, and refuse unknown placeholders', async () => {
  const bad = await admin.request('PUT', '/api/mail/templates/ticket_created/en', { subject: '{{ticket.secret}}', body: 'x' });
  expect(bad.status).toBe(422);
  const preview = await admin.post('/api/mail/templates/ticket_created/en/preview', { subject: 'Got {{ticket.number}}', body: '<b>{{ticket.title}}</b>' });
  expect(preview.body.subject).toBe('Got INC-000042');
  expect(preview.body.html).toContain('&lt;b&gt;Printer down');
  const saved = await admin.request('PUT', '/api/mail/templates/ticket_created/en', { subject: 'Custom ack {{ticket.number}}', body: 'Thanks {{recipient.name}}, ticket {{ticket.number}} is open.' });
  expect(saved.status).toBe(200);
  expect(saved.body.customised).toBe(true);
  const resaved = await admin.request('PUT', '/api/mail/templates/ticket_created/en', { subject: saved.body.subject, body: saved.body.body });
  expect(resaved.body).toMatchObject({ subject: saved.body.subject, customised: true });
  expect(Date.parse(resaved.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(saved.body.updatedAt));
  try {
    const c = await customer('en');
    const t = await c.session.post('/api/tickets', { type: 'incident', title: unique('custom'), priority: 'low' });
    const mail = await smtp.waitFor((m) => m.to.includes(c.email) && m.subject === `Custom ack ${t.body.number}`);
    expect(mail.text).toContain(`Thanks Casey, ticket ${t.body.number} is open.`);
  } finally {
    const back = await admin.request('DELETE', '/api/mail/templates/ticket_created/en');
    expect(back.body.customised).toBe(false);
  }
});

it('should mail a working reset link on forgot-password without telling whether the address exists', async () => {
  const c = await customer('en');
  const known = await new Session(desk.url).post('/api/auth/forgot-password', { email: c.email });
  const unknown = await new Session(desk.url).post('/api/auth/forgot-password', { email: `${unique('nobody')}@example.test` });
  expect(known.status).toBe(202);
  expect(unknown.status).toBe(202);
  expect(unknown.body).toEqual(known.body);
  expect(known.body).toEqual({ accepted: true, mailEnabled: true });
  const mail = await smtp.waitFor((m) => m.to.includes(c.email) && m.subject.includes('Reset'));
  const link = /https?:\/\/\S+reset-password\?token=(\S+)/.exec(mail.text)!;
  expect(link[0].startsWith(desk.url)).toBe(true);
  const reset = await new Session(desk.url).post('/api/auth/password-reset', { token: decodeURIComponent(link[1]), newPassword: 'a-brand-new-password' });
  expect(reset.status).toBe(204);
  await Session.login(c.email, 'a-brand-new-password', desk.url);
});

it('should gather an agent\'s digest notifications into one mail', async () => {
  const email = `${unique('digest-agent')}@example.test`;
  await admin.post('/api/users', { email, name: 'Dana Digest', role: 'agent', password: PASSWORD, locale: 'fr' });
  const dana = await Session.login(email, PASSWORD, desk.url);
  expect((await dana.request('PUT', '/api/me/notifications', { kinds: { comment: 'digest', state_change: 'digest' } })).status).toBe(200);
  const c = await customer('en');
  const t = await c.session.post('/api/tickets', { type: 'incident', title: unique('digested'), priority: 'low' });
  expect((await dana.post(`/api/tickets/${t.body.id}/watchers`, {})).status).toBe(204);
  for (let i = 0; i < 3; i++) await c.session.post(`/api/tickets/${t.body.id}/comments`, { body: `update ${i}`, visibility: 'public' });
  const digest = await smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Résumé Guichet'), 20_000);
  expect(digest.subject).toBe('Résumé Guichet : 3 mises à jour');
  expect(digest.text.match(/Nouvelle réponse/g)).toHaveLength(3);
  await settle(4000);
  expect(smtp.to(email)).toHaveLength(1);
});

it('should keep email settings and templates to admins', async () => {
  const c = await customer('en');
  for (const [method, path] of [['GET', '/api/mail/settings'], ['GET', '/api/mail/templates'], ['PUT', '/api/mail/templates/comment/en'], ['DELETE', '/api/mail/templates/comment/en']] as const) {
    const body = method === 'PUT' ? { subject: 's', body: 'b' } : undefined;
    expect((await c.session.request(method, path, body)).status).toBe(403);
    expect((await agent.request(method, path, body)).status).toBe(403);
  }
  const settings = await admin.get('/api/mail/settings');
  expect(settings.body.outbound).toMatchObject({ enabled: true, smtp: `smtp://127.0.0.1:${smtp.port}` });
  expect(settings.body.inbound.replyAddressFormat).toBe('support+<token>@desk.test');
  expect((await admin.request('PUT', '/api/mail/templates/nonsense/en', { subject: 's', body: 'b' })).status).toBe(404);
});



it("should mail a webhook subscription's owner, once, when the worker disables it for failing", async () => {
  const name = unique('crm-hook');
  const sub = await admin.post('/api/webhooks/subscriptions', { name, url: 'http://127.0.0.1:9/never', allowPrivateNetwork: true, eventTypes: ['ticket.created'] });
  expect(sub.status).toBe(201);
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    // What the delivery activity writes when it disables a subscription (tests/api/webhooks.test.ts drives that part).
    const [{ id: adminId }] = (await db.query('select id from users where email = $1', [ADMIN.email])).rows;
    await db.query('insert into webhook_disabled_notices (subscription_id, owner_id, reason) values ($1, $2, $3)', [sub.body.subscription.id, adminId, '20 deliveries in a row failed']);
    const mail = await smtp.waitFor((m) => m.to.includes(ADMIN.email) && m.subject.includes(name));
    expect(mail.subject).toBe(`Webhook ${name} was disabled`);
    expect(mail.text).toContain('20 deliveries in a row failed');
    expect(mail.text).toContain('/admin/webhooks');
    await eventually(async () => (await db.query('select notified_at from webhook_disabled_notices where subscription_id = $1', [sub.body.subscription.id])).rows[0]?.notified_at ?? undefined);
    await settle(1500);
    expect(smtp.messages.filter((m) => m.subject.includes(name))).toHaveLength(1);
  } finally {
    await db.end();
    await admin.request('DELETE', `/api/webhooks/subscriptions/${sub.body.subscription.id}`);
  }
});
