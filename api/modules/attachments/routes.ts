// Attachments over HTTP: upload the raw file (Content-Type is its type, ?filename= its name), list a ticket's files, download one.
import type { RouteTable } from '../../http/routes';
import { listOf } from '../../http/shapes';
import type { AttachmentService } from './service';

const attachmentSchema = {
  title: 'Attachment',
  type: 'object',
  required: ['id', 'ticketId', 'filename', 'contentType', 'size', 'visibility', 'uploadedBy', 'createdAt', 'url'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    ticketId: { type: 'string', format: 'uuid' },
    filename: { type: 'string' },
    contentType: { type: 'string' },
    size: { type: 'integer' },
    visibility: { type: 'string', enum: ['public', 'internal'] },
    uploadedBy: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    url: { type: 'string', description: 'where to download it' },
  },
} as const;

/** Shown in the page (thumbnails, the browser's PDF viewer) when asked; never SVG or HTML, which can carry scripts. */
const PREVIEWABLE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);

export function attachmentRoutes(table: RouteTable, attachments: AttachmentService): void {
  table.add<unknown, { filename: string; visibility?: 'public' | 'internal' }>({
    method: 'post',
    path: '/api/tickets/:id/attachments',
    summary: 'Attach a file: send its bytes as the body with its Content-Type, its name in ?filename= (10 MiB at most)',
    tag: 'attachments',
    auth: 'user',
    query: {
      type: 'object',
      required: ['filename'],
      additionalProperties: false,
      properties: { filename: { type: 'string', minLength: 1, maxLength: 255 }, visibility: { type: 'string', enum: ['public', 'internal'], default: 'public' } },
    },
    responses: {
      201: { description: 'Stored', schema: attachmentSchema },
      413: { description: 'Too large' },
      415: { description: 'Type not accepted' },
      404: { description: 'No such ticket visible to the caller' },
    },
    handler: async ({ user, params, query, ctx }) => {
      const length = ctx.get('content-length');
      const stored = await attachments.upload(user, params.id, {
        filename: query.filename,
        contentType: ctx.get('content-type') || 'application/octet-stream',
        visibility: query.visibility ?? 'public',
        body: ctx.req,
        declaredLength: length ? Number(length) : undefined,
      });
      return { status: 201, body: stored };
    },
  });
  table.add({
    method: 'get',
    path: '/api/tickets/:id/attachments',
    summary: "A ticket's attachments (customers see public files only)",
    tag: 'attachments',
    auth: 'user',
    responses: { 200: { description: 'Attachments', schema: listOf(attachmentSchema) } },
    handler: async ({ user, params }) => ({ body: { items: await attachments.list(user, params.id) } }),
  });
  table.add<unknown, { inline?: '1' }>({
    method: 'get',
    path: '/api/attachments/:id',
    summary: 'Download an attachment',
    tag: 'attachments',
    auth: 'user',
    query: { type: 'object', additionalProperties: false, properties: { inline: { type: 'string', enum: ['1'], description: 'Images and PDFs shown in the browser rather than downloaded' } } },
    responses: {
      200: { description: 'The file' },
      404: { description: 'No such attachment visible to the caller' },
      503: { description: 'attachment-store-unavailable: the file is kept in an S3 store this desk is not configured to reach' },
    },
    handler: async ({ user, params, ctx, query }) => {
      const { meta, stream } = await attachments.open(user, params.id);
      ctx.type = meta.contentType;
      // Only types a browser displays without running anything are ever shown inline; everything else downloads.
      const inline = query.inline === '1' && PREVIEWABLE.has(meta.contentType);
      ctx.set('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(meta.filename)}`);
      // An image opened on its own gets a page that may run nothing (the browser's PDF viewer needs its own scripts).
      if (inline && meta.contentType.startsWith('image/')) ctx.set('Content-Security-Policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
      ctx.set('Content-Length', String(meta.size));
      ctx.set('Cache-Control', 'private, no-store');
      ctx.body = stream;
      return {};
    },
  });
}
