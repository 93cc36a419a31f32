// The access matrix, generated from the route table: every route of the OpenAPI document × ten principals, each answer's status
// checked against the route's entry, and every answer searched for data of the organisation or group the principal is not in.
import { PRINCIPALS, buildWorld, type World } from './access-matrix/principals';
import { matrix, type Case } from './access-matrix/routes';
import { Session } from '../support/http';

let world: World;
let table: Record<string, Case[]>;
let routes: string[];

beforeAll(async () => {
  world = await buildWorld();
  table = matrix(world);
  const doc = (await new Session().get('/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
}, 120_000);

afterAll(async () => {
  const admin = world?.sessions.admin;
  if (!admin) return;
  // Subscriptions made here point at a closed port; they go so no later suite waits on their retries.
  for (const s of (await admin.get('/api/webhooks/subscriptions')).body.items as Array<{ id: string; name: string }>) {
    if (s.name.startsWith('matrix ')) await admin.request('DELETE', `/api/webhooks/subscriptions/${s.id}`);
  }
});

it('should have an entry for every route of the API and none for a route that is gone', () => {
  expect(routes.filter((r) => !table[r])).toEqual([]);
  expect(Object.keys(table).filter((r) => !routes.includes(r))).toEqual([]);
  const checks = Object.values(table).reduce((n, cases) => n + cases.length, 0) * PRINCIPALS.length;
  console.log(`access matrix: ${routes.length} routes × ${PRINCIPALS.length} principals = ${routes.length * PRINCIPALS.length} (${checks} requests with the routes' extra cases)`);
});

it('should answer every principal on every route as the matrix says, and never with the other organisation\'s or group\'s data', async () => {
  const wrong: string[] = [];
  for (const route of routes) {
    for (const c of table[route] ?? []) {
      for (const who of PRINCIPALS) {
        const res = await c.call(world.sessions[who], world, who);
        const label = `${route}${c.name ? ` (${c.name})` : ''} as ${who}`;
        const expected = c.expect[who] ?? (who === 'customX' ? c.expect.agentX : 403);
        if (res.status !== expected) wrong.push(`${label}: ${res.status}, expected ${expected} ${res.status >= 400 ? JSON.stringify(res.body?.detail ?? res.body).slice(0, 160) : ''}`);
        const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '');
        for (const secret of world.secretsFrom[who]) if (text.includes(secret)) wrong.push(`${label}: the answer holds '${secret}'`);
        await c.undo?.(world);
      }
    }
  }
  expect(wrong).toEqual([]);
}, 600_000);

