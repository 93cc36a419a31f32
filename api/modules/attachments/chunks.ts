// Attachment bytes in PostgreSQL, as numbered chunks of an attachment row: written from a stream without holding the file
// in memory, read back as a stream one chunk at a time, so every API replica serves every file and backups hold them.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Attachment, AttachmentChunk } from '../../../platform/db/entities/index';

/** Large enough that a 10 MiB file is 40 statements, small enough that a reader holds little at once. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * Stores `body` as chunks of `attachmentId`, one short statement per chunk (never a connection held while the client
 * sends), calling `onBytes` with each piece before it is kept; `onBytes` throws to stop the upload.
 */
export async function writeChunks(em: EntityManager, attachmentId: string, body: Readable, onBytes: (chunk: Buffer) => void): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  let n = 0;
  const store = (data: Buffer) => em.insert(AttachmentChunk, { attachmentId, n: n++, data });
  try {
    for await (const piece of body) {
      const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
      onBytes(chunk);
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      // Every chunk but the last holds exactly CHUNK_BYTES, whatever sizes the network delivered.
      while (pending.length >= CHUNK_BYTES) {
        await store(pending.subarray(0, CHUNK_BYTES));
        pending = pending.subarray(CHUNK_BYTES);
      }
    }
    if (pending.length) await store(pending);
  } catch (err) {
    body.destroy();
    throw err;
  }
}

/** The attachment's bytes, fetched chunk by chunk as the reader consumes them. */
export function readChunks(em: EntityManager, attachmentId: string): Readable {
  let n = 0;
  return new Readable({
    async read() {
      try {
        // A plain row, not an entity: one chunk in memory at a time (bench/attachments.ts measures the download).
        const row = await em
          .fork()
          .createQueryBuilder(AttachmentChunk)
          .select('data')
          .where({ attachmentId, n: n++ })
          .execute<Pick<InferEntity<typeof AttachmentChunk>, 'data'> | undefined>('get');
        this.push(row ? row.data : null);
      } catch (err) {
        this.destroy(err as Error);
      }
    },
  });
}

/** Uploads left pending by a process that died during them (their rows have no digest yet), with their chunks. */
export async function sweepAbandonedUploads(em: EntityManager): Promise<number> {
  return em.fork().nativeDelete(Attachment, { sha256: '', createdAt: { $lt: raw(`now() - interval '1 hour'`) } });
}

/**
 * Files uploaded before the bytes moved into PostgreSQL sit in `dir` by their SHA-256: copies them into chunks, once,
 * for every attachment that has none yet (run at start under the migration lock; the files themselves are left alone).
 */
export async function importFilesFromDisk(em: EntityManager, dir: string): Promise<number> {
  const rows = await em
    .fork()
    .createQueryBuilder(Attachment, 'a')
    .select(['id', 'sha256'])
    .where({ sha256: { $ne: '' }, store: 'postgres' })
    // A correlated not-exists, which the QueryBuilder has no word for (a `not in` would hash every chunk's attachment id).
    .andWhere('not exists (select 1 from attachment_chunks c where c.attachment_id = a.id)')
    .execute<Array<Pick<InferEntity<typeof Attachment>, 'id' | 'sha256'>>>();
  let imported = 0;
  for (const row of rows) {
    const file = path.join(dir, row.sha256.slice(0, 2), row.sha256);
    if (!fs.existsSync(file)) continue;
    // A file from disk arrives at disk speed: one transaction, so the copy is whole or absent.
    await em.fork().transactional((tx) => writeChunks(tx, row.id, fs.createReadStream(file, { highWaterMark: CHUNK_BYTES }), () => {}));
    imported += 1;
  }
  return imported;
}
