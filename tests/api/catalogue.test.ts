// The service catalogue against the real desk: admins publish offerings whose forms are checked whole; customers see
// what their organisation may request, submit answers checked by the form's compiled check, and get a ticket opened
// with the offering's settings and pinned to the form version; bad input is refused at the element at fault.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ADMIN, Session, unique, ok } from '../support/http';

let admin: Session;

const words = (en: string, fr: string) => ({ en, fr });

const laptopForm = {
  fields: [
    { name: 'kind', kind: 'choice', label: words('Device', 'Appareil'), required: true, options: [{ value: 'laptop', label: words('Laptop', 'Portable') }, { value: 'phone', label: words('Phone', 'Téléphone') }] },
    { name: 'ram', kind: 'choice', label: words('Memory', 'Mémoire'), required: true, showWhen: { field: 'kind', equals: ['laptop'] }, options: [{ value: '16', label: words('16 GB', '16 Go') }, { value: '32', label: words('32 GB', '32 Go') }] },
    { name: 'colleague', kind: 'user', label: words('For whom', 'Pour qui') },
    { name: 'reason', kind: 'longText', label: words('Why', 'Pourquoi'), required: true },
  ],
};

async function customerOf(orgId: string | null) {
  const email = `${unique('cat')}@example.test`;
  const made = await ok(admin.post('/api/users', { email, name: unique('Cathy'), role: 'customer', password: 'a-long-password-1', organisationId: orgId, locale: 'fr' }), 201);
  return { id: made.id as string, name: made.name as string, session: await Session.login(email, 'a-long-password-1') };
}

async function offering(extra: Record<string, unknown> = {}) {
  return ok(
    admin.post('/api/catalogue/offerings', {
      key: unique('laptop').toLowerCase().replace(/[^a-z0-9-]/g, '-'),
      name: words('New laptop', 'Nouvel ordinateur portable'),
      description: words('A laptop for work', 'Un portable pour le travail'),
      category: words('Hardware', 'Matériel'),
      icon: 'desktop',
      ticketType: 'service_request',
      queue: 'service_desk',
      priority: 'high',
      fields: { item: 'Laptop' },
      published: true,
      form: laptopForm,
      ...extra,
    }),
    201,
  );
}

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
});

describe('Offerings', () => {
  it('should refuse a bad offering whole, each error at its element, and save nothing', async () => {
    const key = unique('bad').toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const res = await admin.post('/api/catalogue/offerings', {
      key,
      name: words('Bad', 'Mauvais'),
      description: words('', ''),
      category: words('Hardware', 'Matériel'),
      icon: 'desktop',
      ticketType: 'service_request',
      queue: 'no-such-queue',
      priority: 'low',
      fields: { nope: 'x' },
      organisationIds: ['00000000-0000-4000-8000-000000000000'],
      form: {
        fields: [
          { name: 'a', kind: 'choice', label: words('A', 'A'), options: [{ value: 'x', label: words('X', 'X') }] },
          { name: 'b', kind: 'text', label: words('B', 'B'), pattern: '(' },
          { name: 'c', kind: 'text', label: words('C', 'C'), showWhen: { field: 'a', equals: ['y'] } },
        ],
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/form/fields/1/pattern', '/form/fields/2/showWhen/equals/0', '/organisationIds/0', '/queue', '/fields/nope']);
    const all = await ok(admin.get('/api/catalogue/offerings'));
    expect(all.items.some((o: { key: string }) => o.key === key)).toBe(false);
    // The schema itself refuses what it does not know.
    const shape = await admin.post('/api/catalogue/offerings', { key, name: words('x', 'x'), description: words('', ''), category: words('x', 'x'), icon: 'javascript:alert(1)', ticketType: 'maintenance', priority: 'low', form: { fields: [] } });
    expect(shape.status).toBe(400);
  });

  it('should make a new form version on a change of form only, and refuse a taken key', async () => {
    const o = await offering();
    expect(o).toMatchObject({ version: 1, requests: 0, published: true, fields: { item: 'Laptop' } });
    const renamed = await ok(admin.request('PATCH', `/api/catalogue/offerings/${o.id}`, { name: words('Laptop', 'Portable') }));
    expect(renamed.version).toBe(1);
    const same = await ok(admin.request('PATCH', `/api/catalogue/offerings/${o.id}`, { form: JSON.parse(JSON.stringify(laptopForm)) }));
    expect(same.version).toBe(1);
    const changed = await ok(admin.request('PATCH', `/api/catalogue/offerings/${o.id}`, { form: { fields: [...laptopForm.fields, { name: 'extra', kind: 'text', label: words('Extra', 'En plus') }] } }));
    expect(changed.version).toBe(2);
    const other = await offering();
    const taken = await admin.request('PATCH', `/api/catalogue/offerings/${other.id}`, { key: o.key });
    expect(taken.status).toBe(409);
    expect(taken.body.errors[0].pointer).toBe('/key');
    // An offering nobody used can go.
    expect((await admin.request('DELETE', `/api/catalogue/offerings/${other.id}`)).status).toBe(204);
    // Audited with before and after.
    const audit = await ok(admin.get(`/api/audit?entity=catalogue_offering&entityId=${o.id}`));
    const changes = audit.items.flatMap((e: { detail?: { changes?: Array<{ path: string; before: unknown; after: unknown }> } }) => e.detail?.changes ?? []);
    expect(changes).toEqual(expect.arrayContaining([{ path: '/version', before: 1, after: 2 }]));
  });
});

describe('Requests', () => {
  it("should show customers only what their organisation may request, and search it", async () => {
    const orgA = await ok(admin.post('/api/organisations', { name: unique('Cat org A') }), 201);
    const orgB = await ok(admin.post('/api/organisations', { name: unique('Cat org B') }), 201);
    const forA = await offering({ organisationIds: [orgA.id], description: words('Only for A: zebra', 'Seulement A') });
    const hidden = await offering({ published: false });
    const a = await customerOf(orgA.id);
    const b = await customerOf(orgB.id);
    const keysOf = async (s: Session, q = '') => (await ok(s.get(`/api/catalogue/items${q}`))).items.map((i: { key: string }) => i.key);
    expect(await keysOf(a.session)).toContain(forA.key);
    expect(await keysOf(b.session)).not.toContain(forA.key);
    expect(await keysOf(a.session)).not.toContain(hidden.key);
    expect(await keysOf(a.session, '?q=zebra')).toEqual([forA.key]);
    expect((await b.session.get(`/api/catalogue/items/${forA.key}`)).status).toBe(404);
    expect((await b.session.post(`/api/catalogue/items/${forA.key}/requests`, { version: 1, answers: { kind: 'phone', reason: 'x' } })).status).toBe(404);
    expect((await a.session.get(`/api/catalogue/items/${hidden.key}`)).status).toBe(404);
  });

  it('should open a ticket with the offering settings, the answers checked and pinned to their form version', async () => {
    const org = await ok(admin.post('/api/organisations', { name: unique('Cat org') }), 201);
    const o = await offering({ organisationIds: [org.id] });
    const c = await customerOf(org.id);
    const mate = await customerOf(org.id);
    const stranger = await customerOf(null);
    const form = await ok(c.session.get(`/api/catalogue/items/${o.key}`));
    expect(form).toMatchObject({ key: o.key, version: 1, checkUrl: `/api/catalogue/items/${o.key}/forms/1/check.js` });

    // The module the console runs is the server's check: the same answers, the same verdicts.
    const res = await c.session.raw(form.checkUrl);
    expect(res.headers.get('content-type')).toContain('text/javascript');
    const dir = mkdtempSync(path.join(tmpdir(), 'guichet-check-'));
    writeFileSync(path.join(dir, 'check.mjs'), await res.text());
    const check = ((await import(pathToFileURL(path.join(dir, 'check.mjs')).href)) as { default: (a: unknown) => boolean }).default;
    expect(check({ kind: 'laptop', reason: 'x' })).toBe(false);
    expect(check({ kind: 'phone', reason: 'x' })).toBe(true);

    const missing = await c.session.post(`/api/catalogue/items/${o.key}/requests`, { version: 1, answers: { kind: 'laptop', reason: '   ' } });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/answers/ram', '/answers/reason']);
    const notAnOption = await c.session.post(`/api/catalogue/items/${o.key}/requests`, { version: 1, answers: { kind: 'tablet', reason: 'x' } });
    expect(notAnOption.body.errors).toEqual([{ pointer: '/answers/kind', message: 'kind is not one of the options' }]);
    // A person picker offers (and takes) only people of the customer's organisation.
    const choices = await ok(c.session.get(`/api/catalogue/items/${o.key}/choices/colleague?q=${encodeURIComponent(mate.name)}`));
    expect(choices.items.map((p: { id: string }) => p.id)).toEqual([mate.id]);
    expect((await ok(c.session.get(`/api/catalogue/items/${o.key}/choices/colleague?q=${encodeURIComponent(stranger.name)}`))).items).toEqual([]);
    const outsider = await c.session.post(`/api/catalogue/items/${o.key}/requests`, { version: 1, answers: { kind: 'phone', reason: 'x', colleague: stranger.id } });
    expect(outsider.body.errors).toEqual([{ pointer: '/answers/colleague', message: 'colleague is not one you may pick' }]);

    const key = unique('submit');
    const submit = () =>
      c.session.request('POST', `/api/catalogue/items/${o.key}/requests`, { version: 1, answers: { kind: 'laptop', ram: '32', colleague: mate.id, reason: 'Mine **died**' } }, { 'idempotency-key': key });
    const created = await submit();
    expect(created.status).toBe(201);
    const ticket = created.body;
    expect(ticket).toMatchObject({ type: 'service_request', priority: 'high', queue: 'service_desk', title: 'Nouvel ordinateur portable', fields: { item: 'Laptop' } });
    expect(ticket.description.split('\n')).toEqual(['Appareil : Portable', 'Mémoire : 32 Go', `Pour qui : ${mate.name}`, 'Pourquoi : Mine **died**']);
    const again = await submit();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(ticket.id);

    // The form changes: the ticket keeps the labels it was submitted with, and answers to the old version are refused.
    await ok(admin.request('PATCH', `/api/catalogue/offerings/${o.id}`, { form: { fields: laptopForm.fields.map((f) => (f.name === 'ram' ? { ...f, label: words('RAM', 'RAM') } : f)) } }));
    const stale = await c.session.post(`/api/catalogue/items/${o.key}/requests`, { version: 1, answers: { kind: 'phone', reason: 'x' } });
    expect(stale.status).toBe(409);
    expect(stale.body.type).toContain('form-changed');
    const read = await ok(admin.get(`/api/tickets/${ticket.id}/request-form`));
    expect(read.request).toMatchObject({ offering: { key: o.key }, version: 1, answers: { kind: 'laptop', ram: '32', colleague: mate.id, reason: 'Mine **died**' }, names: { [mate.id]: mate.name } });
    expect(read.request.form.fields[1].label.en).toBe('Memory');
    // The requester reads it too; a customer of another organisation does not.
    expect((await ok(c.session.get(`/api/tickets/${ticket.id}/request-form`))).request.version).toBe(1);
    expect((await stranger.session.get(`/api/tickets/${ticket.id}/request-form`)).status).toBe(404);
    // The old version's check is still served to those who may see the offering.
    expect((await c.session.raw(`/api/catalogue/items/${o.key}/forms/1/check.js`)).status).toBe(200);
    expect((await c.session.raw(`/api/catalogue/items/${o.key}/forms/9/check.js`)).status).toBe(404);
    // A ticket that did not come from the catalogue has no form.
    const plain = await ok(c.session.post('/api/tickets', { type: 'incident', title: 'Plain', priority: 'low' }), 201);
    expect((await ok(c.session.get(`/api/tickets/${plain.id}/request-form`))).request).toBeNull();
    // An offering with requests keeps its forms: it cannot be deleted, only unpublished.
    const del = await admin.request('DELETE', `/api/catalogue/offerings/${o.id}`);
    expect(del.status).toBe(409);
    expect((await ok(admin.get(`/api/catalogue/offerings/${o.id}`))).requests).toBe(1);
  });

  it('should let an agent submit for a customer, but only what the customer may request', async () => {
    const org = await ok(admin.post('/api/organisations', { name: unique('Cat org C') }), 201);
    const o = await offering({ organisationIds: [org.id] });
    const inside = await customerOf(org.id);
    const outside = await customerOf(null);
    const forInside = await ok(admin.post(`/api/catalogue/items/${o.key}/requests`, { version: 1, requesterId: inside.id, answers: { kind: 'phone', reason: 'Lost it' } }), 201);
    expect(forInside.requesterId).toBe(inside.id);
    expect(forInside.title).toBe('Nouvel ordinateur portable');
    const refused = await admin.post(`/api/catalogue/items/${o.key}/requests`, { version: 1, requesterId: outside.id, answers: { kind: 'phone', reason: 'Lost it' } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].pointer).toBe('/requesterId');
  });
});
