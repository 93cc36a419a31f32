// The live event stream: each subscriber hears only the tickets the visibility policy lets it see, live and on replay.
import { startDesk } from '../support/desk';
import { ADMIN, Session, unique } from '../support/http';

interface Received {
  events: Array<{ event: string; id?: string; data: any }>;
  close(): void;
}

/** Opens GET /api/events/stream with the session's cookie and collects parsed events until closed. */
async function listen(s: Session, headers: Record<string, string> = {}): Promise<Received> {
  const controller = new AbortController();
  const res = await fetch(`${s.base}/api/events/stream`, {
    headers: { cookie: (s as unknown as { cookie: string }).cookie, accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const out: Received = { events: [], close: () => controller.abort() };
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => l && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]));
          if (fields.event) out.events.push({ event: fields.event, id: fields.id, data: JSON.parse(fields.data ?? 'null') });
        }
      }
    } catch {
      // aborted
    }
  })();
  return out;
}

const titles = (r: Received) => r.events.filter((e) => e.event === 'ticket').map((e) => e.data.title as string);

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

let admin: Session;
const streams: Received[] = [];

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
});

afterAll(async () => {
  for (const s of streams) s.close();
  await admin.request('PUT', '/api/routing-rules', { items: [] });
});

test('refuses a caller without a session', async () => {
  const res = await fetch(`${admin.base}/api/events/stream`);
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toMatch(/problem\+json/);
});

test("customers hear only their own tickets, agents only their groups' queues, also on replay", async () => {
  const make = async (role: string, extra: Record<string, unknown> = {}) => {
    const email = `${unique(role)}@example.test`;
    const res = await admin.post('/api/users', { email, name: role, role, password: 'a-long-password-1', ...extra });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, s: await Session.login(email, 'a-long-password-1') };
  };
  const org = (await admin.post('/api/organisations', { name: unique('Private org') })).body;
  const [c1, c2, agentIn, agentOut] = [await make('customer', { organisationId: org.id }), await make('customer'), await make('agent'), await make('agent')];
  const [gIn, gOut, qIn, qOut] = ['gin', 'gout', 'qin', 'qout'].map((p) => unique(p).replace(/-/g, '_'));
  for (const [g, member] of [[gIn, agentIn], [gOut, agentOut]] as const) {
    expect((await admin.post('/api/groups', { key: g, name: g })).status).toBe(201);
    expect((await admin.request('PUT', `/api/groups/${g}/members`, { userIds: [member.id] })).status).toBe(200);
  }
  for (const [q, g] of [[qIn, gIn], [qOut, gOut]]) {
    expect((await admin.post('/api/queues', { key: q, name: q })).status).toBe(201);
    expect((await admin.request('PUT', `/api/queues/${q}/groups`, { groups: [g] })).status).toBe(200);
  }
  const tag = unique('sse');
  expect(
    (await admin.request('PUT', '/api/routing-rules', {
      items: [
        { name: 'in', conditions: { priority: 'high' }, queue: qIn },
        { name: 'out', conditions: { priority: 'low' }, queue: qOut },
      ],
    })).status,
  ).toBe(200);

  const before = new Date(Date.now() - 1000).toISOString();
  const [s1, s2, sIn, sOut, sAdmin] = await Promise.all([c1, c2, agentIn, agentOut, { s: admin }].map((u) => listen(u.s)));
  streams.push(s1, s2, sIn, sOut, sAdmin);

  const t1 = `${tag} first customer's printer`;
  const t2 = `${tag} second customer's laptop`;
  expect((await c1.s.post('/api/tickets', { type: 'incident', title: t1, priority: 'high' })).status).toBe(201);
  expect((await c2.s.post('/api/tickets', { type: 'incident', title: t2, priority: 'low' })).status).toBe(201);

  await until(() => titles(s1).includes(t1) && titles(s2).includes(t2) && titles(sIn).includes(t1) && titles(sOut).includes(t2));
  await until(() => titles(sAdmin).includes(t1) && titles(sAdmin).includes(t2));
  // Notices for both tickets have reached every stream by now (the admin heard both); give stragglers a moment.
  await new Promise((r) => setTimeout(r, 1000));
  expect(titles(s1)).not.toContain(t2);
  expect(titles(s2)).not.toContain(t1);
  expect(titles(sIn)).not.toContain(t2);
  expect(titles(sOut)).not.toContain(t1);
  const seen = s1.events.find((e) => e.event === 'ticket' && e.data.title === t1)!;
  expect(seen.id).toBe(seen.data.updatedAt);

  // A reconnecting console replays what changed since its Last-Event-ID, filtered the same way.
  const replay = await listen(c1.s, { 'last-event-id': before });
  streams.push(replay);
  await until(() => titles(replay).includes(t1));
  await new Promise((r) => setTimeout(r, 500));
  expect(titles(replay)).not.toContain(t2);
});

test("a customer moved to another organisation stops hearing the old organisation's tickets at once", async () => {
  const orgA = (await admin.post('/api/organisations', { name: unique('Sharing org'), shareTickets: true })).body;
  const orgB = (await admin.post('/api/organisations', { name: unique('Other org') })).body;
  const make = async () => {
    const email = `${unique('customer')}@example.test`;
    const res = await admin.post('/api/users', { email, name: 'customer', role: 'customer', password: 'a-long-password-1', organisationId: orgA.id });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, s: await Session.login(email, 'a-long-password-1') };
  };
  const [mover, colleague] = [await make(), await make()];
  const [heard, all] = await Promise.all([listen(mover.s), listen(admin)]);
  streams.push(heard, all);
  const before = unique('shared before the move');
  expect((await colleague.s.post('/api/tickets', { type: 'incident', title: before, priority: 'low' })).status).toBe(201);
  await until(() => titles(heard).includes(before));

  expect((await admin.request('PATCH', `/api/users/${mover.id}`, { organisationId: orgB.id })).status).toBe(200);
  const after = unique('private after the move');
  expect((await colleague.s.post('/api/tickets', { type: 'incident', title: after, priority: 'low' })).status).toBe(201);
  await until(() => titles(all).includes(after));
  // The same dispatch either ends the mover's stream or (the leak) hands them the ticket: wait for one of the two.
  await until(() => heard.events.some((e) => e.event === 'expired') || titles(heard).includes(after));
  expect(titles(heard)).not.toContain(after);
});

test('an API with open streams still stops promptly: the streams end first', async () => {
  const desk = await startDesk({ taskQueue: unique('events-stop') });
  try {
    const s = await Session.login(ADMIN.email, ADMIN.password, desk.url);
    const res = await fetch(`${desk.url}/api/events/stream`, { headers: { cookie: (s as unknown as { cookie: string }).cookie } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })().catch(() => true);
    const t0 = performance.now();
    await desk.api.stop();
    const stopMs = performance.now() - t0;
    // Without ending the streams, server.close() would wait for the 10 s forced cut.
    expect(stopMs).toBeLessThan(8000);
    await expect(ended).resolves.toBe(true);
  } finally {
    await desk.stop();
  }
});
