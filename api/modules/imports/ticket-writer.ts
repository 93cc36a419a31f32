// Tickets from an import, each batch inside the run's transaction: the read-model row and its timeline (creation and
// every comment at their own dates, files included). A closed ticket is history, kept in the read model like any
// ticket closed long ago (its workflow long finished); any other gets its workflow once the run commits
// (live-tickets.ts), carrying on from the imported state, so agents work it (resolved ones reopen, close) like any
// other. A second run rewrites a closed ticket nobody touched since, and keeps anything the desk now owns.
import { createHash, randomUUID } from 'node:crypto';
import type { InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Ticket, User } from '../../../platform/db/entities/index';
import {
  calendarOf,
  fieldErrors,
  fieldOf,
  initialState,
  openingState,
  startClocks,
  stateOf,
  stopClock,
  viewClock,
  type CarriedTicketState,
  type Fields,
  type StateDef,
  type WorkflowDefinition,
} from '../../../workflow-definitions/index';
import type { TicketHeadline, TicketProjection, TicketWorkflowInput } from '../../../workflows/ticket-messages';
import { slaSummary } from '../../../workflows/ticket-initial';
import type { AttachmentBytes } from '../attachments/bytes';
import { erasedAmong } from './erased';
import { knownKeys, rememberKeys, type RememberedKey } from './keys';
import type { ImportTally, RowError, TicketRecord } from './records';
import { insertRows, insertTimelines, updateRows, type Built } from './ticket-batch-writes';

export interface StoredDefinitionLike {
  version: number;
  body: WorkflowDefinition;
}

/** What the ticket writer needs from the rest of the desk, looked up once per run. */
export interface TicketImportContext {
  source: string;
  dryRun: boolean;
  now: number;
  definitionFor(type: string): Promise<StoredDefinitionLike | undefined>;
  queueExists(key: string): Promise<boolean>;
  /** The next `count` ticket numbers, in one round trip (not drawn in a dry run, where numbers are placeholders). */
  nextNumbers(count: number): Promise<number[]>;
  bytes: AttachmentBytes;
  maxAttachmentBytes: number;
  /** The automation rules' idle rules now, armed on every live ticket as a ticket told of them would arm them. */
  idleRules?: CarriedTicketState['rules'];
  /** Files written to the object store, outside the transaction: deleted again if the run rolls back. */
  objectsWritten: string[];
  /** Ids of the tickets written, for their report facts once the run commits. */
  written: string[];
}

type Person = Pick<InferEntity<typeof User>, 'id' | 'email' | 'role' | 'organisationId'>;

interface Planned {
  rec: TicketRecord;
  stored: StoredDefinitionLike;
  state: StateDef;
  queue: string | null;
  fields: Fields;
}

const FINISHED = new Set(['resolved', 'closed']);

/** The fields of a file (text) as the definition types them. */
function typedFields(def: WorkflowDefinition, raw: Fields, errors: RowError[], row: TicketRecord['row']): Fields {
  const out: Fields = {};
  for (const [name, value] of Object.entries(raw)) {
    const field = fieldOf(def, name);
    if (!field || typeof value !== 'string') {
      out[name] = value;
      continue;
    }
    const type = (field as { schema?: { type?: string } }).schema?.type;
    if (type === 'number' || type === 'integer') {
      const n = Number(value);
      if (value.trim() === '' || Number.isNaN(n)) errors.push({ row, column: `field.${name}`, message: `${name} '${value}' is not a number` });
      out[name] = n;
    } else if (type === 'boolean') {
      const v = value.toLowerCase();
      if (!['true', 'false', 'yes', 'no', '1', '0'].includes(v)) errors.push({ row, column: `field.${name}`, message: `${name} '${value}' is not true or false` });
      out[name] = ['true', 'yes', '1'].includes(v);
    } else out[name] = value;
  }
  return out;
}

function resolveState(def: WorkflowDefinition, wanted: TicketRecord['state']): StateDef | string {
  if (!wanted) return initialState(def);
  if ('name' in wanted) return stateOf(def, wanted.name) ?? `state '${wanted.name}' is not one of ${def.key}'s: ${def.states.map((s) => s.name).join(', ')}`;
  return def.states.find((s) => s.category === wanted.category) ?? `${def.key} has no state of category ${wanted.category}`;
}

/** A digest of what the source says, so an unchanged record is left alone on the next run. */
function digestOf(rec: TicketRecord): string {
  const { row: _row, origin: _origin, comments, ...rest } = rec;
  const hash = createHash('sha256').update(JSON.stringify(rest));
  for (const c of comments) {
    hash.update(JSON.stringify({ ...c, attachments: c.attachments.map((a) => [a.filename, a.contentType, createHash('sha256').update(a.bytes).digest('hex')]) }));
  }
  return hash.digest('hex');
}

const peopleByEmail = (tx: EntityManager, emails: string[]): Promise<Person[]> =>
  tx.find(User, { email: { $in: emails } }, { fields: ['id', 'email', 'role', 'organisationId'], disableIdentityMap: true });

/** People the batch names, made as customers when the desk does not know them (as mail from a stranger would). */
async function people(tx: EntityManager, records: TicketRecord[], tally: ImportTally): Promise<Map<string, Person>> {
  const named = new Map<string, string | undefined>();
  for (const r of records) {
    named.set(r.requester.email, r.requester.name ?? named.get(r.requester.email));
    for (const c of r.comments) if (c.author) named.set(c.author.email, c.author.name ?? named.get(c.author.email));
  }
  const assignees = records.map((r) => r.assignee).filter((a): a is string => !!a);
  const emails = [...new Set([...named.keys(), ...assignees])];
  const byEmail = new Map((emails.length ? await peopleByEmail(tx, emails) : []).map((p) => [p.email, p]));
  const missing = [...named].filter(([email]) => !byEmail.has(email));
  if (missing.length) {
    const made = missing.map(([email, name]) => ({ id: randomUUID(), email, name: (name || email.split('@')[0]).slice(0, 200) }));
    // SQL: one set-based insert per batch of the customers it names (a JSON array of rows), measured by bench/csv-import.ts.
    const inserted = await tx.execute<Person[]>(
      `insert into users (id, email, name, role, password_hash) select x.id, x.email, x.name, 'customer', null
       from jsonb_to_recordset(?::jsonb) as x(id uuid, email text, name text) on conflict (email) do nothing returning id, email, role, organisation_id as "organisationId"`,
      [JSON.stringify(made)],
    );
    tally.usersCreated += inserted.length;
    for (const p of inserted) byEmail.set(p.email, p);
    // An address another writer (mail intake, another import) made meanwhile is theirs: read it back.
    const late = missing.map(([email]) => email).filter((email) => !byEmail.has(email));
    if (late.length) {
      for (const p of await peopleByEmail(tx, late)) byEmail.set(p.email, p);
    }
  }
  return byEmail;
}

const actorRole = (p: Person) => p.role as 'admin' | 'agent' | 'customer';

function build(p: Planned, id: string, number: string, who: Map<string, Person>, ctx: TicketImportContext): Built {
  const { rec, stored, state } = p;
  const def = stored.body;
  const requester = who.get(rec.requester.email)!;
  const assignee = rec.assignee ? who.get(rec.assignee)!.id : null;
  const events: Built['events'] = [
    {
      seq: 1,
      type: 'created',
      actor_id: requester.id,
      actor_role: actorRole(requester),
      visibility: 'public',
      at: rec.createdAt,
      data: { title: rec.title, priority: rec.priority, type: rec.type, state: state.name, definition: { key: def.key, version: stored.version }, imported: { source: ctx.source, origin: rec.origin } },
    },
  ];
  const files: Built['files'] = [];
  const comments: CarriedTicketState['comments'] = {};
  let firstResponded = false;
  for (const c of rec.comments) {
    const author = c.author ? who.get(c.author.email)! : null;
    const seq = events.length + 1;
    events.push({
      seq,
      type: 'commented',
      actor_id: author?.id ?? null,
      actor_role: author ? actorRole(author) : 'system',
      visibility: c.visibility,
      at: c.at,
      data: { body: c.body, ...(author ? {} : { importedAuthor: c.authorName ?? '' }) },
    });
    comments[seq] = { authorId: author?.id ?? null, visibility: c.visibility };
    if (c.visibility === 'public' && author?.role !== 'customer') firstResponded = true;
    // A file needs someone who uploaded it: the author, or else the requester who owns the ticket's conversation.
    for (const file of c.attachments) files.push({ id: randomUUID(), seq, author: author?.id ?? requester.id, at: c.at, visibility: c.visibility, file });
  }
  const lastAt = events.reduce((max, e) => (e.at > max ? e.at : max), rec.createdAt);
  const category = state.category as string;
  const finished = FINISHED.has(category);
  const history = category === 'closed';
  const updatedAt = rec.updatedAt && rec.updatedAt > lastAt ? rec.updatedAt : lastAt;
  const lastSeq = events.length;
  const resolvedAt = finished ? (rec.resolvedAt ?? rec.closedAt ?? updatedAt) : null;
  const organisationId = requester.role === 'customer' ? (requester.organisationId ?? null) : null;
  const headline: TicketHeadline = { id, number, type: rec.type, title: rec.title, description: rec.description, priority: rec.priority };
  let live: TicketWorkflowInput | null = null;
  let sla: TicketProjection['sla'] = [];
  if (!history) {
    // Its SLA clocks start as it arrives: the source's own deadlines are not known, and a clock counted from a creation
    // years ago would breach and escalate every imported ticket at once.
    // A resolved ticket's clocks are stopped, as on one resolved in the desk: they run again if it is reopened.
    const started = startClocks(def, rec.priority, ctx.now, !state.slaPaused && !finished).filter((c) => !(firstResponded && c.name === 'firstResponse'));
    const clocks = finished ? started.map((c) => stopClock(c, ctx.now, calendarOf(def, c.calendar))) : started;
    const carried: CarriedTicketState = {
      ...openingState(def, { priority: rec.priority, queue: p.queue, fields: p.fields, title: rec.title, description: rec.description }, ctx.now),
      state: state.name,
      assigneeId: assignee,
      clocks,
      seq: lastSeq,
      unassignedSince: assignee ? null : ctx.now,
      firstResponded,
      comments,
      tags: rec.tags,
      lastActivityAt: ctx.now,
      resolvedAt: resolvedAt === null ? null : Date.parse(resolvedAt),
      ...(ctx.idleRules ? { rules: ctx.idleRules } : {}),
      // A state that asks for an approval opens its round on entry, as it would have in the desk: approvers are found
      // by the workflow at its first turn.
      ...(state.approval ? { approval: { round: lastSeq, state: state.name, openedAt: ctx.now, approvers: null, decisions: {}, comments: [] } } : {}),
    };
    live = {
      ticket: {
        ...headline,
        requesterId: requester.id,
        queue: p.queue,
        fields: p.fields,
        createdAt: rec.createdAt,
        createdBy: { id: requester.id, role: actorRole(requester) },
        organisationId,
      },
      definition: def,
      definitionVersion: stored.version,
      carried,
    };
    sla = clocks.map((c) => viewClock(c, ctx.now, calendarOf(def, c.calendar)));
  }
  const { slaStatus, slaDueAt } = slaSummary(sla);
  return {
    row: {
      ...headline,
      state: state.name,
      stateCategory: category,
      queue: p.queue,
      assigneeId: assignee,
      assignedGroup: null,
      requesterId: requester.id,
      organisationId,
      definitionKey: def.key,
      definitionVersion: stored.version,
      fields: p.fields,
      links: [],
      tags: rec.tags,
      sla,
      slaStatus,
      slaDueAt,
      lastSeq,
      createdAt: rec.createdAt,
      updatedAt,
      resolvedAt,
      closedAt: category === 'closed' ? (rec.closedAt ?? updatedAt) : null,
    },
    events,
    files,
    live,
  };
}

/**
 * Checks and writes one batch. An open ticket's workflow input is kept with its key (start_input) and started once the
 * run commits (live-tickets.ts). Rows with errors are reported and not written (the run then rolls back whole: service.ts).
 */
export async function writeTickets(tx: EntityManager, ctx: TicketImportContext, records: TicketRecord[], tally: ImportTally): Promise<void> {
  const planned: Planned[] = [];
  for (const rec of records) {
    const errors: RowError[] = [];
    const stored = await ctx.definitionFor(rec.type);
    if (!stored) {
      tally.error({ row: rec.row, column: 'type', message: `no published workflow definition serves '${rec.type}'` });
      continue;
    }
    const state = resolveState(stored.body, rec.state);
    if (typeof state === 'string') errors.push({ row: rec.row, column: 'state', message: state });
    const queue = rec.queue ?? stored.body.defaultQueue ?? null;
    if (queue && !(await ctx.queueExists(queue))) errors.push({ row: rec.row, column: 'queue', message: `no queue '${queue}' on this desk` });
    const fields = typedFields(stored.body, rec.fields, errors, rec.row);
    for (const e of fieldErrors(stored.body, fields)) errors.push({ row: rec.row, column: `field.${e.pointer.replace('/fields/', '')}`, message: e.message });
    if (errors.length || typeof state === 'string') {
      errors.forEach((e) => tally.error(e));
      continue;
    }
    planned.push({ rec, stored, state, queue, fields });
  }
  if (!planned.length) return;
  const known = await knownKeys(tx, ctx.source, 'ticket', planned.map((p) => p.rec.key));
  const localIds = [...known.values()].map((k) => k.localId);
  const rows = new Map(
    // Plain rows, not entities, as knownKeys reads them (bench/csv-import.ts).
    (localIds.length
      ? await tx.createQueryBuilder(Ticket).select(['id', 'number', 'lastSeq', 'anonymisedAt']).where({ id: { $in: localIds } }).execute<Array<Pick<InferEntity<typeof Ticket>, 'id' | 'number' | 'lastSeq' | 'anonymisedAt'>>>('all')
      : []
    ).map((r) => [r.id, r]),
  );
  // What each record is to the desk before anybody is looked up: people are resolved (and made) only for what is written.
  const todo: { p: Planned; digest: string; current?: { id: string; number: string } }[] = [];
  for (const p of planned) {
    const { rec } = p;
    const digest = digestOf(rec);
    const mine = known.get(rec.key);
    const current = mine ? rows.get(mine.localId) : undefined;
    if (!mine || !current) todo.push({ p, digest });
    else if (mine.digest === digest) tally.unchanged += 1;
    else if (current.anonymisedAt) tally.skip(`${rec.origin}: ${current.number} was anonymised in the desk: left as it is`);
    else if (mine.live) tally.skip(`${rec.origin}: ${current.number} was not closed when imported and is worked in the desk now: left as it is`);
    else if (current.lastSeq !== mine.importedSeq) tally.skip(`${rec.origin}: ${current.number} changed in the desk since it was imported: left as it is`);
    else todo.push({ p, digest, current });
  }
  if (!todo.length) return;
  const erased = await erasedAmong(tx, todo.flatMap(({ p }) => [p.rec.requester.email, ...p.rec.comments.flatMap((c) => (c.author ? [c.author.email] : []))]));
  const writable = todo.filter(({ p: { rec } }) => {
    const named = [rec.requester.email, ...rec.comments.flatMap((c) => (c.author ? [c.author.email] : []))];
    if (!named.some((email) => erased.has(email))) return true;
    // Their words were removed from the desk on purpose: an import does not bring them back.
    tally.skip(`${rec.origin}: names a person erased from this desk: left out`);
    return false;
  });
  const who = await people(tx, writable.map(({ p }) => p.rec), tally);
  const creates: Built[] = [];
  const rewrites: Built[] = [];
  const numbers = ctx.dryRun ? [] : await ctx.nextNumbers(writable.filter((w) => !w.current).length);
  const keys: RememberedKey[] = [];
  for (const { p, digest, current } of writable) {
    const { rec } = p;
    if (rec.assignee && who.get(rec.assignee)?.role === undefined) {
      tally.error({ row: rec.row, column: 'assignee', message: `${rec.assignee} has no account on this desk (import the agents first)` });
      continue;
    }
    if (rec.assignee && who.get(rec.assignee)!.role === 'customer') {
      tally.error({ row: rec.row, column: 'assignee', message: `${rec.assignee} is a customer here: only agents are assigned tickets` });
      continue;
    }
    if (current) {
      const built = build(p, current.id, current.number, who, ctx);
      if (built.live) {
        // Reopened at the source after a first import as closed: the desk would have to start running it.
        tally.skip(`${rec.origin}: ${current.number} was imported closed and is open at the source now: reopen it in the desk`);
        continue;
      }
      rewrites.push(built);
      keys.push({ externalId: rec.key, localId: current.id, digest, importedSeq: built.row.lastSeq, live: false });
      tally.updated += 1;
      continue;
    }
    const number = ctx.dryRun ? `DRY-RUN-${randomUUID()}` : `${p.stored.body.numberPrefix}-${String(numbers.shift()).padStart(6, '0')}`;
    const built = build(p, randomUUID(), number, who, ctx);
    creates.push(built);
    keys.push({ externalId: rec.key, localId: built.row.id, digest, importedSeq: built.row.lastSeq, live: !!built.live, startInput: built.live });
    tally.created += 1;
  }
  for (const b of [...creates, ...rewrites]) {
    // A file over the desk's limit stays behind, said so, rather than holding back its whole ticket.
    b.files = b.files.filter((f) => {
      if (f.file.bytes.length <= ctx.maxAttachmentBytes) return true;
      tally.note(`${b.row.number}: ${f.file.filename} (${f.file.bytes.length} bytes) is over this desk's attachment limit and was left out`);
      return false;
    });
  }
  if (tally.errorCount) return;
  if (creates.length) await insertRows(tx, creates);
  if (rewrites.length) await updateRows(tx, rewrites);
  await insertTimelines(tx, [...creates, ...rewrites], ctx);
  await rememberKeys(tx, ctx.source, 'ticket', keys);
  for (const b of [...creates, ...rewrites]) ctx.written.push(b.row.id);
}
