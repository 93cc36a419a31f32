// Imports over HTTP (built-in admins): a CSV file of organisations, users, assets or tickets, or a whole Request
// Tracker 5 desk, each checked by a dry run first; and the list of runs.
import type { RouteTable } from '../../http/routes';
import { ProblemError } from '../../http/problem';
import { listOf } from '../../http/shapes';
import { IMPORT_KINDS, type ImportKind } from './records';
import { RequestTrackerError } from './request-tracker';
import { csvImportQuery, importReportSchema, importRunSchema, requestTrackerImportBody, type CsvImportQuery, type RequestTrackerImportBody } from './schemas';
import type { ImportService } from './service';

const WHY = 'import accounts and tickets (an import makes agents and writes tickets for anyone)';

export function importRoutes(table: RouteTable, imports: ImportService): void {
  // Before /api/imports/:kind, which would take its path for a kind.
  table.add<RequestTrackerImportBody>({
    method: 'post',
    path: '/api/imports/request-tracker',
    summary: 'Import a whole Request Tracker 5 desk over its REST2 API (queues, people, tickets with their conversation and files); dryRun: true reports and writes nothing',
    tag: 'imports',
    auth: 'user',
    scope: 'admin',
    permission: 'admin.people',
    builtInAdmin: WHY,
    body: requestTrackerImportBody,
    responses: {
      200: { description: 'The report (written: false for a dry run)', schema: importReportSchema },
      400: { description: 'Invalid body' },
      422: { description: 'Records in error (the report lists them), or request-tracker-failed: RT refused the token, did not answer or answered what is not REST2; nothing written either way', schema: importReportSchema },
    },
    handler: async ({ user, body }) => {
      const dryRun = body.dryRun ?? false;
      try {
        const report = await imports.requestTracker(user, body, dryRun);
        return { status: !dryRun && report.errorCount ? 422 : 200, body: report };
      } catch (err) {
        if (err instanceof RequestTrackerError) throw new ProblemError(422, 'request-tracker-failed', 'Unprocessable content', `nothing was imported: ${err.message}`);
        throw err;
      }
    },
  });
  table.add<unknown, CsvImportQuery>({
    method: 'post',
    path: '/api/imports/:kind',
    summary:
      'Import a CSV file (Content-Type text/csv) of organisations, users, assets or tickets: ?dryRun=true reports every row in error and writes nothing; a run with any row in error writes nothing either',
    tag: 'imports',
    auth: 'user',
    scope: 'admin',
    permission: 'admin.people',
    builtInAdmin: WHY,
    query: csvImportQuery,
    responses: {
      200: { description: 'The report (written: false for a dry run)', schema: importReportSchema },
      404: { description: 'No such kind of import' },
      415: { description: 'Not text/csv' },
      422: { description: 'Rows in error: nothing written; the report lists them', schema: importReportSchema },
    },
    handler: async ({ user, params, query, ctx }) => {
      if (!(IMPORT_KINDS as readonly string[]).includes(params.kind)) throw new ProblemError(404, 'not-found', 'Not found', `no import of '${params.kind}': ${IMPORT_KINDS.join(', ')}`);
      if (!ctx.is('text/csv', 'text/plain')) throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', 'send the file as text/csv (UTF-8, a header row first)');
      const dryRun = query.dryRun === 'true';
      const report = await imports.csv(user, params.kind as ImportKind, query.source, query.filename ?? `${params.kind}.csv`, ctx.req, dryRun);
      return { status: !dryRun && report.errorCount ? 422 : 200, body: report };
    },
  });
  table.add({
    method: 'get',
    path: '/api/imports',
    summary: 'The latest import runs (dry runs included), newest first',
    tag: 'imports',
    auth: 'user',
    scope: 'admin',
    permission: 'admin.people',
    builtInAdmin: WHY,
    responses: { 200: { description: 'Runs', schema: listOf(importRunSchema) } },
    handler: async () => ({ body: { items: await imports.runs() } }),
  });
}
