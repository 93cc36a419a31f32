// What an import brings, whatever it came from (a CSV file, Request Tracker): records keyed by the source's own ids,
// and the report every run answers with. The writers take these; the readers (csv-rows.ts, request-tracker.ts) make them.
import type { Fields, Priority } from '../../../workflow-definitions/index';
import type { ImportReport } from './schemas';

export const IMPORT_KINDS = ['organisations', 'users', 'assets', 'tickets'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** A row the import cannot take: its line in the file (or the source's id), the column at fault and why. */
export type RowError = ImportReport['errors'][number];

export interface OrganisationRecord {
  row: number | string;
  key: string;
  name: string;
}

export interface UserRecord {
  row: number | string;
  key: string;
  email: string;
  name: string;
  role: 'customer' | 'agent';
  /** undefined: the source says nothing, the account keeps its organisation; null: none. */
  organisation: string | null | undefined;
  locale?: 'en' | 'fr';
  phone?: string | null;
  disabled?: boolean;
}

export const ASSET_KINDS = ['equipment', 'site', 'service'] as const;
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;

export interface AssetRecord {
  row: number | string;
  key: string;
  name: string;
  kind: (typeof ASSET_KINDS)[number];
  category: string;
  location: string;
  criticality: (typeof CRITICALITIES)[number];
}

export interface PersonRef {
  email: string;
  /** Used only when the person has no account yet and one is made. */
  name?: string;
}

export interface AttachmentRecord {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface CommentRecord {
  /** null: someone the source knows without an e-mail address (its own system account, an administrator): kept by name. */
  author: PersonRef | null;
  /** The source's name for an author without an address, shown instead. */
  authorName?: string;
  at: string;
  visibility: 'public' | 'internal';
  body: string;
  attachments: AttachmentRecord[];
}

export interface TicketRecord {
  row: number | string;
  key: string;
  /** How the source names the ticket, shown on its timeline ("RT #12", "row 14 of legacy.csv"). */
  origin: string;
  type: string;
  title: string;
  description: string;
  priority: Priority;
  /** A state of the definition by name, or the first state of a category (a source with its own statuses). */
  state: { name: string } | { category: 'new' | 'open' | 'pending' | 'resolved' | 'closed' } | null;
  queue: string | null;
  requester: PersonRef;
  assignee: string | null;
  createdAt: string;
  updatedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  tags: string[];
  fields: Fields;
  comments: CommentRecord[];
}

/** What a run counts as rows go by; its ImportRun row keeps them too. */
export type ImportCounts = Pick<ImportReport, 'rows' | 'created' | 'updated' | 'unchanged' | 'skipped' | 'usersCreated' | 'workflowsStarted'>;

export const MAX_LISTED_ERRORS = 1000;
const MAX_NOTES = 200;

/** Counts and errors of one run, filled as rows go by. */
export class ImportTally implements ImportCounts {
  rows = 0;
  created = 0;
  updated = 0;
  unchanged = 0;
  skipped = 0;
  usersCreated = 0;
  workflowsStarted = 0;
  errorCount = 0;
  readonly errors: RowError[] = [];
  readonly notes: string[] = [];

  error(e: RowError): void {
    this.errorCount += 1;
    if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push(e);
  }

  note(text: string): void {
    if (this.notes.length < MAX_NOTES) this.notes.push(text);
  }

  skip(text: string): void {
    this.skipped += 1;
    this.note(text);
  }

  counts(): ImportCounts {
    const { rows, created, updated, unchanged, skipped, usersCreated, workflowsStarted } = this;
    return { rows, created, updated, unchanged, skipped, usersCreated, workflowsStarted };
  }
}
