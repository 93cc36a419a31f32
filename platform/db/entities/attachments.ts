// Attachments: their rows, their bytes when kept in PostgreSQL, and objects to delete from an S3 store.
// Tables are made only by the committed migrations; tests/platform/entities-match-schema.test.ts holds these to them.
import { defineEntity, p } from '@mikro-orm/core';

export const Attachment = defineEntity({
  name: 'Attachment',
  tableName: 'attachments',
  properties: {
    id: p.uuid().primary(),
    ticketId: p.uuid(),
    filename: p.text(),
    contentType: p.text(),
    size: p.integer(),
    sha256: p.text(),
    visibility: p.text(),
    uploadedBy: p.uuid(),
    createdAt: p.datetime().defaultRaw('now()'),
    store: p.text().defaultRaw('\'postgres\'::text'),
  },
});

export const AttachmentChunk = defineEntity({
  name: 'AttachmentChunk',
  tableName: 'attachment_chunks',
  properties: {
    attachmentId: p.uuid().primary(),
    n: p.integer().primary(),
    data: p.type('bytea'),
  },
});

export const AttachmentObjectDeletion = defineEntity({
  name: 'AttachmentObjectDeletion',
  tableName: 'attachment_object_deletions',
  properties: {
    attachmentId: p.uuid().primary(),
    queuedAt: p.datetime().defaultRaw('now()'),
  },
});

export const ATTACHMENTS_ENTITIES = [Attachment, AttachmentChunk, AttachmentObjectDeletion];
