// Knowledge base over HTTP: search and suggestions in French and English, what customers may never see, revisions, feedback, deflection, drafts from tickets, bad input.
import { ADMIN, Session, unique } from '../support/http';

let admin: Session;
let agent: Session;
let outsider: Session;
let customer: Session;
let other: Session;
let category: string;
/** A word no other suite uses, so each search sees only this file's articles. */
const mark = unique('zq').replace(/[^a-z0-9]/g, '');

const articles: Record<string, string> = {};

async function make(role: string, locale = 'en') {
  const email = `${unique(role)}@example.test`;
  const res = await admin.post('/api/users', { email, name: `${role} ${mark}`, role, password: 'a-long-password-1', locale });
  expect(res.status).toBe(201);
  return Session.login(email, 'a-long-password-1');
}

async function article(key: string, body: Record<string, unknown>) {
  const res = await agent.post('/api/kb/articles', body);
  expect(res.status).toBe(201);
  articles[key] = res.body.id;
  return res.body;
}

const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((i) => i.id);

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  agent = await make('agent');
  outsider = await make('agent');
  customer = await make('customer', 'fr');
  other = await make('customer');
  category = unique('hardware').toLowerCase().replace(/[^a-z0-9_-]/g, '_');
  expect((await admin.post('/api/kb/categories', { key: category, name: { en: 'Hardware', fr: 'Matériel' } })).status).toBe(201);

  await article('printer', {
    categoryKey: category,
    tags: ['Imprimante', mark],
    visibility: 'public',
    status: 'published',
    translations: {
      fr: {
        title: "Dépannage de l'imprimante du deuxième étage",
        summary: 'Que faire quand l’imprimante ne répond plus.',
        body: `Si l'imprimante refuse d'imprimer, vérifiez son **fonctionnement** : allumez-la, videz la file d'attente, puis relancez le pilote. ${mark}`,
      },
      en: {
        title: 'Troubleshooting the second-floor printer',
        body: `When the printer stops printing, power-cycle it, clear the queue and reinstall the driver. ${mark}`,
      },
    },
  });
  await article('vpn', {
    tags: [mark],
    visibility: 'public',
    status: 'published',
    translations: { en: { title: 'Connecting to the VPN from home', body: `Install the client, sign in with your badge number. ${mark}` } },
  });
  await article('internal', {
    tags: [mark],
    visibility: 'internal',
    status: 'published',
    translations: { fr: { title: 'Imprimante: mot de passe administrateur du serveur d’impression', body: `Le mot de passe interne est dans le coffre. ${mark}` } },
  });
  await article('draft', {
    tags: [mark],
    visibility: 'public',
    status: 'draft',
    translations: { fr: { title: "Imprimante qui ne fonctionne pas: brouillon", body: `Brouillon pas encore relu. ${mark}` } },
  });
  await article('mail', {
    tags: [mark],
    visibility: 'public',
    status: 'published',
    translations: { fr: { title: 'Configurer la messagerie sur le téléphone', body: `Ajoutez le compte Exchange. ${mark}` }, en: { title: 'Set up mail on your phone', body: `Add the Exchange account. ${mark}` } },
  });
});

describe('suggestions', () => {
  it('should suggest the French printer article to a customer typing "imprimante ne fonctionne pas"', async () => {
    const res = await customer.get(`/api/kb/suggestions?q=${encodeURIComponent('imprimante ne fonctionne pas')}`);
    expect(res.status).toBe(200);
    const top = res.body.items.slice(0, 3);
    expect(top.map((i: { id: string }) => i.id)).toContain(articles.printer);
    const hit = res.body.items.find((i: { id: string }) => i.id === articles.printer);
    expect(hit).toMatchObject({ locale: 'fr', title: "Dépannage de l'imprimante du deuxième étage" });
    // "fonctionne" found "fonctionnement" by stemming, and the match is highlighted.
    expect(hit.snippet).toContain('<mark>fonctionnement</mark>');
  });

  it('should never suggest internal articles or drafts to customers, while agents get internal published ones', async () => {
    const q = encodeURIComponent('imprimante ne fonctionne pas');
    const seen = ids(await customer.get(`/api/kb/suggestions?q=${q}&limit=10`));
    expect(seen).not.toContain(articles.internal);
    expect(seen).not.toContain(articles.draft);
    const staff = ids(await agent.get(`/api/kb/suggestions?q=${q}&limit=10`));
    expect(staff).toContain(articles.internal);
    expect(staff).not.toContain(articles.draft);
  });

  it('should match while the last word is still being typed, and ignore accents', async () => {
    expect(ids(await customer.get(`/api/kb/suggestions?q=${encodeURIComponent('depannage imprim')}`))).toContain(articles.printer);
    expect(ids(await other.get(`/api/kb/suggestions?q=${encodeURIComponent('printer not printing')}`))).toContain(articles.printer);
    expect((await customer.get('/api/kb/suggestions?q=%20%3F%21')).body.items).toEqual([]);
  });
});

describe('search', () => {
  it('should rank, highlight HTML-safely and filter by category, tag and locale', async () => {
    const res = await customer.get(`/api/kb/articles?q=${encodeURIComponent(`imprimante ${mark}`)}`);
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([articles.printer]);
    expect(res.body.total).toBe(1);
    expect(res.body.items[0].snippet).toContain(`<mark>${mark}</mark>`);
    expect(res.body.items[0]).not.toHaveProperty('visibility');

    // Words found only in a body still match (ranked after title and tag matches).
    const bodyOnly = await customer.get(`/api/kb/articles?q=${encodeURIComponent(`badge ${mark}`)}`);
    expect(ids(bodyOnly)).toEqual([articles.vpn]);
    expect(bodyOnly.body.items[0].snippet).toContain('<mark>badge</mark>');

    const byTag = await customer.get(`/api/kb/articles?tag=${mark}&limit=50`);
    expect(new Set(ids(byTag))).toEqual(new Set([articles.printer, articles.vpn, articles.mail]));
    expect(ids(await customer.get(`/api/kb/articles?tag=${mark}&category=${category}`))).toEqual([articles.printer]);
    const en = await customer.get(`/api/kb/articles?q=${mark}&locale=en&limit=50`);
    expect(new Set(ids(en))).toEqual(new Set([articles.printer, articles.vpn, articles.mail]));
    expect(en.body.items.every((i: { locale: string }) => i.locale === 'en')).toBe(true);
    const staff = await agent.get(`/api/kb/articles?q=${mark}&status=draft`);
    expect(ids(staff)).toEqual([articles.draft]);
    expect(staff.body.items[0]).toMatchObject({ status: 'draft', visibility: 'public' });
  });

  it('should escape markup in articles so snippets and pages never carry HTML from authors', async () => {
    const evil = await article('evil', {
      tags: [mark],
      visibility: 'public',
      status: 'published',
      translations: { en: { title: `Script ${mark}evil`, body: `<script>alert(1)</script> <img src=x onerror=alert(2)> scriptword ${mark}evil` } },
    });
    const res = await customer.get(`/api/kb/articles?q=${mark}evil`);
    expect(res.body.items[0].snippet).not.toMatch(/<(script|img)/i);
    expect(res.body.items[0].snippet.replace(/<\/?mark>/g, '')).not.toContain('<');
    expect(res.body.items[0].snippet).toContain('&gt;');
    const page = await customer.get(`/api/kb/articles/${evil.id}`);
    expect(page.body.translations[0].html).not.toMatch(/<(script|img)/i);
  });
});

describe('access', () => {
  it('should answer 404 to customers for internal articles and drafts by id, and for feedback on them', async () => {
    for (const key of ['internal', 'draft']) {
      expect((await customer.get(`/api/kb/articles/${articles[key]}`)).status).toBe(404);
      expect((await customer.post(`/api/kb/articles/${articles[key]}/feedback`, { helpful: true })).status).toBe(404);
      expect((await agent.get(`/api/kb/articles/${articles[key]}`)).status).toBe(200);
    }
    const page = await customer.get(`/api/kb/articles/${articles.printer}`);
    expect(page.status).toBe(200);
    expect(page.body).not.toHaveProperty('feedback');
    expect(page.body.translations.map((t: { locale: string }) => t.locale)).toEqual(['en', 'fr']);
    expect(page.body.translations[1].html).toContain('<strong>fonctionnement</strong>');
    const listed = ids(await customer.get(`/api/kb/articles?q=${mark}&limit=50`));
    expect(listed).not.toContain(articles.internal);
    expect(listed).not.toContain(articles.draft);
    expect(ids(await customer.get(`/api/kb/articles?q=${mark}&status=draft&limit=50`))).not.toContain(articles.draft);
  });

  it('should refuse writes from customers and category changes from agents', async () => {
    const body = { visibility: 'public', translations: { en: { title: 'x', body: 'y' } } };
    expect((await customer.post('/api/kb/articles', body)).status).toBe(403);
    expect((await customer.request('PATCH', `/api/kb/articles/${articles.printer}`, { status: 'archived' })).status).toBe(403);
    expect((await customer.request('PUT', `/api/kb/articles/${articles.printer}/translations/en`, { title: 'x', body: 'y' })).status).toBe(403);
    expect((await customer.get(`/api/kb/articles/${articles.printer}/translations/en/revisions`)).status).toBe(403);
    expect((await customer.get('/api/kb/stats')).status).toBe(403);
    expect((await agent.post('/api/kb/categories', { key: 'nope', name: { en: 'n', fr: 'n' } })).status).toBe(403);
    expect((await new Session().get('/api/kb/articles')).status).toBe(401);
  });

  it('should hide an article from customers once archived', async () => {
    const a = await article('archived', { tags: [mark], visibility: 'public', status: 'published', translations: { en: { title: 'Old procedure', body: 'Gone.' } } });
    expect((await customer.get(`/api/kb/articles/${a.id}`)).status).toBe(200);
    const archived = await agent.request('PATCH', `/api/kb/articles/${a.id}`, { status: 'archived' });
    expect(archived.body.status).toBe('archived');
    expect((await customer.get(`/api/kb/articles/${a.id}`)).status).toBe(404);
  });
});

describe('revisions', () => {
  it('should keep every save as a revision and restore an old one as a new revision', async () => {
    const a = await article('rev', { visibility: 'internal', translations: { en: { title: 'First title', body: 'First body' } } });
    expect(a.translations[0].revision).toBe(1);
    const second = await agent.request('PUT', `/api/kb/articles/${a.id}/translations/en`, { title: 'Second title', body: 'Second body', baseRevision: 1 });
    expect(second.status).toBe(200);
    expect(second.body.translations[0]).toMatchObject({ revision: 2, title: 'Second title' });
    const stale = await agent.request('PUT', `/api/kb/articles/${a.id}/translations/en`, { title: 'Lost', body: 'Lost', baseRevision: 1 });
    expect(stale.status).toBe(409);
    const fr = await admin.request('PUT', `/api/kb/articles/${a.id}/translations/fr`, { title: 'Titre', body: 'Corps' });
    expect(fr.body.translations.map((t: { locale: string }) => t.locale)).toEqual(['en', 'fr']);

    const list = await agent.get(`/api/kb/articles/${a.id}/translations/en/revisions`);
    expect(list.body.items.map((r: { revision: number }) => r.revision)).toEqual([2, 1]);
    expect(list.body.items[1]).toMatchObject({ title: 'First title', body: 'First body', author: { id: agent.user!.id } });
    expect((await agent.get(`/api/kb/articles/${a.id}/translations/en/revisions/1`)).body.body).toBe('First body');

    const restored = await admin.post(`/api/kb/articles/${a.id}/translations/en/revisions/1/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.translations[0]).toMatchObject({ revision: 3, title: 'First title', body: 'First body' });
    const after = await agent.get(`/api/kb/articles/${a.id}/translations/en/revisions`);
    expect(after.body.items[0]).toMatchObject({ revision: 3, restoredFrom: 1, author: { id: admin.user!.id } });
    expect((await agent.post(`/api/kb/articles/${a.id}/translations/en/revisions/9/restore`)).status).toBe(404);
  });

  it('should find an article by its new words once its tags or text change', async () => {
    const word = unique('zz').replace(/[^a-z0-9]/g, '');
    const a = await article('retag', { visibility: 'public', status: 'published', translations: { en: { title: 'Tagged later', body: 'Nothing special.' } } });
    expect(ids(await customer.get(`/api/kb/articles?q=${word}`))).toEqual([]);
    await agent.request('PATCH', `/api/kb/articles/${a.id}`, { tags: [word] });
    expect(ids(await customer.get(`/api/kb/articles?q=${word}`))).toEqual([a.id]);
  });
});

describe('feedback and deflection', () => {
  it('should count one answer per user, the last one', async () => {
    const id = articles.vpn;
    expect((await customer.post(`/api/kb/articles/${id}/feedback`, { helpful: true })).status).toBe(204);
    expect((await customer.post(`/api/kb/articles/${id}/feedback`, { helpful: true })).status).toBe(204);
    expect((await other.post(`/api/kb/articles/${id}/feedback`, { helpful: true })).status).toBe(204);
    expect((await other.post(`/api/kb/articles/${id}/feedback`, { helpful: false })).status).toBe(204);
    const staff = await agent.get(`/api/kb/articles/${id}`);
    expect(staff.body.feedback).toEqual({ helpful: 1, notHelpful: 1 });
    expect((await customer.get(`/api/kb/articles/${id}`)).body.myFeedback).toBe(true);
  });

  it('should count a deflection when a suggestion is opened and no ticket follows in that session', async () => {
    const id = articles.mail;
    const deflected = crypto.randomUUID();
    const followed = crypto.randomUUID();
    const before = (await agent.get('/api/kb/stats')).body;
    expect((await customer.post('/api/kb/events', { sessionId: deflected, type: 'suggestion_opened', articleId: id })).status).toBe(204);
    expect((await customer.post('/api/kb/events', { sessionId: deflected, type: 'suggestion_opened', articleId: id })).status).toBe(204);
    expect((await other.post('/api/kb/events', { sessionId: followed, type: 'suggestion_opened', articleId: id })).status).toBe(204);
    expect((await other.post('/api/kb/events', { sessionId: followed, type: 'ticket_submitted' })).status).toBe(204);
    // Someone else's session, an internal article, a missing article: refused.
    expect((await customer.post('/api/kb/events', { sessionId: followed, type: 'ticket_submitted' })).status).toBe(409);
    expect((await customer.post('/api/kb/events', { sessionId: deflected, type: 'suggestion_opened', articleId: articles.internal })).status).toBe(404);
    expect((await customer.post('/api/kb/events', { sessionId: deflected, type: 'suggestion_opened' })).status).toBe(422);

    const page = await agent.get(`/api/kb/articles/${id}`);
    expect(page.body.deflection).toEqual({ opened: 2, deflected: 1 });
    const after = (await agent.get('/api/kb/stats')).body;
    expect(after.deflections - before.deflections).toBe(1);
    expect(after.ticketsAfterSuggestion - before.ticketsAfterSuggestion).toBe(1);
    expect(after.suggestionsOpened - before.suggestionsOpened).toBe(3);
    expect(after.articles.find((a: { id: string }) => a.id === id)).toMatchObject({ opened: 2, deflected: 1 });
  });
});

describe('from a ticket', () => {
  it('should draft an internal article from the last public agent answer of a ticket the agent can see', async () => {
    const group = unique('kbg').replace(/-/g, '_');
    const queue = unique('kbq').replace(/-/g, '_');
    expect((await admin.post('/api/groups', { key: group, name: 'KB group' })).status).toBe(201);
    expect((await admin.request('PUT', `/api/groups/${group}/members`, { userIds: [agent.user!.id] })).status).toBe(200);
    expect((await admin.post('/api/queues', { key: queue, name: 'KB queue' })).status).toBe(201);
    expect((await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] })).status).toBe(200);

    const t = await customer.post('/api/tickets', { type: 'incident', title: unique('Le scanner ne démarre plus'), description: 'Écran noir au démarrage.', priority: 'medium' });
    expect(t.status).toBe(201);
    expect((await admin.post(`/api/tickets/${t.body.id}/assign`, { assigneeId: null, queue })).status).toBe(200);
    expect((await agent.post('/api/kb/articles/from-ticket', { ticketId: t.body.id })).status).toBe(422);
    await agent.post(`/api/tickets/${t.body.id}/comments`, { body: 'First try: unplug it.', visibility: 'public' });
    await agent.post(`/api/tickets/${t.body.id}/comments`, { body: 'Secret: the firmware is pirated.', visibility: 'internal' });
    await customer.post(`/api/tickets/${t.body.id}/comments`, { body: 'Still broken', visibility: 'public' });
    await agent.post(`/api/tickets/${t.body.id}/comments`, { body: 'Hold **reset** for ten seconds.', visibility: 'public' });

    expect((await outsider.post('/api/kb/articles/from-ticket', { ticketId: t.body.id })).status).toBe(404);
    expect((await customer.post('/api/kb/articles/from-ticket', { ticketId: t.body.id })).status).toBe(403);
    const res = await agent.post('/api/kb/articles/from-ticket', { ticketId: t.body.id, locale: 'fr' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ visibility: 'internal', status: 'draft', sourceTicketId: t.body.id });
    const fr = res.body.translations[0];
    expect(fr).toMatchObject({ locale: 'fr', title: t.body.title, revision: 1 });
    expect(fr.body).toContain('Écran noir au démarrage.');
    expect(fr.body).toContain('Hold **reset** for ten seconds.');
    expect(fr.body).not.toContain('pirated');
    expect(fr.body).not.toContain('unplug');
    expect((await agent.post('/api/kb/articles/from-ticket', { ticketId: t.body.id })).status).toBe(409);
    expect((await customer.get(`/api/kb/articles/${res.body.id}`)).status).toBe(404);
  });
});

describe('bad input', () => {
  it('should answer 4xx problem+json for an unknown locale, an oversize body, an unknown category and malformed queries', async () => {
    const cases: Array<[Promise<{ status: number; headers: Headers; body: any }>, number]> = [
      [agent.post('/api/kb/articles', { visibility: 'public', translations: { de: { title: 'Drucker', body: 'x' } } }), 400],
      [agent.request('PUT', `/api/kb/articles/${articles.vpn}/translations/de`, { title: 'Drucker', body: 'x' }), 400],
      [agent.get(`/api/kb/articles/${articles.vpn}/translations/xx/revisions`), 400],
      [agent.get(`/api/kb/articles?locale=de`), 400],
      [agent.post('/api/kb/articles', { visibility: 'public', translations: { en: { title: 'Big', body: 'x'.repeat(100_001) } } }), 400],
      [agent.post('/api/kb/articles', { visibility: 'public', categoryKey: 'no_such_category', translations: { en: { title: 'a', body: 'b' } } }), 422],
      [agent.request('PATCH', `/api/kb/articles/${articles.vpn}`, { categoryKey: 'no_such_category' }), 422],
      [agent.post('/api/kb/articles', { visibility: 'secret', translations: { en: { title: 'a', body: 'b' } } }), 400],
      [agent.post('/api/kb/articles', { visibility: 'public', translations: {} }), 400],
      [agent.get('/api/kb/articles?limit=1000'), 400],
      [agent.get(`/api/kb/articles/${articles.vpn}/translations/en/revisions/abc`), 400],
      [agent.get('/api/kb/articles/00000000-0000-4000-8000-000000000000'), 404],
      [agent.get('/api/kb/articles/not-a-uuid'), 404],
      [agent.request('DELETE', `/api/kb/categories/${category}`), 403],
      [admin.request('DELETE', `/api/kb/categories/${category}`), 409],
    ];
    for (const [call, status] of cases) {
      const res = await call;
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    // A quoted, negated, odd query is parsed, never a 500.
    expect((await customer.get(`/api/kb/articles?q=${encodeURIComponent('"imprimante -vpn \' & | ! :*')}`)).status).toBe(200);
    expect((await customer.get(`/api/kb/suggestions?q=${encodeURIComponent("& | ! ( ) :* ' \\")}`)).status).toBe(200);
  });
});

it('should ask API tokens for the admin scope to create or delete a category, like every admin change', async () => {
  const as = async (scope: string) => {
    const token = await admin.post('/api/tokens', { name: `kb ${scope}`, scope });
    expect(token.status).toBe(201);
    return (method: string, path: string, body?: unknown) => admin.request(method, path, body, { authorization: `Bearer ${token.body.token}`, cookie: '' });
  };
  const [write, full] = [await as('write'), await as('admin')];
  const key = unique('tokcat').replace(/[^a-z0-9]/g, '_');
  const body = { key, name: { en: 'By token', fr: 'Par jeton' } };
  const refused = await write('POST', '/api/kb/categories', body);
  expect(refused.status).toBe(403);
  expect(refused.body.type).toMatch(/insufficient-scope/);
  expect((await full('POST', '/api/kb/categories', body)).status).toBe(201);
  expect((await write('DELETE', `/api/kb/categories/${key}`)).status).toBe(403);
  expect((await full('DELETE', `/api/kb/categories/${key}`)).status).toBe(204);
});
