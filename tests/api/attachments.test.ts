// Attachments: stored outside the rows, limited in size and type, names made safe, downloadable only by those who may see them.
import { ADMIN, Session, unique } from '../support/http';

let admin: Session;
let customer: Session;
let stranger: Session;
beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  const mk = async () => {
    const email = `${unique('customer')}@example.test`;
    await admin.post('/api/users', { email, name: 'C', role: 'customer', password: 'a-long-password-1' });
    return Session.login(email, 'a-long-password-1');
  };
  customer = await mk();
  stranger = await mk();
});

async function upload(s: Session, ticketId: string, filename: string, body: BodyInit, type: string, visibility = 'public') {
  return s.request('POST', `/api/tickets/${ticketId}/attachments?filename=${encodeURIComponent(filename)}&visibility=${visibility}`, body as never, { 'content-type': type });
}

it('should store a file, list it and give the same bytes back only to those who may see the ticket', async () => {
  const t = await customer.post('/api/tickets', { type: 'incident', title: unique('screenshot'), priority: 'low' });
  const bytes = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3, 4]);
  const up = await upload(customer, t.body.id, 'screen.png', bytes, 'image/png');
  expect(up.status).toBe(201);
  expect(up.body).toMatchObject({ filename: 'screen.png', contentType: 'image/png', size: 12, visibility: 'public' });
  const note = await upload(admin, t.body.id, 'diagnosis.txt', 'agents only', 'text/plain', 'internal');
  expect(note.status).toBe(201);

  expect((await customer.get(`/api/tickets/${t.body.id}/attachments`)).body.items.map((a: { filename: string }) => a.filename)).toEqual(['screen.png']);
  expect((await admin.get(`/api/tickets/${t.body.id}/attachments`)).body.items).toHaveLength(2);

  const mine = await fetch(`${process.env.GUICHET_TEST_URL}${up.body.url}`, { headers: { cookie: (customer as any).cookie } });
  expect(mine.status).toBe(200);
  expect(new Uint8Array(await mine.arrayBuffer())).toEqual(bytes);
  expect(mine.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''screen.png");

  expect((await stranger.get(up.body.url)).status).toBe(404);
  expect((await customer.get(note.body.url)).status).toBe(404);
  expect((await new Session().get(up.body.url)).status).toBe(401);
  expect((await stranger.get(`/api/tickets/${t.body.id}/attachments`)).status).toBe(404);
  expect((await upload(stranger, t.body.id, 'x.txt', 'x', 'text/plain')).status).toBe(404);
  expect((await upload(customer, t.body.id, 'x.txt', 'x', 'text/plain', 'internal')).status).toBe(403);
});

it('should neutralise path traversal in names and refuse bad types, empty and oversized files', async () => {
  const t = await admin.post('/api/tickets', { type: 'incident', title: unique('hostile'), priority: 'low' });
  const sneaky = await upload(admin, t.body.id, '../../etc/passwd', 'root:x:0:0', 'text/plain');
  expect(sneaky.status).toBe(201);
  expect(sneaky.body.filename).toBe('passwd');
  const dots = await upload(admin, t.body.id, '..\\..\\boot.ini', 'x', 'text/plain');
  expect(dots.body.filename).toBe('boot.ini');
  expect((await upload(admin, t.body.id, 'run.sh', '#!/bin/sh', 'application/x-sh')).status).toBe(415);
  expect((await upload(admin, t.body.id, 'empty.txt', '', 'text/plain')).status).toBe(400);
  const huge = await upload(admin, t.body.id, 'big.pdf', new Uint8Array(10 * 1024 * 1024 + 1), 'application/pdf');
  expect(huge.status).toBe(413);
  expect(huge.headers.get('content-type')).toContain('application/problem+json');
  expect((await admin.get(`/api/tickets/${t.body.id}/attachments`)).body.items).toHaveLength(2);
});

it('should store a JSON file like any other instead of hanging on it', async () => {
  const t = await admin.post('/api/tickets', { type: 'incident', title: unique('export attached'), priority: 'low' });
  const json = '{"export": [1, 2, 3]}';
  const up = await upload(admin, t.body.id, 'export.json', json, 'application/json');
  expect(up.status).toBe(201);
  const back = await fetch(`${admin.base}${up.body.url ?? `/api/attachments/${up.body.id}`}`, { headers: { cookie: (admin as unknown as { cookie: string }).cookie } });
  expect(back.status).toBe(200);
  expect(await back.text()).toBe(json);
}, 20_000);
