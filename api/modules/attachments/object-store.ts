// Attachment bytes in an S3-compatible object store (ATTACHMENTS_STORE=s3): uploaded as a stream in 5 MiB parts (a file
// is never held whole in memory), read back as a stream, deleted through the queue the database fills when a row goes.
import { PassThrough, Readable, Transform, pipeline } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ObjectStoreSettings } from '../../../platform/config';

export class ObjectStore {
  private readonly client: S3Client;

  constructor(private readonly config: ObjectStoreSettings) {
    this.client = new S3Client({
      region: config.region,
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
      throw failure ?? err;
    }
    if (failure) throw failure;
  }

  /** The object's bytes, fetched when the reader first asks for them. */
  read(attachmentId: string): Readable {
    const out = new PassThrough();
    this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.key(attachmentId) })).then(
      (res) => (res.Body as Readable).on('error', (err) => out.destroy(err)).pipe(out),
      (err: Error) => out.destroy(err),
    );
    return out;
  }

  /**
   * Deletes the objects of rows deleted (or moved back into PostgreSQL) since the last sweep, a batch at a time; a row
   * stays queued until its object is gone, and replicas sweeping together take different rows.
   */
  async sweepDeleted(em: EntityManager, batch = 100): Promise<number> {
    return em.fork().transactional(async (tx) => {
      const rows = await tx.execute<Array<{ attachment_id: string }>>(
        `select attachment_id from attachment_object_deletions order by queued_at limit ? for update skip locked`,
        [batch],
      );
      for (const row of rows) {
        // Deleting an object that is not there succeeds: a retried sweep is harmless.
        await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.key(row.attachment_id) }));
        await tx.execute(`delete from attachment_object_deletions where attachment_id = ?`, [row.attachment_id]);
      }
      return rows.length;
    });
  }

  destroy(): void {
    this.client.destroy();
  }
}
