// Where an attachment's bytes are: chunks in PostgreSQL (chunks.ts) or an object in an S3-compatible store
// (object-store.ts). New files go to the configured store; each row says where its own bytes went, so files stored
// before a change of store are still served, exported and anonymised.
import type { Readable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProblemError } from '../../http/problem';
import { readChunks, writeChunks } from './chunks';
import type { ObjectStore } from './object-store';

export type AttachmentStoreKind = 'postgres' | 's3';

export class AttachmentBytes {
  constructor(
    private readonly em: EntityManager,
    /** Set when new files go to an S3-compatible store (ATTACHMENTS_STORE=s3). */
    private readonly objects?: ObjectStore,
  ) {}

  /** Where a file uploaded now goes. */
  get storeForNew(): AttachmentStoreKind {
    return this.objects ? 's3' : 'postgres';
  }

  /** Streams `body` into the store `storeForNew` named; `onBytes` sees each piece first and throws to stop. */
  write(em: EntityManager, id: string, body: Readable, onBytes: (chunk: Buffer) => void): Promise<void> {
    return this.objects ? this.objects.write(id, body, onBytes) : writeChunks(em, id, body, onBytes);
  }

  /** The bytes of a stored file, wherever its row says they are. */
  read(row: { id: string; store: AttachmentStoreKind }): Readable {
    if (row.store === 'postgres') return readChunks(this.em, row.id);
    if (!this.objects) {
      throw new ProblemError(503, 'attachment-store-unavailable', 'Service unavailable', 'this file is kept in the S3 store, which this desk is not configured to reach (ATTACHMENTS_STORE=s3)');
    }
    return this.objects.read(row.id);
  }
}
