// CSV files into import records: a header row names the columns (any order, any case), each following row is one
// record. Checks here are the ones a row can fail alone (required cells, formats, duplicates within the file); the
// writers check what needs the desk (types, states, queues, accounts).
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { MAX_TAGS, PRIORITIES, type Priority } from '../../../workflow-definitions/index';
import { TAG_PATTERN, normaliseTag } from '../tickets/tags';
import {
  ASSET_KINDS,
  CRITICALITIES,
  type AssetRecord,
  type CommentRecord,
  type ImportKind,
  type OrganisationRecord,
  type RowError,
  type TicketRecord,
  type UserRecord,
} from './records';

export type CsvRecord = OrganisationRecord | UserRecord | AssetRecord | TicketRecord;

/** One file holds at most this many rows: a larger export is split, so one run never holds the desk for long. */
export const MAX_ROWS = 200_000;
/** Rows handed to the writer at a time. */
export const BATCH_ROWS = 500;
const MAX_CELL = 100_000;

/** Columns each kind reads; `field.<name>` (ticket fields) and repeated `comment` / `note` columns come on top for tickets. */
export const COLUMNS: Record<ImportKind, { required: string[]; optional: string[] }> = {
  organisations: { required: ['name'], optional: ['id'] },
  users: { required: ['email', 'name'], optional: ['id', 'role', 'organisation', 'locale', 'phone', 'disabled'] },
  assets: { required: ['name'], optional: ['id', 'kind', 'category', 'location', 'criticality'] },
  tickets: {
    required: ['id', 'title', 'requester', 'created_at'],
    optional: ['type', 'description', 'priority', 'state', 'queue', 'requester_name', 'assignee', 'updated_at', 'resolved_at', 'closed_at', 'tags'],
  },
};
const REPEATABLE = new Set(['comment', 'note']);

const EMAIL = /^[^\s@;,]+@[^\s@;,]+\.[^\s@;,]+$/;
// ISO 8601 as exports write it: a date, or a date and time with an optional zone (none = UTC).
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** An ISO 8601 date or date-time as an ISO string (UTC when the zone is absent), or null when it is not one. */
export function isoDate(text: string): string | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const z = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${z}`);
  // Date accepts 2024-02-31 by rolling over; the text must say the day it means.
  if (Number.isNaN(date.getTime()) || (z === 'Z' && date.getUTCDate() !== Number(d))) return null;
  return date.toISOString();
}

const TAG = new RegExp(TAG_PATTERN, 'u');

const header = (name: string) => name.trim().toLowerCase().replace(/[\s-]+/g, '_');

interface Columns {
  index: Map<string, number>;
  repeated: Map<string, number[]>;
  fields: Map<string, number>;
}

function readHeader(kind: ImportKind, cells: string[], errors: RowError[]): Columns | null {
  const spec = COLUMNS[kind];
  const known = new Set([...spec.required, ...spec.optional]);
  const cols: Columns = { index: new Map(), repeated: new Map(), fields: new Map() };
  cells.forEach((raw, i) => {
    const name = header(raw);
    if (!name) return;
    if (kind === 'tickets' && REPEATABLE.has(name)) cols.repeated.set(name, [...(cols.repeated.get(name) ?? []), i]);
    else if (kind === 'tickets' && name.startsWith('field.') && name.length > 6) cols.fields.set(raw.trim().slice(6), i);
    else if (!known.has(name)) errors.push({ row: 1, column: raw, message: `unknown column '${raw.trim()}'; this file may have ${[...known].join(', ')}${kind === 'tickets' ? ', field.<name>, comment, note' : ''}` });
    else if (cols.index.has(name)) errors.push({ row: 1, column: raw, message: `column '${name}' appears twice` });
    else cols.index.set(name, i);
  });
  for (const name of spec.required) if (!cols.index.has(name)) errors.push({ row: 1, column: name, message: `the column '${name}' is required` });
  return errors.length ? null : cols;
}

class Row {
  readonly errors: RowError[] = [];
  constructor(
    readonly line: number,
    private readonly cells: string[],
    private readonly cols: Columns,
  ) {}

  text(name: string): string {
    const i = this.cols.index.get(name);
    return i === undefined ? '' : (this.cells[i] ?? '').trim();
  }

  has(name: string): boolean {
    return this.cols.index.has(name);
  }

  /** `column` undefined: the row as a whole. */
  fail(column: string | undefined, message: string): void {
    this.errors.push({ row: this.line, ...(column ? { column } : {}), message });
  }

  required(name: string, max: number): string {
    const value = this.text(name).replace(/\s+/g, ' ');
    if (!value) this.fail(name, `${name} is required`);
    else if (value.length > max) this.fail(name, `${name} is longer than ${max} characters`);
    return value;
  }

  optional(name: string, max: number): string {
    const value = this.text(name);
    if (value.length > max) this.fail(name, `${name} is longer than ${max} characters`);
    return value;
  }

  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.text(name).toLowerCase();
    if (!value) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.fail(name, `${name} '${value}' is not one of ${allowed.join(', ')}`);
    return fallback;
  }

  email(name: string, required: boolean): string | null {
    const value = this.text(name).toLowerCase();
    if (!value) {
      if (required) this.fail(name, `${name} is required`);
      return null;
    }
    if (!EMAIL.test(value) || value.length > 254) {
      this.fail(name, `'${value}' is not an e-mail address`);
      return null;
    }
    return value;
  }

  date(name: string, required: boolean, now: number): string | null {
    const value = this.text(name);
    if (!value) {
      if (required) this.fail(name, `${name} is required`);
      return null;
    }
    const iso = isoDate(value);
    if (!iso) this.fail(name, `'${value}' is not a date (ISO 8601: 2024-03-01 or 2024-03-01T14:05:00Z)`);
    else if (Date.parse(iso) > now + 60_000) this.fail(name, `${name} ${iso} is in the future`);
    return iso;
  }

  repeated(name: string): { cell: string; column: string }[] {
    return (this.cols.repeated.get(name) ?? []).map((i) => ({ cell: (this.cells[i] ?? '').trim(), column: name })).filter((c) => c.cell);
  }

  fieldCells(): [string, string][] {
    return [...this.cols.fields].map(([name, i]) => [name, (this.cells[i] ?? '').trim()] as [string, string]).filter(([, v]) => v !== '');
  }
}

function organisation(r: Row): OrganisationRecord {
  const name = r.required('name', 200);
  return { row: r.line, key: r.optional('id', 200) || name, name };
}

function user(r: Row): UserRecord {
  const email = r.email('email', true) ?? '';
  const organisation = r.has('organisation') ? r.optional('organisation', 200).replace(/\s+/g, ' ') || null : undefined;
  const disabled = r.text('disabled').toLowerCase();
  if (disabled && !['true', 'false', 'yes', 'no', '1', '0'].includes(disabled)) r.fail('disabled', `disabled '${disabled}' is not true or false`);
  return {
    row: r.line,
    key: r.optional('id', 200) || email,
    email,
    name: r.required('name', 200),
    // Administrators are made in the desk, never by a file: an import cannot hand anybody the keys.
    role: r.choice('role', ['customer', 'agent'] as const, 'customer'),
    organisation,
    ...(r.has('locale') && r.text('locale') ? { locale: r.choice('locale', ['en', 'fr'] as const, 'en') } : {}),
    ...(r.has('phone') ? { phone: r.optional('phone', 50) || null } : {}),
    ...(disabled ? { disabled: ['true', 'yes', '1'].includes(disabled) } : {}),
  };
}

function asset(r: Row): AssetRecord {
  const name = r.required('name', 200);
  return {
    row: r.line,
    key: r.optional('id', 200) || name,
    name,
    kind: r.choice('kind', ASSET_KINDS, 'equipment'),
    category: r.optional('category', 100),
    location: r.optional('location', 200),
    criticality: r.choice('criticality', CRITICALITIES, 'medium'),
  };
}

/** A `comment` or `note` cell: `date;author e-mail;text` (the text may itself hold semicolons). */
function comment(r: Row, cell: string, column: string, visibility: 'public' | 'internal', now: number): CommentRecord | null {
  const first = cell.indexOf(';');
  const second = first < 0 ? -1 : cell.indexOf(';', first + 1);
  if (second < 0) {
    r.fail(column, `a ${column} cell is 'date;author e-mail;text'`);
    return null;
  }
  const at = isoDate(cell.slice(0, first));
  const author = cell.slice(first + 1, second).trim().toLowerCase();
  const body = cell.slice(second + 1).trim();
  if (!at) r.fail(column, `'${cell.slice(0, first)}' is not a date (ISO 8601)`);
  else if (Date.parse(at) > now + 60_000) r.fail(column, `${column} dated ${at} is in the future`);
  if (!EMAIL.test(author)) r.fail(column, `'${author}' is not an e-mail address`);
  if (!body) r.fail(column, `the ${column} has no text`);
  if (!at || !EMAIL.test(author) || !body) return null;
  return { author: { email: author }, at, visibility, body, attachments: [] };
}

function ticket(r: Row, file: string, now: number): TicketRecord {
  const key = r.required('id', 200);
  const createdAt = r.date('created_at', true, now) ?? '';
  const comments = [
    ...r.repeated('comment').map((c) => comment(r, c.cell, c.column, 'public', now)),
    ...r.repeated('note').map((c) => comment(r, c.cell, c.column, 'internal', now)),
  ].filter((c): c is CommentRecord => !!c);
  for (const c of comments) if (createdAt && c.at < createdAt) r.fail(c.visibility === 'public' ? 'comment' : 'note', `a ${c.visibility === 'public' ? 'comment' : 'note'} dated ${c.at} is older than the ticket`);
  comments.sort((a, b) => a.at.localeCompare(b.at));
  const tags = [...new Set(r.optional('tags', 2000).split(/[;,]/).map(normaliseTag).filter(Boolean))].sort();
  for (const tag of tags) if (!TAG.test(tag)) r.fail('tags', `'${tag}' is not a tag: letters, digits and . _ : - only, 40 at most`);
  if (tags.length > MAX_TAGS) r.fail('tags', `a ticket has at most ${MAX_TAGS} tags (${tags.length} given)`);
  const state = r.text('state');
  return {
    row: r.line,
    key,
    origin: `${file} line ${r.line}`,
    type: r.text('type') || 'incident',
    title: r.required('title', 200),
    description: r.optional('description', MAX_CELL),
    priority: r.choice('priority', PRIORITIES, 'medium' as Priority),
    state: state ? { name: state } : null,
    queue: r.text('queue') || null,
    requester: { email: r.email('requester', true) ?? '', name: r.optional('requester_name', 200) || undefined },
    assignee: r.email('assignee', false),
    createdAt,
    updatedAt: r.date('updated_at', false, now),
    resolvedAt: r.date('resolved_at', false, now),
    closedAt: r.date('closed_at', false, now),
    tags,
    fields: Object.fromEntries(r.fieldCells()),
    comments,
  };
}

/**
 * The file's records in batches, each with the errors of its rows; a file that cannot be read on (a quote never
 * closed, too many rows) ends with that error. Every row is read even after errors, so the report lists them all.
 */
export async function* csvRecords(kind: ImportKind, body: Readable, file: string, now = Date.now()): AsyncGenerator<{ records: CsvRecord[]; errors: RowError[] }> {
  const parser = body.pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true, max_record_size: 1_000_000, info: true }));
  let cols: Columns | null = null;
  const seen = new Set<string>();
  const emails = new Set<string>();
  let batch: CsvRecord[] = [];
  let errors: RowError[] = [];
  let rows = 0;
  let width = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!cols) {
        const headerErrors: RowError[] = [];
        cols = readHeader(kind, record, headerErrors);
        width = record.length;
        if (!cols) {
          yield { records: [], errors: headerErrors };
          return;
        }
        continue;
      }
      if (++rows > MAX_ROWS) {
        yield { records: batch, errors: [...errors, { row: info.lines, message: `a file holds at most ${MAX_ROWS} rows: split it` }] };
        return;
      }
      const row = new Row(info.lines, record, cols);
      // More cells than the header names: a comma left unquoted has shifted the row, whatever its cells now say.
      if (record.length > width && record.slice(width).some((c) => c.trim())) row.fail(undefined, `the row has ${record.length} cells and the header names ${width} columns: quote cells that hold a comma`);
      const rec = kind === 'organisations' ? organisation(row) : kind === 'users' ? user(row) : kind === 'assets' ? asset(row) : ticket(row, file, now);
      // Keys are compared as written, as the next run will find them.
      if (rec.key && seen.has(rec.key)) row.fail(kind === 'users' && !row.text('id') ? 'email' : kind === 'tickets' ? 'id' : row.text('id') ? 'id' : 'name', `'${rec.key}' appears twice in the file`);
      else if (kind === 'users' && row.text('id') && (rec as UserRecord).email && emails.has((rec as UserRecord).email)) row.fail('email', `'${(rec as UserRecord).email}' appears twice in the file`);
      seen.add(rec.key);
      if (kind === 'users') emails.add((rec as UserRecord).email);
      // A row's errors read left to right, as the person fixing the file reads the row.
      const c = cols;
      const at = (e: RowError) => (e.column === undefined ? -1 : (c.index.get(e.column) ?? c.repeated.get(e.column)?.[0] ?? c.fields.get(e.column.slice(6)) ?? Infinity));
      if (row.errors.length) errors.push(...row.errors.sort((a, b) => at(a) - at(b)));
      else batch.push(rec);
      if (batch.length + errors.length >= BATCH_ROWS) {
        yield { records: batch, errors };
        batch = [];
        errors = [];
      }
    }
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string };
    yield { records: batch, errors: [...errors, { row: e.lines ?? rows + 1, message: `the file cannot be read as CSV here: ${e.message}` }] };
    return;
  }
  if (!cols) {
    yield { records: [], errors: [{ row: 1, message: 'the file is empty: the first row names the columns' }] };
    return;
  }
  if (batch.length || errors.length) yield { records: batch, errors };
}
