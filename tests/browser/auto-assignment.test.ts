// Auto-assignment in Chromium, in both languages: an admin makes a queue assign in turn, an agent sets themselves away
// from their account page, and the queue's new tickets go to the others in turn, the timeline saying why.
import { violations } from '../support/axe';
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, eventually, unique } from '../support/http';

const TEXT = {
  en: { inTurn: 'In turn', away: 'Away', chosen: 'Chosen by the queue, in turn: no open ticket then' },
  fr: { inTurn: 'À tour de rôle', away: 'Absent', chosen: 'Choisi par la file, à tour de rôle : aucun ticket ouvert alors' },
} as const;

const { openPage } = useBrowser();

describe.each(['en', 'fr'] as const)('auto-assignment (%s)', (locale) => {
  const text = TEXT[locale];

  it('should skip an agent who set themselves away when a queue assigns in turn', async () => {
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    const tag = unique(locale);
    const [ann, bob, cid] = [await createUser('agent', locale, `Ann ${tag}`), await createUser('agent', locale, `Bob ${tag}`), await createUser('agent', locale, `Cid ${tag}`)];
    const ids = await Promise.all([ann, bob, cid].map(async (a) => (await Session.login(a.email, a.password)).get('/api/auth/me').then((r) => r.body.user.id as string)));
    const group = unique('rr_grp').toLowerCase().replace(/[^a-z0-9_]/g, '_');
    const queue = unique('rr_q').toLowerCase().replace(/[^a-z0-9_]/g, '_');
    await admin.post('/api/groups', { key: group, name: group });
    await admin.request('PUT', `/api/groups/${group}/members`, { userIds: ids });
    await admin.post('/api/queues', { key: queue, name: `Round robin ${tag}` });
    await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] });

    // The admin makes the queue assign in turn.
    const adminUser = await createUser('admin', locale, 'Ada Admin');
    const console_ = await openPage(locale);
    await loginUi(console_.page, adminUser.email, adminUser.password);
    await console_.page.goto('/admin/queues');
    await console_.page.getByTestId(`queue-assignment-${queue}`).click();
    await console_.page.getByRole('option', { name: text.inTurn, exact: true }).click();
    await console_.page.getByTestId('admin-notice').waitFor();
    await console_.page.getByTestId(`queue-max-open-${queue}`).waitFor();
    await console_.page.getByTestId(`queue-assignment-${queue}`).scrollIntoViewIfNeeded();
    await shot(console_.page, `queues-assignment-${locale}`);
    expect((await admin.get('/api/queues')).body.items.find((q: { key: string }) => q.key === queue).assignment).toBe('round_robin');

    // Bob sets himself away from his account page.
    const bobPage = await openPage(locale);
    await loginUi(bobPage.page, bob.email, bob.password);
    await bobPage.page.goto('/account/notifications');
    await bobPage.page.getByTestId('availability-away').click();
    await bobPage.page.getByTestId('availability-state').filter({ hasText: text.away }).waitFor();
    await bobPage.page.getByTestId('availability-result').waitFor();
    await shot(bobPage.page, `availability-${locale}`);
    expect(await violations(bobPage.page)).toEqual([]);

    // Two tickets arrive in the queue: Ann's, then Cid's; never Bob's.
    const assignees: string[] = [];
    const tickets: string[] = [];
    for (let i = 0; i < 2; i++) {
      const t = (await admin.post('/api/tickets', { type: 'incident', title: unique('Round robin'), priority: 'medium' })).body;
      await admin.post(`/api/tickets/${t.id}/assign`, { assigneeId: null, queue });
      assignees.push(await eventually(async () => (await admin.get(`/api/tickets/${t.id}`)).body.assigneeId ?? undefined));
      tickets.push(t.id);
    }
    expect(assignees).toEqual([ids[0], ids[2]]);

    // The timeline says why.
    await console_.page.goto(`/tickets/${tickets[0]}`);
    await console_.page.getByText(text.chosen).waitFor();
    await shot(console_.page, `auto-assigned-timeline-${locale}`);

    // The admin gives Ann her skills, for queues that assign by them.
    await console_.page.goto('/admin/users');
    await console_.page.getByTestId('user-search').fill(ann.email);
    await console_.page.getByTestId('user-row').filter({ hasText: ann.email }).getByTestId('user-edit').click();
    await console_.page.getByTestId('user-skills').fill('Network, printers');
    await shot(console_.page, `user-skills-${locale}`);
    await console_.page.getByTestId('user-submit').click();
    await eventually(async () => {
      const found = (await admin.get(`/api/users?q=${encodeURIComponent(ann.email)}`)).body.items[0];
      return JSON.stringify(found?.skills) === JSON.stringify(['network', 'printers']) ? true : undefined;
    });
    expect([...console_.errors, ...bobPage.errors]).toEqual([]);
  });
});
