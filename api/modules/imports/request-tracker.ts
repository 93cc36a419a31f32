// A whole Request Tracker 5 desk over its REST2 API (/REST/2.0/) as import batches: its queues, its people (privileged
// users become agents), then its tickets with their conversation (correspondence public, comments internal) and files.
// Read only: the importer never changes anything in RT. Written against RT 5.0's REST2 as Debian ships it.
import type { Priority } from '../../../workflow-definitions/index';
import type { ImportBatch } from './service';
import type { AttachmentRecord, CommentRecord, ImportTally, TicketRecord, UserRecord } from './records';

export interface RequestTrackerSource {
  /** The RT web root, e.g. https://rt.example.com (REST2 is under /REST/2.0/). */
  url: string;
  /** An RT auth token (RT → Logged in as → Settings → Auth Tokens). */
  token: string;
  /** TicketSQL choosing the tickets (default: all). */
  query?: string;
  /** The desk's ticket type for RT's tickets (default incident). */
  ticketType?: string;
  maxAttachmentBytes: number;
}

const PAGE = 100;
const TICKETS_PER_BATCH = 50;
const USERS_PER_BATCH = 200;
const REQUEST_TIMEOUT_MS = 30_000;
/** RT's "not set" date. */
const UNSET = '1970-01-01T00:00:00Z';
/** RT's own accounts, never people. */
const SYSTEM_USERS = new Set(['RT_System', 'Nobody']);
const EMAIL = /^[^\s@;,]+@[^\s@;,]+\.[^\s@;,]+$/;

/** An RT answer the import cannot go on without: the message names what was asked and what RT said. */
export class RequestTrackerError extends Error {}

interface Ref {
  id: string;
  Name?: string;
  EmailAddress?: string;
  RealName?: string;
}

interface Page<T> {
  items: T[];
  page: number;
  pages: number;
}

class RestClient {
  private readonly base: string;
  constructor(
    url: string,
    private readonly token: string,
  ) {
    this.base = `${url.replace(/\/+$/, '')}/REST/2.0`;
  }

  async get<T>(path: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { headers: { authorization: `token ${this.token}`, accept: 'application/json' }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      throw new RequestTrackerError(`Request Tracker at ${this.base} did not answer: ${(err as Error).message}`);
    }
    if (res.status === 401 || res.status === 403) throw new RequestTrackerError(`Request Tracker refused the token (${res.status}): check it and that its user may see every queue`);
    if (!res.ok) throw new RequestTrackerError(`Request Tracker answered ${res.status} to GET ${path.split('?')[0]}`);
    try {
      return (await res.json()) as T;
    } catch {
      throw new RequestTrackerError(`Request Tracker's answer to GET ${path.split('?')[0]} is not JSON: is ${this.base} an RT 5 REST2 API?`);
    }
  }

  /** Every item of a paged collection, page after page (`path` has its query already). */
  async *all<T>(path: string): AsyncGenerator<T> {
    for (let page = 1; ; page++) {
      const answer = await this.get<Page<T>>(`${path}&per_page=${PAGE}&page=${page}`);
      yield* answer.items ?? [];
      if (!answer.pages || page >= answer.pages) return;
    }
  }
}

/** An RT date as ISO, null when RT says "not set"; one that is no date stops the import with RT named as the cause. */
function dateOf(value: string | undefined): string | null {
  if (!value || value === UNSET) return null;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new RequestTrackerError(`Request Tracker sent '${value}' where a date was expected`);
  return at.toISOString();
}

/** RT 5's default priority names are Low 0, Medium 50, High 100. */
export function priorityOf(rt: string | number | undefined): Priority {
  const n = Number(rt ?? 0);
  return n >= 75 ? 'high' : n >= 25 ? 'medium' : 'low';
}

/**
 * RT's statuses by what they mean; `resolved` and `rejected` end a ticket in RT, so it is closed here. A status of a
 * custom lifecycle is taken for work in progress (open, and noted): closing it by mistake would drop it from the queues.
 */
export function stateOf(status: string): { category: 'new' | 'open' | 'pending' | 'closed'; custom?: true } | 'deleted' {
  switch (status) {
    case 'new':
      return { category: 'new' };
    case 'open':
      return { category: 'open' };
    case 'stalled':
      return { category: 'pending' };
    case 'resolved':
    case 'rejected':
      return { category: 'closed' };
    case 'deleted':
      return 'deleted';
    default:
      return { category: 'open', custom: true };
  }
}

/** A queue key of the desk for an RT queue name ("IT Support" → "it_support"). */
export function queueKeyOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 50);
  return /^[a-z]/.test(slug) ? slug : `rt_${slug || 'queue'}`;
}

const emailOf = (ref: Ref | undefined): string | null => {
  const email = ref?.EmailAddress?.trim().toLowerCase();
  return email && EMAIL.test(email) ? email : null;
};

interface AttachmentItem {
  id: string;
  Filename: string;
  ContentType: string;
  ContentLength: string;
  Content?: string | null;
}

/** The message of a transaction: its text part (HTML as text when that is all there is) and its files. */
async function messageOf(rt: RestClient, transactionId: string, source: RequestTrackerSource, tally: ImportTally, origin: string): Promise<{ text: string; files: AttachmentRecord[] }> {
  let text = '';
  let html = '';
  const files: AttachmentRecord[] = [];
  for await (const a of rt.all<AttachmentItem>(`/transaction/${transactionId}/attachments?fields=Filename,ContentType,ContentLength,Content`)) {
    const type = (a.ContentType ?? '').toLowerCase();
    if (a.Filename) {
      if (Number(a.ContentLength) > source.maxAttachmentBytes) {
        tally.note(`${origin}: ${a.Filename} (${a.ContentLength} bytes) is over this desk's attachment limit and was left out`);
        continue;
      }
      // In collections RT gives the raw content, which mangles binary files; one by one it is base64.
      const one = await rt.get<{ Content: string | null }>(`/attachment/${a.id}`);
      files.push({ filename: a.Filename, contentType: type || 'application/octet-stream', bytes: Buffer.from(one.Content ?? '', 'base64') });
    } else if (type === 'text/plain' && !text) text = a.Content ?? '';
    else if (type === 'text/html' && !html) html = a.Content ?? '';
  }
  if (!text && html) text = html.replace(/<(br|\/p|\/div)\s*\/?>/gi, '\n').replace(/<[^>]*>/g, '').replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return { text: text.trim(), files };
}

interface TicketItem {
  id: string;
  Subject: string;
  Status: string;
  Queue: { Name: string };
  Owner: Ref;
  Requestor: Ref[];
  Created: string;
  Resolved: string;
  LastUpdated: string;
  Priority: string;
}

interface TransactionItem {
  id: string;
  Type: string;
  Created: string;
  Creator: Ref;
}

async function ticketOf(rt: RestClient, t: TicketItem, source: RequestTrackerSource, tally: ImportTally): Promise<TicketRecord | null> {
  const origin = `RT #${t.id}`;
  const status = stateOf(t.Status);
  if (status === 'deleted') return null;
  if (status.custom) tally.note(`${origin}: RT status '${t.Status}' is not one of RT's own: imported as open`);
  const state = { category: status.category };
  const requestor = t.Requestor?.find((r) => emailOf(r));
  if (!requestor) {
    tally.skip(`${origin}: no requestor with an e-mail address: left in RT`);
    return null;
  }
  const createdAt = dateOf(t.Created);
  if (!createdAt) throw new RequestTrackerError(`${origin} has no creation date`);
  let description = '';
  const comments: CommentRecord[] = [];
  for await (const tx of rt.all<TransactionItem>(`/ticket/${t.id}/history?fields=Type,Created,Creator&fields[Creator]=Name,EmailAddress,RealName`)) {
    // EmailRecord: RT's copies of the mail it sent (auto-replies, notifications), not part of the conversation.
    if (tx.Type !== 'Create' && tx.Type !== 'Correspond' && tx.Type !== 'Comment') continue;
    const message = await messageOf(rt, tx.id, source, tally, origin);
    const author = emailOf(tx.Creator);
    if (tx.Type === 'Create' && !description && !message.files.length) {
      description = message.text;
      continue;
    }
    if (!message.text && !message.files.length) continue;
    comments.push({
      author: author ? { email: author, name: tx.Creator.RealName || undefined } : null,
      ...(author ? {} : { authorName: tx.Creator.Name ?? tx.Creator.id }),
      at: dateOf(tx.Created) ?? createdAt,
      visibility: tx.Type === 'Comment' ? 'internal' : 'public',
      body: message.text || '(files)',
      attachments: message.files,
    });
  }
  // RT stamps every message of the ticket's creation at once; nothing is older than the ticket.
  for (const c of comments) if (c.at < createdAt) c.at = createdAt;
  comments.sort((a, b) => a.at.localeCompare(b.at));
  const owner = t.Owner && !SYSTEM_USERS.has(t.Owner.id) ? emailOf(t.Owner) : null;
  const resolved = dateOf(t.Resolved);
  return {
    row: origin,
    key: t.id,
    origin,
    type: source.ticketType ?? 'incident',
    title: (t.Subject || '').trim().replace(/\s+/g, ' ').slice(0, 200) || `(no subject) ${origin}`,
    description,
    priority: priorityOf(t.Priority),
    state,
    queue: queueKeyOf(t.Queue?.Name ?? 'General'),
    requester: { email: emailOf(requestor)!, name: requestor.RealName || undefined },
    assignee: owner,
    createdAt,
    updatedAt: dateOf(t.LastUpdated),
    resolvedAt: resolved,
    closedAt: state.category === 'closed' ? resolved : null,
    tags: [],
    fields: {},
    comments,
  };
}

interface UserItem {
  id: string;
  Name: string;
  EmailAddress?: string;
  RealName?: string;
  Organization?: string;
}

/** The whole desk as batches: queues, then people, then tickets (each batch's people already written before it). */
export async function* requestTrackerBatches(source: RequestTrackerSource, tally: ImportTally): AsyncGenerator<ImportBatch> {
  const rt = new RestClient(source.url, source.token);
  await rt.get<{ Version: string }>('/rt');

  const queues: { key: string; name: string }[] = [];
  for await (const q of rt.all<{ Name: string; Disabled: string }>(`/queues/all?fields=Name,Disabled&find_disabled_rows=1`)) {
    queues.push({ key: queueKeyOf(q.Name), name: q.Name.slice(0, 200) });
  }
  yield { queues, rows: queues.length };

  let users: UserRecord[] = [];
  const allUsers = `/users?query=${encodeURIComponent(JSON.stringify([{ field: 'Name', operator: '!=', value: '' }]))}&find_disabled_rows=1&fields=Name,EmailAddress,RealName,Organization`;
  for await (const u of rt.all<UserItem>(allUsers)) {
    const email = emailOf(u as Ref);
    if (SYSTEM_USERS.has(u.Name) || !email) continue;
    // Privileged and Disabled are not columns of the collection: each person is read once.
    const full = await rt.get<{ Privileged: number | string; Disabled: string }>(`/user/${encodeURIComponent(u.Name)}`);
    users.push({
      row: `RT user ${u.Name}`,
      key: u.Name,
      email,
      name: (u.RealName || u.Name).trim().slice(0, 200),
      role: Number(full.Privileged) === 1 ? 'agent' : 'customer',
      // An RT account with no organisation says nothing about one: an organisation the desk knows is kept.
      organisation: Number(full.Privileged) === 1 ? null : u.Organization?.trim().slice(0, 200) || undefined,
      disabled: full.Disabled === '1',
    });
    if (users.length >= USERS_PER_BATCH) {
      yield { users, rows: users.length };
      users = [];
    }
  }
  if (users.length) yield { users, rows: users.length };

  let tickets: TicketRecord[] = [];
  const fields = 'fields=Subject,Status,Queue,Owner,Requestor,Created,Resolved,LastUpdated,Priority&fields[Queue]=Name&fields[Owner]=Name,EmailAddress&fields[Requestor]=Name,EmailAddress,RealName';
  let rows = 0;
  // Tickets made in RT while it is read shift its pages: one seen twice is taken once.
  const seen = new Set<string>();
  for await (const t of rt.all<TicketItem>(`/tickets?query=${encodeURIComponent(source.query || 'id > 0')}&orderby=id&${fields}`)) {
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    rows += 1;
    const record = await ticketOf(rt, t, source, tally);
    if (record) tickets.push(record);
    if (rows >= TICKETS_PER_BATCH) {
      yield { tickets, rows };
      tickets = [];
      rows = 0;
    }
  }
  if (rows) yield { tickets, rows };
}
