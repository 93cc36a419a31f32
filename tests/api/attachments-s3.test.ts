// Attachments in an S3-compatible store (SeaweedFS, a real one, started here): a file larger than one upload part goes
// to the bucket as a stream and comes back byte for byte to every replica; a refused upload leaves no object; an erased
// person's file leaves the bucket; files kept in PostgreSQL before the change of store are still served.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { MikroORM } from '@mikro-orm/postgresql';
import { openOrm } from '../../platform/db/orm';
import { ROOT } from '../../platform/processes';
import { startSeaweedS3, type S3Server } from '../../platform/servers/seaweedfs';
import { startDesk, type Desk } from '../support/desk';
import { ADMIN, Session, eventually, unique } from '../support/http';
import { uploadChunked } from '../support/uploads';

let dir: string;
let s3: S3Server;
let client: S3Client;
let desk: Desk;
let plainDesk: Desk;
let admin: Session;
let orm: MikroORM;
const prefix = `${unique('files')}/`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-s3-'));
  s3 = await startSeaweedS3({ toolsDir: process.env.GUICHET_TOOLS_DIR || path.join(ROOT, '.tools'), dataDir: dir, bucket: 'guichet-attachments' });
  client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  const env = {
    ATTACHMENTS_STORE: 's3',
    S3_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_PREFIX: prefix,
    S3_SWEEP_SECONDS: '1',
  };
  // The desk before the change of store (PostgreSQL) and after it (S3), on one database.
  [plainDesk, desk] = await Promise.all([startDesk({ taskQueue: unique('s3-before') }), startDesk({ taskQueue: unique('s3'), env })]);
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  orm = await openOrm(process.env.DATABASE_URL!);
}, 120_000);

afterAll(async () => {
  await Promise.all([desk?.stop(), plainDesk?.stop()]);
  await orm?.close();
  client?.destroy();
  await s3?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
const objectKeys = async () => ((await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

async function download(s: Session, id: string): Promise<Buffer> {
  const res = await s.raw(`/api/attachments/${id}`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

it('should stream a file of several parts into the bucket and give it back byte for byte, from every replica', async () => {
  const ticket = await admin.post('/api/tickets', { type: 'incident', title: unique('core dump'), priority: 'low' });
  const bytes = randomBytes(7 * 1024 * 1024 + 12_345);
  const up = await uploadChunked(admin, ticket.body.id, 'core.zip', bytes, 'application/zip');
  expect(up.status).toBe(201);
  expect(up.body).toMatchObject({ size: bytes.length, contentType: 'application/zip' });

  // In the bucket under its id, not in PostgreSQL.
  const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `${prefix}${up.body.id}` }));
  expect(head.ContentLength).toBe(bytes.length);
  const [{ n }] = await orm.em.fork().execute<Array<{ n: string }>>('select count(*) as n from attachment_chunks where attachment_id = ?', [up.body.id]);
  expect(Number(n)).toBe(0);

  expect(sha(await download(admin, up.body.id))).toBe(sha(bytes));
  // A desk without the S3 settings cannot reach the file, and says so rather than failing obscurely.
  const plain = await Session.login(ADMIN.email, ADMIN.password, plainDesk.url);
  const elsewhere = await plain.get(`/api/attachments/${up.body.id}`);
  expect(elsewhere.status).toBe(503);
  expect(elsewhere.body.type).toMatch(/attachment-store-unavailable$/);
}, 60_000);

it('should keep serving files stored in PostgreSQL before the change of store', async () => {
  const plain = await Session.login(ADMIN.email, ADMIN.password, plainDesk.url);
  const ticket = await plain.post('/api/tickets', { type: 'incident', title: unique('older file'), priority: 'low' });
  const bytes = randomBytes(300_000);
  const up = await uploadChunked(plain, ticket.body.id, 'before.zip', bytes, 'application/zip');
  expect(up.status).toBe(201);
  expect(sha(await download(admin, up.body.id))).toBe(sha(bytes));
  expect(await objectKeys()).not.toContain(`${prefix}${up.body.id}`);
}, 30_000);

it('should leave no object behind when an upload is refused for its size', async () => {
  const before = await objectKeys();
  const ticket = await admin.post('/api/tickets', { type: 'incident', title: unique('too big'), priority: 'low' });
  const res = await uploadChunked(admin, ticket.body.id, 'huge.zip', randomBytes(11 * 1024 * 1024), 'application/zip');
  expect(res.status).toBe(413);
  expect((await admin.get(`/api/tickets/${ticket.body.id}/attachments`)).body.items).toEqual([]);
  // Whatever part reached the store is queued with the row's deletion and swept.
  await eventually(async () => {
    const [{ n }] = await orm.em.fork().execute<Array<{ n: string }>>('select count(*) as n from attachment_object_deletions');
    return Number(n) === 0 ? true : undefined;
  }, 15_000, 250);
  expect(await objectKeys()).toEqual(before);
}, 60_000);

it("should remove an erased person's file from the bucket", async () => {
  const email = `${unique('erased')}@example.test`;
  const made = await admin.post('/api/users', { email, name: 'Someone Private', role: 'customer', password: 'a-long-password-1' });
  const customer = await Session.login(email, 'a-long-password-1', desk.url);
  const ticket = await customer.post('/api/tickets', { type: 'incident', title: unique('my scan'), priority: 'low' });
  const file = await customer.request('POST', `/api/tickets/${ticket.body.id}/attachments?filename=scan.txt&visibility=public`, 'PASSPORT 123' as never, { 'content-type': 'text/plain' });
  expect(file.status).toBe(201);
  expect(await objectKeys()).toContain(`${prefix}${file.body.id}`);

  const erased = await admin.post(`/api/users/${made.body.id}/erase`, { confirm: email });
  expect(erased.body).toMatchObject({ filesReplaced: 1 });
  await eventually(async () => ((await objectKeys()).includes(`${prefix}${file.body.id}`) ? undefined : true), 15_000, 250);
  expect((await download(admin, file.body.id)).toString()).toContain('removed from the service desk');
}, 60_000);
