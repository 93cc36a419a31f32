// Attachment bytes in an S3-compatible object store (ATTACHMENTS_STORE=s3): uploaded as a stream in 5 MiB parts (a file
// is never held whole in memory), read back as a stream, deleted through the queue the database fills when a row goes.
import { PassThrough, Readable, Transform, pipeline } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ObjectStoreSettings } from '../../../platform/config';
import { AttachmentObjectDeletion } from '../../../platform/db/entities/index';

export class ObjectStore {
  private readonly client: S3Client;

  constructor(private readonly config: ObjectStoreSettings) {
    this.client = new S3Client({
      region: config.region,
      // A store that hangs must not hold requests (or a sweep) for ever.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
      ...(config.accessKeyId && config.secretAccessKey ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } } : {}),
    });
  }

  private key(attachmentId: string): string {
    return `${this.config.prefix}${attachmentId}`;
  }

  /** Streams `body` into the object; `onBytes` sees each piece first and throws to stop the upload (which is aborted). */
  async write(attachmentId: string, body: Readable, onBytes: (chunk: Buffer) => void): Promise<void> {
    const counted = new Transform({
      transform(piece: Buffer | Uint8Array, _enc, done) {
        try {
          const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
          onBytes(chunk);
          done(null, chunk);
        } catch (err) {
          done(err as Error);
        }
      },
    });
    let failure: Error | undefined;
    const parts = new PassThrough();
    // Any failure (the client went away, onBytes refused) destroys every stream, the request's too, and so the upload.
    pipeline(body, counted, parts, (err) => err && (failure ??= err));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.config.bucket, Key: this.key(attachmentId), Body: parts },
      queueSize: 2,
      partSize: 5 * 1024 * 1024,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      // The store failed first: end the request's stream too, or the client would wait on an upload going nowhere.
      parts.destroy(err as Error);
      throw failure ?? err;
    }
    if (failure) throw failure;
  }

  /** The object's bytes as a stream; a reader that goes away (an aborted download) releases the store's connection. */
  read(attachmentId: string): Readable {
    const out = new PassThrough();
    this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.key(attachmentId) })).then(
      (res) => pipeline(res.Body as Readable, out, () => undefined),
      (err: Error) => out.destroy(err),
    );
    return out;
  }

  /**
   * Deletes the objects of rows deleted (or moved back into PostgreSQL) since the last sweep, until the queue is empty or
   * only objects that failed are left. No transaction is held across a call to the store; two replicas sweeping the same
   * row both delete an object that is then gone, which the store answers as success.
   */
  async sweepDeleted(em: EntityManager, batch = 100): Promise<{ deleted: number; failed: number }> {
    const db = em.fork();
    let deleted = 0;
    const failed = new Set<string>();
    for (;;) {
      const rows = await db.find(AttachmentObjectDeletion, {}, { fields: ['attachmentId'], orderBy: { queuedAt: 'asc' }, limit: batch + failed.size });
      const todo = rows.filter((r) => !failed.has(r.attachmentId));
      if (todo.length === 0) return { deleted, failed: failed.size };
      for (const { attachmentId } of todo) {
        try {
          await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.key(attachmentId) }));
          await db.nativeDelete(AttachmentObjectDeletion, { attachmentId });
          deleted++;
        } catch {
          // Stays queued for the next sweep; the others go on.
          failed.add(attachmentId);
        }
      }
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
