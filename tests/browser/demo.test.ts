// The demo switch on a desk of its own (fresh database): an empty desk shows the admin the first steps; the demo seeds a
// realistic desk through the API (a populated queue in both groups' hands, conversations, tags, time, breaches to come,
// knowledge base, assets and plans), and refuses to run again on a desk that has tickets.
import { seedDemo } from '../../scripts/demo-seed';
import { loginUi, shot, useBrowser } from '../support/browser';
import { freshDatabaseUrl, startDesk, type Desk } from '../support/desk';
import { ADMIN, Session, unique } from '../support/http';

let desk: Desk;
beforeAll(async () => {
  const url = new URL(await freshDatabaseUrl('demo'));
  desk = await startDesk({ taskQueue: unique('demo'), env: { DATABASE_URL: url.toString() } });
}, 120_000);
afterAll(async () => desk?.stop());

const { openPage } = useBrowser();

it('should show first steps on an empty desk, then seed the demo once and show a populated queue', async () => {
  const { page, errors } = await openPage('en');
  await page.goto(`${desk.url}/login`);
  await loginUi(page, ADMIN.email, ADMIN.password);
  await page.goto(`${desk.url}/tickets`);
  await page.getByTestId('first-steps').getByRole('link', { name: /Create queues/ }).waitFor();
  await shot(page, 'demo-first-steps-en');

  // The queue stays open while hundreds of tickets arrive: it takes them in batches and stays responsive.
  const seeded = await seedDemo(desk.url, ADMIN);
  expect(seeded).toEqual({ seeded: true, tickets: 240 });
  expect(await seedDemo(desk.url, ADMIN)).toEqual({ seeded: false, reason: 'the desk already has tickets', tickets: 0 });

  const admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  const states = new Set<string>();
  let cursor: string | null = null;
  let requests = 0;
  do {
    const res: { body: { items: Array<{ stateCategory: string; type: string }>; next: string | null } } = await admin.get(`/api/tickets?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    for (const t of res.body.items) states.add(t.stateCategory);
    requests += res.body.items.filter((t: { type: string }) => t.type !== 'maintenance').length;
    cursor = res.body.next;
  } while (cursor);
  // Besides the maintenance plans' work orders, which open on their own when due.
  expect(requests).toBe(240);
  expect([...states].sort()).toEqual(['closed', 'new', 'open', 'pending', 'resolved']);
  expect((await admin.get('/api/tags')).body.items.length).toBeGreaterThan(3);
  expect((await admin.get('/api/reports/time')).body.rows.length).toBe(4);
  expect((await admin.get('/api/kb/articles?limit=10')).body.items.length).toBe(3);
  expect((await admin.get('/api/maintenance/plans')).body.items.length).toBe(3);
  // A demo agent of the network group signs in and works the network queue.
  const karim = await Session.login('karim.haddad@demo.guichet.test', 'demo-password-1', desk.url);
  expect((await karim.get('/api/tickets?queue=network&limit=100')).body.items.length).toBeGreaterThan(0);

  await page.getByTestId('ticket-row').nth(49).waitFor();
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="ticket-row"]').length === 50);
  expect(await page.getByTestId('first-steps').count()).toBe(0);
  await shot(page, 'demo-queue-en');
  expect(errors).toEqual([]);
}, 240_000);
