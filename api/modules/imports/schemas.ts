// The shapes of imports over HTTP: the query of a CSV upload, an older desk to import from, and the report every run answers.
import type { FromSchema } from 'json-schema-to-ts';
import { IMPORT_KINDS } from './records';

export const csvImportQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['source'],
  properties: {
    source: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9._-]{0,59}$',
      description: 'names where the rows come from (e.g. glpi-2024): a second run of the same source updates what the first made instead of duplicating it',
    },
    dryRun: { type: 'string', enum: ['true', 'false'], default: 'false', description: 'true: check every row and report, write nothing' },
    filename: { type: 'string', maxLength: 255, description: 'the file name, shown in the report and on imported tickets' },
  },
} as const;
export type CsvImportQuery = FromSchema<typeof csvImportQuery>;

export const requestTrackerImportBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'token'],
  properties: {
    url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 500, description: "RT's web root, e.g. https://rt.example.com (its REST2 API is under /REST/2.0/)" },
    token: { type: 'string', minLength: 1, maxLength: 500, description: 'an RT auth token of a user who sees every queue; used for this run only, never stored' },
    query: { type: 'string', maxLength: 2000, description: 'TicketSQL choosing the tickets (default: all of them)' },
    ticketType: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', description: "the desk's ticket type for RT's tickets (default incident)" },
    dryRun: { type: 'boolean', default: false },
  },
} as const;
export type RequestTrackerImportBody = FromSchema<typeof requestTrackerImportBody>;

const rowError = {
  title: 'ImportRowError',
  type: 'object',
  required: ['row', 'message'],
  properties: {
    row: { type: ['integer', 'string'], description: "the row's line in the file (1 is the header), or the source's id" },
    column: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

export const importReportSchema = {
  title: 'ImportReport',
  type: 'object',
  required: ['kind', 'source', 'dryRun', 'written', 'rows', 'created', 'updated', 'unchanged', 'skipped', 'usersCreated', 'workflowsStarted', 'errorCount', 'errors', 'notes', 'durationMs'],
  properties: {
    kind: { type: 'string', enum: [...IMPORT_KINDS, 'request-tracker'] },
    source: { type: 'string' },
    dryRun: { type: 'boolean' },
    written: { type: 'boolean', description: 'false for a dry run, or when any row was in error (then nothing is written)' },
    rows: { type: 'integer' },
    created: { type: 'integer' },
    updated: { type: 'integer' },
    unchanged: { type: 'integer' },
    skipped: { type: 'integer', description: 'records the desk keeps as they are (see notes)' },
    usersCreated: { type: 'integer', description: 'accounts made for requesters and authors the desk did not know' },
    workflowsStarted: { type: 'integer', description: 'open tickets now run by their workflow' },
    errorCount: { type: 'integer' },
    errors: { type: 'array', items: rowError, description: 'the first 1,000 errors' },
    // Rows kept as they are and why (changed in the desk since, open tickets the desk now runs…), the first few.
    notes: { type: 'array', items: { type: 'string' } },
    durationMs: { type: 'integer' },
  },
} as const;
/** The report every run answers with, whatever it read (records.ts fills it). */
export type ImportReport = FromSchema<typeof importReportSchema>;

export const importRunSchema = {
  title: 'ImportRun',
  type: 'object',
  required: ['id', 'source', 'kind', 'dryRun', 'startedBy', 'startedAt', 'finishedAt', 'outcome', 'counts'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    source: { type: 'string' },
    kind: { type: 'string' },
    dryRun: { type: 'boolean' },
    startedBy: { type: ['string', 'null'], format: 'uuid' },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    outcome: { type: 'string', enum: ['running', 'done', 'refused', 'failed'] },
    counts: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;
/** A run as the list of runs shows it (its ImportRun row). */
export type ImportRunSummary = FromSchema<typeof importRunSchema>;
