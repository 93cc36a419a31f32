// Ticket attachments: bytes in PostgreSQL (chunks.ts) or an S3-compatible store (object-store.ts) with their SHA-256; type and size limits; visible only to who may see the ticket (and, for internal files, to agents).
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Attachment } from '../../../platform/db/entities/index';
import { iso } from '../../../platform/db/time';
import { badRequest, forbidden, notFound, ProblemError } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import { requireOnQueue } from '../iam/permissions';
import type { TicketService } from '../tickets/service';
import type { AttachmentBytes, AttachmentStoreKind } from './bytes';
import { DEFAULT_SETTINGS } from '../settings/service';

/** What the desk accepts, from its settings (settings/service.ts has the defaults). */
export interface AttachmentRules {
  attachmentMaxMegabytes: number;
  attachmentTypes: string[];
}

/** A file name safe to store and to send back: no directories, no control or reserved characters, bounded length. */
export function safeFilename(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '').trim();
  return cleaned.slice(0, 200);
}

type AttachmentRow = InferEntity<typeof Attachment>;

const present = (r: AttachmentRow) => ({
  id: r.id,
  ticketId: r.ticketId,
  filename: r.filename,
  contentType: r.contentType,
  size: r.size,
  visibility: r.visibility as 'public' | 'internal',
  uploadedBy: r.uploadedBy,
  createdAt: iso(r.createdAt),
  url: `/api/attachments/${r.id}`,
});

export class AttachmentService {
  constructor(
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
    private readonly bytes: AttachmentBytes,
    private readonly rules: () => Promise<AttachmentRules> = async () => DEFAULT_SETTINGS,
  ) {}

  async upload(user: AuthUser, ticketId: string, input: { filename: string; contentType: string; visibility: 'public' | 'internal'; body: Readable; declaredLength?: number }) {
    const ticket = await this.tickets.get(user, ticketId);
    if (user.role === 'customer' && input.visibility === 'internal') throw forbidden('customers attach public files only');
    requireOnQueue(user, input.visibility === 'internal' ? 'note' : 'reply', ticket.queue);
    const filename = safeFilename(input.filename);
    if (!filename) throw badRequest('a file name is required', [{ pointer: '/query/filename', message: 'empty or invalid file name' }]);
    const type = input.contentType.split(';')[0].trim().toLowerCase();
    const rules = await this.rules();
    const maxBytes = rules.attachmentMaxMegabytes * 1024 * 1024;
    if (!rules.attachmentTypes.includes(type)) {
      throw new ProblemError(415, 'attachment-type-refused', 'Unsupported media type', `files of type '${type}' are not accepted on this desk`, [{ pointer: '/headers/content-type', message: 'type not allowed' }]);
    }
    if (input.declaredLength !== undefined && input.declaredLength > maxBytes) throw tooLarge(rules.attachmentMaxMegabytes);

    // No transaction spans the upload: a slow client must not hold a database connection while it sends. The row is
    // written first as pending (no digest yet), its chunks one statement each, and the digest last; a pending row is
    // invisible, deleted (with its chunks) when the upload fails, and swept at start if the process died meanwhile.
    const em = this.em.fork();
    const id = randomUUID();
    await em.insert(Attachment, { id, ticketId, filename, contentType: type, size: 0, sha256: '', visibility: input.visibility, uploadedBy: user.id, store: this.bytes.storeForNew });
    let row: AttachmentRow;
    try {
      const hash = createHash('sha256');
      let size = 0;
      const onBytes = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) throw tooLarge(rules.attachmentMaxMegabytes);
        hash.update(chunk);
      };
      await this.bytes.write(em, id, input.body, onBytes);
      if (size === 0) throw badRequest('the file is empty', [{ pointer: '/', message: 'empty body' }]);
      [row] = await em.createQueryBuilder(Attachment).update({ size, sha256: hash.digest('hex') }).where({ id }).returning('*').execute<[AttachmentRow]>('all');
    } catch (err) {
      // Chunks go with the row; an object already (partly) stored is queued for deletion by the same delete.
      await em.nativeDelete(Attachment, { id }).catch(() => undefined);
      throw err;
    }
    return present(row);
  }

  async list(user: AuthUser, ticketId: string) {
    await this.tickets.get(user, ticketId);
    const rows = await this.em
      .fork()
      .find(Attachment, { ticketId, sha256: { $ne: '' }, ...(user.role === 'customer' ? { visibility: 'public' } : {}) }, { orderBy: { createdAt: 'asc' } });
    return rows.map(present);
  }

  /** Not found rather than forbidden, so the URL of a file one may not see reveals nothing. */
  async open(user: AuthUser, id: string) {
    const row = await this.em.fork().findOne(Attachment, { id, sha256: { $ne: '' } });
    if (!row || (user.role === 'customer' && row.visibility !== 'public')) throw notFound(`no attachment ${id}`);
    await this.tickets.get(user, row.ticketId).catch(() => {
      throw notFound(`no attachment ${id}`);
    });
    return { meta: present(row), stream: this.bytes.read({ id: row.id, store: row.store as AttachmentStoreKind }) };
  }
}

function tooLarge(megabytes: number): ProblemError {
  return new ProblemError(413, 'attachment-too-large', 'Payload too large', `attachments are limited to ${megabytes} MiB on this desk`);
}
