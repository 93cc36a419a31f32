// The Slack connector (plugins/slack) at Slack's documented HTTP contract: a local receiver stands in for the Web API
// (chat.postMessage, users.info, the bot token checked), and interactivity requests are signed as Slack signs them.
// A new ticket is posted to its queue's channel with buttons; clicking them as a Slack user acts as that user's desk
// account and answers in the ticket's thread; bad or stale signatures are refused, and a user the desk does not know as
// staff changes nothing.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PluginTicket } from '../../platform/plugins/v1';
import { heardTwice } from '../support/worker-plugin';
import { Session, eventually, ok, signedInAs, unique } from '../support/http';
import { firstPartyPlugin, startPluginDesk, type Desk } from '../support/desk';

const SIGNING_SECRET = 'slack-signing-secret-for-tests';
const BOT_TOKEN = 'xoxb-test-token';
let desk: Desk;
let admin: Session;
let databaseUrl: string;
let slack: http.Server;
let slackUrl: string;
const posts: any[] = [];
const users = new Map<string, string>();
let nextTs = 1000;

beforeAll(async () => {
  slack = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const answer = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (req.headers.authorization !== `Bearer ${BOT_TOKEN}`) return answer(200, { ok: false, error: 'invalid_auth' });
      const url = new URL(req.url!, 'http://slack');
      if (url.pathname === '/api/chat.postMessage') {
        const message = JSON.parse(body);
        const ts = `${nextTs++}.000100`;
        posts.push({ ...message, ts });
        return answer(200, { ok: true, channel: message.channel, ts });
      }
      if (url.pathname === '/api/users.info') {
        const email = users.get(url.searchParams.get('user') ?? '');
        return answer(200, email ? { ok: true, user: { id: url.searchParams.get('user'), profile: { email } } } : { ok: false, error: 'user_not_found' });
      }
      answer(404, { ok: false, error: 'unknown_method' });
    });
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/api`;
  ({ desk, admin, databaseUrl } = await startPluginDesk('slack', [firstPartyPlugin('slack')]));
}, 120_000);

afterAll(async () => {
  await desk?.stop();
  await new Promise((resolve) => slack?.close(resolve));
});

/** An interactivity request as Slack sends it: form-encoded payload, signed over the raw body with the timestamp. */
async function click(payload: unknown, opts: { secret?: string; timestamp?: number } = {}) {
  const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', opts.secret ?? SIGNING_SECRET).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
  const res = await fetch(`${desk.url}/api/plugins/slack/interactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
    body: rawBody,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

const buttonPayload = (user: string, post: any, actionId: string) => ({
  type: 'block_actions',
  user: { id: user },
  channel: { id: post.channel },
  container: { channel_id: post.channel, message_ts: post.ts },
  message: { ts: post.ts },
  actions: [{ action_id: actionId, value: post.blocks.find((b: any) => b.type === 'actions').elements.find((e: any) => e.action_id === actionId).value }],
});

describe('Slack connector', () => {
  it('should post a new ticket to its channel and let its buttons act as the mapped agent, answering in the thread', async () => {
    await ok(admin.request('PUT', '/api/plugins/slack/settings', { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, defaultChannel: 'C0DESK001', apiUrl: slackUrl, deskUrl: 'https://desk.example.test' }));
    const agent = await signedInAs(admin, 'agent', 'Ada');
    users.set('U0ADA', agent.user!.email);
    const customer = await signedInAs(admin, 'customer', 'Carl');
    const ticket = await ok(customer.post('/api/tickets', { type: 'incident', title: 'VPN <down> & out', description: 'No tunnel', priority: 'high' }), 201);

    const post = await eventually(async () => posts.find((p) => p.text.includes(ticket.number)));
    expect(post).toMatchObject({ channel: 'C0DESK001', text: `New ticket — ${ticket.number} VPN <down> & out` });
    // The customer's text is escaped in mrkdwn; the number links to the ticket.
    expect(post.blocks[0].text.text).toBe(`*<https://desk.example.test/tickets/${ticket.id}|${ticket.number}>* VPN &lt;down&gt; &amp; out`);
    expect(post.blocks[2].elements.map((e: any) => e.action_id)).toEqual(['take', 'acknowledge', 'resolve']);

    const takeAt = Math.floor(Date.now() / 1000);
    expect(await click(buttonPayload('U0ADA', post, 'take'), { timestamp: takeAt })).toEqual({ status: 200, body: {} });
    // The same signed request sent again within the window is refused: it acts once.
    const replayed = await click(buttonPayload('U0ADA', post, 'take'), { timestamp: takeAt });
    expect(replayed.status).toBe(409);
    expect((await ok(admin.get(`/api/tickets/${ticket.id}`))).assigneeId).toBe(agent.user!.id);
    expect(posts.at(-1)).toMatchObject({ channel: 'C0DESK001', thread_ts: post.ts, text: `<@U0ADA> took ${ticket.number} (now new).` });

    await click(buttonPayload('U0ADA', post, 'acknowledge'));
    expect(posts.at(-1).text).toBe(`<@U0ADA> acknowledged ${ticket.number} (now in_progress).`);
    await click(buttonPayload('U0ADA', post, 'resolve'));
    expect(posts.at(-1).text).toBe(`<@U0ADA> resolved ${ticket.number} (now resolved).`);
    expect((await ok(admin.get(`/api/tickets/${ticket.id}`))).state).toBe('resolved');
    // The desk records who did it: the agent, not a bot.
    const events = (await ok(admin.get(`/api/tickets/${ticket.id}/timeline`))).items as any[];
    expect(events.find((e) => e.type === 'transitioned' && e.data.transition === 'resolve')?.actor).toMatchObject({ id: agent.user!.id });
  });

  it('should refuse unsigned, mis-signed and stale requests, and change nothing for a Slack user who is not staff', async () => {
    const customer = await signedInAs(admin, 'customer', 'Cleo');
    users.set('U0CLEO', customer.user!.email);
    const ticket = await ok(customer.post('/api/tickets', { type: 'incident', title: unique('Printer'), description: 'Jam', priority: 'low' }), 201);
    const post = await eventually(async () => posts.find((p) => p.text.includes(ticket.number)));

    expect((await click(buttonPayload('U0CLEO', post, 'take'), { secret: 'another-secret' })).status).toBe(401);
    const stale = await click(buttonPayload('U0CLEO', post, 'take'), { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(401);
    expect(stale.body.detail).toBe('the request is older than five minutes');
    const unsigned = await fetch(`${desk.url}/api/plugins/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'payload=%7B%7D' });
    expect(unsigned.status).toBe(401);
    const json = await fetch(`${desk.url}/api/plugins/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"payload":"{}"}' });
    expect(json.status).toBe(415);
    // The desk's own routes under /api/plugins/ take JSON only.
    expect((await fetch(`${desk.url}/api/plugins/slack/settings`, { method: 'PUT', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'defaultChannel=C0X' })).status).toBe(415);

    const before = posts.length;
    expect((await click(buttonPayload('U0CLEO', post, 'take'))).status).toBe(200);
    expect(posts.slice(before)).toEqual([expect.objectContaining({ thread_ts: post.ts, text: `<@U0CLEO> could not take ${ticket.number}: no enabled agent or admin has the e-mail ${customer.user!.email}` })]);
    await click(buttonPayload('U0NOBODY', post, 'resolve'));
    expect(posts.at(-1).text).toMatch(new RegExp(`^<@U0NOBODY> could not resolve ${ticket.number}: Slack users.info refused: user_not_found$`));
    expect(await ok(admin.get(`/api/tickets/${ticket.id}`))).toMatchObject({ assigneeId: null, state: 'new' });
  });

  it("should post a ticket's escalation and breach in its thread, once however often the events are heard", async () => {
    const customer = await signedInAs(admin, 'customer', 'Elsa');
    const ticket = await ok(customer.post('/api/tickets', { type: 'incident', title: unique('Core switch'), description: 'Down', priority: 'high' }), 201);
    const root = await eventually(async () => posts.find((p) => p.text.includes(ticket.number) && !p.thread_ts));
    const before = posts.length;
    await heardTwice('slack', desk, databaseUrl, { ...(await ok(admin.get(`/api/tickets/${ticket.id}`))), slaDueAt: null } as PluginTicket, [
      ['ticket.escalated', { escalation: 'page_ops' }],
      ['ticket.sla_breached', { clock: 'resolution' }],
      ['ticket.commented', {}],
    ]);
    expect(posts.slice(before).map((p) => [p.thread_ts, p.text])).toEqual([
      [root.ts, `Escalated: page_ops — ${ticket.number} ${ticket.title}`],
      [root.ts, `SLA breached: resolution — ${ticket.number} ${ticket.title}`],
    ]);
  });
});
