// Attachments: bytes in PostgreSQL in chunks, limited in size and type, names made safe, downloadable only by those who may see them.
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { importFilesFromDisk, sweepAbandonedUploads, CHUNK_BYTES } from '../../api/modules/attachments/chunks';
import { openOrm } from '../../platform/db/orm';
import { ADMIN, Session, unique } from '../support/http';
import { uploadChunked } from '../support/uploads';

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

describe('bytes in PostgreSQL', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await openOrm(process.env.DATABASE_URL!);
  });
  afterAll(async () => orm?.close());

  const chunksOf = async (id: string) => (await orm.em.fork().execute<Array<{ n: number; bytes: number }>>('select n, length(data) as bytes from attachment_chunks where attachment_id = ? order by n', [id]));

  it('should keep a file of several chunks whole, and give it back byte for byte', async () => {
    const t = await admin.post('/api/tickets', { type: 'incident', title: unique('big log'), priority: 'low' });
    const bytes = randomBytes(2 * CHUNK_BYTES + 12_345);
    const up = await uploadChunked(admin, t.body.id, 'trace.zip', [bytes.subarray(0, 100_000), bytes.subarray(100_000)], 'application/zip');
    expect(up.status).toBe(201);
    expect(up.body.size).toBe(bytes.length);
    expect((await chunksOf(up.body.id)).map((c) => Number(c.bytes))).toEqual([CHUNK_BYTES, CHUNK_BYTES, 12_345]);
    const back = await fetch(`${admin.base}${up.body.url}`, { headers: { cookie: (admin as unknown as { cookie: string }).cookie } });
    expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).toBe(true);
    const [row] = await orm.em.fork().execute<Array<{ sha256: string }>>('select sha256 from attachments where id = ?', [up.body.id]);
    expect(row!.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('should leave nothing behind when a streamed upload turns out too large', async () => {
    const t = await admin.post('/api/tickets', { type: 'incident', title: unique('too big'), priority: 'low' });
    const piece = Buffer.alloc(1024 * 1024, 7);
    const refused = await uploadChunked(admin, t.body.id, 'huge.pdf', Array.from({ length: 11 }, () => piece), 'application/pdf');
    expect(refused.status).toBe(413);
    const [rows] = await orm.em.fork().execute<Array<{ n: string }>>(
      `select count(*) as n from attachments a left join attachment_chunks c on c.attachment_id = a.id where a.ticket_id = ?`,
      [t.body.id],
    );
    expect(Number(rows!.n)).toBe(0);
  });

  it('should import files kept on disk before the bytes moved into PostgreSQL, once', async () => {
    const t = await admin.post('/api/tickets', { type: 'incident', title: unique('legacy file'), priority: 'low' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-legacy-attachments-'));
    try {
      const bytes = randomBytes(CHUNK_BYTES + 10);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      fs.mkdirSync(path.join(dir, sha256.slice(0, 2)));
      fs.writeFileSync(path.join(dir, sha256.slice(0, 2), sha256), bytes);
      const id = randomUUID();
      await orm.em.fork().execute(
        `insert into attachments (id, ticket_id, filename, content_type, size, sha256, visibility, uploaded_by) values (?, ?, 'old.zip', 'application/zip', ?, ?, 'public', ?)`,
        [id, t.body.id, bytes.length, sha256, admin.user!.id],
      );
      expect(await importFilesFromDisk(orm.em.fork(), dir)).toBeGreaterThanOrEqual(1);
      expect(await importFilesFromDisk(orm.em.fork(), dir)).toBe(0);
      const back = await fetch(`${admin.base}/api/attachments/${id}`, { headers: { cookie: (admin as unknown as { cookie: string }).cookie } });
      expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should keep an upload still in progress out of sight, and sweep one its process abandoned', async () => {
    const t = await admin.post('/api/tickets', { type: 'incident', title: unique('half uploaded'), priority: 'low' });
    const em = orm.em.fork();
    const pending = async (age: string) => {
      const id = randomUUID();
      await em.execute(
        `insert into attachments (id, ticket_id, filename, content_type, size, sha256, visibility, uploaded_by, created_at) values (?, ?, 'part.zip', 'application/zip', 0, '', 'public', ?, now() - ?::interval)`,
        [id, t.body.id, admin.user!.id, age],
      );
      await em.execute('insert into attachment_chunks (attachment_id, n, data) values (?, 0, ?)', [id, Buffer.alloc(10)]);
      return id;
    };
    const fresh = await pending('1 minute');
    const abandoned = await pending('2 hours');
    expect((await admin.get(`/api/tickets/${t.body.id}/attachments`)).body.items).toEqual([]);
    expect((await admin.get(`/api/attachments/${fresh}`)).status).toBe(404);
    expect(await sweepAbandonedUploads(em)).toBeGreaterThanOrEqual(1);
    const left = await em.execute<Array<{ id: string }>>('select id from attachments where id in (?, ?)', [fresh, abandoned]);
    expect(left.map((r) => r.id)).toEqual([fresh]);
    expect(await chunksOf(abandoned)).toEqual([]);
  });
});
