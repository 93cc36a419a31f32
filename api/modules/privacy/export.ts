// Everything the desk holds about one person (GDPR art. 15 and 20), as one ZIP archive streamed as it is built: JSON
// documents for the account, tickets, comments, audit entries and mail, and the files the person sent.
import { Readable } from 'node:stream';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../../platform/db/entities/index';
import { notFound } from '../../http/problem';
import type { AttachmentBytes, AttachmentStoreKind } from '../attachments/bytes';

/** The audit trail can be long for an admin; the archive says when it holds only the latest entries. */
const AUDIT_LIMIT = 10_000;

interface Part {
  name: string;
  json?: unknown;
  file?: () => Readable;
}

const README = (email: string, at: string) => `Personal data held by the service desk about ${email}, exported ${at}.

account.json        the account: name, address, role, organisation, groups, sign-in methods (never secrets), API tokens, notification choices
tickets.json        the tickets this person requested, each with its whole timeline (public replies and internal notes)
comments.json       every comment this person wrote, on any ticket
watching.json       the tickets this person follows
ratings.json        the satisfaction ratings this person gave
mail.json           the e-mails the desk sent to this person (subject, kind, when, outcome)
audit.json          audit-log entries of what this person did, or of changes made to this account
files/              the files this person attached to tickets (files/index.json lists them)
`;

export class PersonalDataExport {
  constructor(
    private readonly em: EntityManager,
    private readonly bytes: AttachmentBytes,
  ) {}

  /** Checks the person exists before the first byte is sent, so a wrong id is a 404 and not a broken download. */
  async open(userId: string): Promise<{ filename: string; stream: Readable }> {
    const em = this.em.fork();
    const person = await em.findOne(User, userId, { fields: ['email'] });
    if (!person) throw notFound(`no user ${userId}`);
    return { filename: `personal-data-${userId}.zip`, stream: Readable.from(zipParts(this.parts(userId, person.email))) };
  }

  private async *parts(userId: string, email: string): AsyncGenerator<Part> {
    const em = this.em.fork();
    // SQL: each part of the archive is one JSON document the database builds (json_agg), so no part is assembled row by row here.
    const doc = async (sql: string, params: unknown[]) => ((await em.execute<Array<{ doc: unknown }>>(sql, params))[0]?.doc ?? null);
    yield { name: 'README.txt', file: () => Readable.from([Buffer.from(README(email, new Date().toISOString()))]) };
    yield {
      name: 'account.json',
      json: await doc(
        `select json_build_object(
           'id', u.id, 'email', u.email, 'name', u.name, 'role', u.role, 'locale', u.locale, 'phone', u.phone, 'disabled', u.disabled,
           'createdAt', u.created_at, 'updatedAt', u.updated_at, 'externalId', u.external_id, 'directoryUserName', u.scim_user_name, 'erasedAt', u.erased_at,
           'organisation', o.name,
           'groups', (select coalesce(json_agg(g.name order by g.name), '[]') from group_members gm join groups g on g.key = gm.group_key where gm.user_id = u.id),
           'singleSignOn', (select coalesce(json_agg(json_build_object('issuer', i.issuer, 'subject', i.subject, 'linkedAt', i.created_at)), '[]') from user_identities i where i.user_id = u.id),
           'localPassword', u.password_hash is not null,
           'twoStepSignIn', (select m.enabled_at from user_mfa m where m.user_id = u.id),
           'passkeys', (select coalesce(json_agg(json_build_object('name', p.name, 'createdAt', p.created_at, 'lastUsedAt', p.last_used_at) order by p.created_at), '[]') from user_passkeys p where p.user_id = u.id),
           'apiTokens', (select coalesce(json_agg(json_build_object('name', t.name, 'prefix', t.prefix, 'scope', t.scope, 'createdAt', t.created_at, 'lastUsedAt', t.last_used_at, 'revokedAt', t.revoked_at) order by t.created_at), '[]') from api_tokens t where t.user_id = u.id),
           'notificationPreferences', (select coalesce(json_agg(to_jsonb(n) - 'user_id'), '[]') from notification_preferences n where n.user_id = u.id)
         ) as doc
         from users u left join organisations o on o.id = u.organisation_id where u.id = ?`,
        [userId],
      ),
    };
    // Others who acted on the ticket appear by role: their names are their data, not this person's.
    yield {
      name: 'tickets.json',
      json: await doc(
        `select coalesce(json_agg(json_build_object(
           'number', t.number, 'type', t.type, 'title', t.title, 'description', t.description, 'priority', t.priority, 'state', t.state, 'queue', t.queue,
           'fields', t.fields, 'tags', t.tags, 'createdAt', t.created_at, 'updatedAt', t.updated_at, 'resolvedAt', t.resolved_at, 'closedAt', t.closed_at,
           'timeline', (select coalesce(json_agg(json_build_object('seq', e.seq, 'type', e.type, 'at', e.at, 'visibility', e.visibility,
                          'by', case when e.actor_id = t.requester_id then 'you' else e.actor_role end, 'data', e.data) order by e.seq), '[]')
                        from ticket_events e where e.ticket_id = t.id)
         ) order by t.created_at), '[]') as doc
         from tickets t where t.requester_id = ?`,
        [userId],
      ),
    };
    yield {
      name: 'comments.json',
      json: await doc(
        `select coalesce(json_agg(json_build_object('ticket', t.number, 'at', e.at, 'visibility', e.visibility, 'type', e.type, 'body', e.data->>'body') order by e.at), '[]') as doc
         from ticket_events e join tickets t on t.id = e.ticket_id where e.actor_id = ? and e.type in ('commented', 'comment_edited')`,
        [userId],
      ),
    };
    yield {
      name: 'watching.json',
      json: await doc(`select coalesce(json_agg(json_build_object('ticket', t.number, 'title', t.title, 'since', w.created_at) order by w.created_at), '[]') as doc from ticket_watchers w join tickets t on t.id = w.ticket_id where w.user_id = ?`, [userId]),
    };
    yield {
      name: 'ratings.json',
      json: await doc(`select coalesce(json_agg(json_build_object('ticket', t.number, 'score', r.score, 'comment', r.comment, 'at', r.updated_at) order by r.created_at), '[]') as doc from ticket_ratings r join tickets t on t.id = r.ticket_id where r.rater_id = ?`, [userId]),
    };
    yield {
      name: 'mail.json',
      json: await doc(
        `select coalesce(json_agg(json_build_object('to', m.to_address, 'kind', m.kind, 'subject', m.subject, 'status', m.status, 'createdAt', m.created_at, 'sentAt', m.sent_at) order by m.created_at), '[]') as doc
         from mail_outbox m where m.recipient_id = ?`,
        [userId],
      ),
    };
    // What this person changed elsewhere is other people's data: the details only of changes to this account. SQL: one
    // JSON document, like the parts above.
    const audit = await em.execute<Array<{ doc: unknown[] }>>(
      `select coalesce(json_agg(x order by x.at desc), '[]') as doc from (
         select a.at, a.action, a.target, a.outcome, a.status, a.via, a.ip, a.entity, a.entity_id as "entityId",
                case when a.entity = 'user' and a.entity_id = ? then a.detail end as detail, (a.actor_id = ?) as "byThisPerson"
         from audit_log a where a.actor_id = ? or (a.entity = 'user' and a.entity_id = ?) order by a.at desc limit ${AUDIT_LIMIT}) x`,
      [userId, userId, userId, userId],
    );
    yield { name: 'audit.json', json: { entries: audit[0]?.doc ?? [], limitedToLatest: (audit[0]?.doc.length ?? 0) >= AUDIT_LIMIT ? AUDIT_LIMIT : null } };
    // SQL: the person's files with their tickets' numbers, which name the archive's folders, in one read.
    const files = await em.execute<Array<{ id: string; filename: string; content_type: string; size: number; sha256: string; number: string; created_at: Date; store: AttachmentStoreKind }>>(
      `select a.id, a.filename, a.content_type, a.size, a.sha256, t.number, a.created_at, a.store from attachments a join tickets t on t.id = a.ticket_id
       where a.uploaded_by = ? and a.sha256 <> '' order by a.created_at`,
      [userId],
    );
    const index = files.map((f) => ({ path: `files/${f.number}/${f.id}-${safeName(f.filename)}`, ticket: f.number, filename: f.filename, contentType: f.content_type, size: f.size, sha256: f.sha256, at: f.created_at }));
    yield { name: 'files/index.json', json: index };
    for (const [i, f] of files.entries()) yield { name: index[i]!.path, file: () => this.bytes.read(f) };
  }
}

/** A name safe inside a ZIP on every system: no folders, no control characters. */
function safeName(name: string): string {
  return name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').slice(0, 120) || 'file';
}

/** Streams the parts as one ZIP: compressed documents, stored files (usually compressed already), output as produced. */
async function* zipParts(parts: AsyncIterable<Part>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else out.push(chunk);
  });
  const drain = function* () {
    if (failure) throw failure;
    while (out.length) yield out.shift()!;
  };
  for await (const part of parts) {
    if (part.json !== undefined) {
      const entry = new ZipDeflate(part.name, { level: 6 });
      zip.add(entry);
      entry.push(Buffer.from(JSON.stringify(part.json, null, 2)), true);
    } else {
      const entry = new ZipPassThrough(part.name);
      zip.add(entry);
      for await (const piece of part.file!()) {
        entry.push(piece as Uint8Array, false);
        yield* drain();
      }
      entry.push(new Uint8Array(0), true);
    }
    yield* drain();
  }
  zip.end();
  yield* drain();
}
