// The Microsoft Teams connector (plugins/teams) at the Bot Framework's documented HTTP contract: a local receiver
// stands in for the sign-in service (client credentials), the Bot Framework's OpenID metadata and signing keys, and the
// Bot Connector (conversations, activities, members); Teams' requests to the bot carry JWTs signed as the Bot Framework
// signs them. A new ticket is posted to its queue's channel as an Adaptive Card; its buttons act as the Teams user's desk
// account and answer in the ticket's thread; forged, expired, misaddressed and replayed requests are refused.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { PluginTicket } from '../../platform/plugins/v1';
import { heardTwice } from '../support/worker-plugin';
import { Session, eventually, ok, signedInAs, unique } from '../support/http';
import { firstPartyPlugin, startPluginDesk, type Desk } from '../support/desk';

const APP_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const APP_PASSWORD = 'teams-client-secret-for-tests';
const TENANT = '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9';
const CHANNEL = '19:desk0001@thread.tacv2';
const NETWORK = '19:network0001@thread.tacv2';
let desk: Desk;
let admin: Session;
let databaseUrl: string;
let receiver: http.Server;
let base: string;
let serviceUrl: string;
let signingKey: CryptoKey;
let otherKey: CryptoKey;
const conversations: any[] = [];
const replies: Array<{ conversation: string; activity: any }> = [];
const members = new Map<string, { email: string; name: string }>();
let nextMessage = 1000;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'bf-key-1', use: 'sig', endorsements: ['msteams'] };
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const answer = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      const url = new URL(req.url!, base);
      if (url.pathname === '/openid') return answer(200, { issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] });
      if (url.pathname === '/keys') return answer(200, { keys: [jwk] });
      if (url.pathname === '/botframework.com/oauth2/v2.0/token') {
        const form = new URLSearchParams(body);
        const good = form.get('grant_type') === 'client_credentials' && form.get('client_id') === APP_ID && form.get('client_secret') === APP_PASSWORD && form.get('scope') === 'https://api.botframework.com/.default';
        return good ? answer(200, { token_type: 'Bearer', expires_in: 3599, access_token: 'bot-access-token' }) : answer(401, { error: 'invalid_client' });
      }
      if (req.headers.authorization !== 'Bearer bot-access-token') return answer(401, { message: 'Authorization has been denied for this request.' });
      const conversation = /^\/teams\/v3\/conversations\/([^/]+)\/(activities|members\/([^/]+))$/.exec(url.pathname);
      if (url.pathname === '/teams/v3/conversations' && req.method === 'POST') {
        const created = JSON.parse(body);
        const id = `${created.channelData.channel.id};messageid=${nextMessage++}`;
        conversations.push({ ...created, id });
        return answer(201, { id, activityId: id.split('=')[1] });
      }
      if (conversation?.[2] === 'activities' && req.method === 'POST') {
        replies.push({ conversation: decodeURIComponent(conversation[1]), activity: JSON.parse(body) });
        return answer(201, { id: String(nextMessage++) });
      }
      if (conversation?.[3] && req.method === 'GET') {
        const m = members.get(decodeURIComponent(conversation[3]));
        return m ? answer(200, { id: conversation[3], name: m.name, email: m.email, userPrincipalName: m.email }) : answer(404, { error: { code: 'MemberNotFoundInConversation' } });
      }
      answer(404, { error: { code: 'NotFound' } });
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  serviceUrl = `${base}/teams/`;
  ({ desk, admin, databaseUrl } = await startPluginDesk('teams', [firstPartyPlugin('teams')]));
}, 120_000);

afterAll(async () => {
  await desk?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** A token as the Bot Framework signs it for a request to this bot; `claims` and `key` make it wrong on purpose. */
const botToken = (claims: Record<string, unknown> = {}, opts: { key?: CryptoKey; kid?: string; expiresIn?: string } = {}) =>
  new SignJWT({ serviceurl: serviceUrl, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'bf-key-1', typ: 'JWT' })
    .setIssuer(String(claims.iss ?? 'https://api.botframework.com'))
    .setAudience(String(claims.aud ?? APP_ID))
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(opts.expiresIn ?? '5m')
    .sign(opts.key ?? signingKey);

/** The invoke Teams sends when a card's Action.Execute button is clicked. */
const click = (member: string, name: string, conversation: string, card: any, verb: string, id = randomUUID(), tenant = TENANT) => ({
  type: 'invoke',
  name: 'adaptiveCard/action',
  id,
  channelId: 'msteams',
  serviceUrl,
  channelData: { tenant: { id: tenant }, channel: { id: conversation.split(';')[0] } },
  from: { id: member, name, aadObjectId: randomUUID() },
  conversation: { id: conversation, conversationType: 'channel' },
  recipient: { id: `28:${APP_ID}`, name: 'Guichet' },
  value: { action: { type: 'Action.Execute', verb, data: card.actions.find((a: any) => a.verb === verb).data }, trigger: 'manual' },
});

async function send(activity: unknown, token?: string | null) {
  const res = await fetch(`${desk.url}/api/plugins/teams/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token ?? (await botToken())}` }) },
    body: JSON.stringify(activity),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

const settings = () => ({ appId: APP_ID, appPassword: APP_PASSWORD, tenantId: TENANT, serviceUrl, defaultChannel: CHANNEL, queueChannels: { network: NETWORK }, loginUrl: base, openIdMetadataUrl: `${base}/openid`, deskUrl: 'https://desk.example.test' });

describe('Microsoft Teams connector', () => {
  it('should post a new ticket as a card in its channel and let its buttons act as the mapped agent, answering in the thread', async () => {
    await ok(admin.request('PUT', '/api/plugins/teams/settings', settings()));
    const agent = await signedInAs(admin, 'agent', 'Ada');
    members.set('29:ada', { email: agent.user!.email, name: 'Ada' });
    const customer = await signedInAs(admin, 'customer', 'Carl');
    const ticket = await ok(customer.post('/api/tickets', { type: 'incident', title: 'VPN <down> & out', description: 'No tunnel', priority: 'high' }), 201);

    const thread = await eventually(async () => conversations.find((c) => c.activity.summary.includes(ticket.number)));
    expect(thread).toMatchObject({ isGroup: true, channelData: { channel: { id: CHANNEL } }, activity: { type: 'message', summary: `New ticket — ${ticket.number} VPN <down> & out` } });
    const card = thread.activity.attachments[0];
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    // Plain TextBlocks: the customer's text is shown as written, never as markup.
    expect(card.content.body.map((b: any) => b.text)).toEqual(['New ticket', `${ticket.number} VPN <down> & out`, 'Priority high · new · service_desk']);
    expect(card.content.actions.map((a: any) => a.verb ?? a.url)).toEqual(['take', 'acknowledge', 'resolve', `https://desk.example.test/tickets/${ticket.id}`]);

    const take = click('29:ada', 'Ada', thread.id, card.content, 'take');
    expect(await send(take)).toEqual({ status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: `Ada took ${ticket.number} (now new).` } });
    // Teams delivering the same activity again changes nothing more.
    expect((await send(take)).status).toBe(409);
    expect((await ok(admin.get(`/api/tickets/${ticket.id}`))).assigneeId).toBe(agent.user!.id);
    expect(replies.at(-1)).toEqual({ conversation: thread.id, activity: { type: 'message', text: `Ada took ${ticket.number} (now new).`, textFormat: 'plain' } });

    await send(click('29:ada', 'Ada', thread.id, card.content, 'acknowledge'));
    expect(replies.at(-1)!.activity.text).toBe(`Ada acknowledged ${ticket.number} (now in_progress).`);
    await send(click('29:ada', 'Ada', thread.id, card.content, 'resolve'));
    expect(replies.at(-1)!.activity.text).toBe(`Ada resolved ${ticket.number} (now resolved).`);
    expect((await ok(admin.get(`/api/tickets/${ticket.id}`))).state).toBe('resolved');
    // The desk records who did it: the agent, not a bot.
    const events = (await ok(admin.get(`/api/tickets/${ticket.id}/timeline`))).items as any[];
    expect(events.find((e) => e.type === 'transitioned' && e.data.transition === 'resolve')?.actor).toMatchObject({ id: agent.user!.id });
  });

  it('should refuse requests the Bot Framework did not sign for this bot, and change nothing for a member who is not staff', async () => {
    const customer = await signedInAs(admin, 'customer', 'Cleo');
    members.set('29:cleo', { email: customer.user!.email, name: 'Cleo' });
    const ticket = await ok(customer.post('/api/tickets', { type: 'incident', title: unique('Printer'), description: 'Jam', priority: 'low' }), 201);
    const thread = await eventually(async () => conversations.find((c) => c.activity.summary.includes(ticket.number)));
    const card = thread.activity.attachments[0].content;
    const take = () => click('29:cleo', 'Cleo', thread.id, card, 'take');

    const refusals: Array<[string, string | null, RegExp]> = [
      ['no token', null, /no Bot Framework token/],
      ['another key', await botToken({}, { key: otherKey }), /signature verification failed/],
      ['an unpublished key', await botToken({}, { kid: 'rogue' }), /a key the Bot Framework does not publish/],
      ['another bot', await botToken({ aud: randomUUID() }), /"aud" claim/],
      ['another issuer', await botToken({ iss: 'https://evil.example' }), /"iss" claim/],
      ['expired', await botToken({}, { expiresIn: '-10m' }), /"exp" claim/],
      ['another service', await botToken({ serviceurl: 'https://evil.example/teams/' }), /service URL/],
    ];
    for (const [why, token, detail] of refusals) {
      const refused = await send(take(), token);
      expect([why, refused.status, refused.body?.detail]).toEqual([why, 401, expect.stringMatching(detail)]);
    }
    // Signed by the Bot Framework for this bot, but from another organisation's Teams, or a card the desk did not post
    // for that ticket: refused all the same.
    const foreign = await send(click('29:cleo', 'Cleo', thread.id, card, 'take', randomUUID(), randomUUID()));
    expect([foreign.status, foreign.body.detail]).toEqual([403, "this request comes from another organisation's Teams"]);
    const elsewhere = await send(click('29:cleo', 'Cleo', '19:other@thread.tacv2;messageid=1', card, 'take'));
    expect([elsewhere.status, elsewhere.body.detail]).toEqual([403, "this is not the desk's card for that ticket"]);
    // Teams' other activities (installs, members joining) are answered, and do nothing.
    expect(await send({ type: 'conversationUpdate', id: randomUUID(), channelId: 'msteams', serviceUrl, membersAdded: [{ id: '29:x' }] })).toEqual({ status: 200, body: {} });

    const before = replies.length;
    expect((await send(take())).body.value).toBe(`Cleo could not take ${ticket.number}: no enabled agent or admin has the e-mail ${customer.user!.email}`);
    expect((await send(click('29:nobody', 'Nobody', thread.id, card, 'resolve'))).body.value).toMatch(new RegExp(`^Nobody could not resolve ${ticket.number}: Teams answered 404`));
    expect(replies.slice(before).map((r) => r.conversation)).toEqual([thread.id, thread.id]);
    expect(await ok(admin.get(`/api/tickets/${ticket.id}`))).toMatchObject({ assigneeId: null, state: 'new' });
  });

  it("should post a ticket's escalation and breach in its thread, once however often the events are heard", async () => {
    const customer = await signedInAs(admin, 'customer', 'Elsa');
    const ticket = await ok(customer.post('/api/tickets', { type: 'incident', title: unique('Core switch'), description: 'Down', priority: 'high' }), 201);
    const thread = await eventually(async () => conversations.find((c) => c.activity.summary.includes(ticket.number)));
    const before = replies.length;
    await heardTwice('teams', desk, databaseUrl, { ...(await ok(admin.get(`/api/tickets/${ticket.id}`))), slaDueAt: null } as PluginTicket, [
      ['ticket.escalated', { escalation: 'page_ops' }],
      ['ticket.sla_breached', { clock: 'resolution' }],
      ['ticket.commented', {}],
    ]);
    expect(replies.slice(before).map((r) => [r.conversation, r.activity.summary])).toEqual([
      [thread.id, `Escalated: page_ops — ${ticket.number} ${ticket.title}`],
      [thread.id, `SLA breached: resolution — ${ticket.number} ${ticket.title}`],
    ]);
  });
});
