// Erasing a person (GDPR art. 17): the account stays as an anonymous row so tickets, reports and the audit trail keep
// their shape, but nothing left in the read model names the person or holds what they wrote.
import { LockMode, raw, type EntityName, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ApiToken,
  Attachment,
  ErasedAddress,
  GroupMember,
  ImportKey,
  KbFeedback,
  LdapAccount,
  Macro,
  MailInbound,
  MailOutboxMessage,
  MailUndeliverable,
  NotificationPreference,
  PasswordReset,
  SavedView,
  Session,
  Ticket,
  TicketEvent,
  TicketPresence,
  TicketWatcher,
  User,
  UserIdentity,
  UserMfa,
  UserPasskey,
  WebauthnChallenge,
} from '../../../platform/db/entities/index';
import { badRequest, notFound, unprocessable } from '../../http/problem';
import { anonymiseContributions, anonymiseTickets } from '../../../platform/privacy/anonymise';
import type { TellWorkflows } from '../../../platform/privacy/tell-workflows';
import { requireBuiltInAdmin } from '../iam/permissions';
import type { AuthUser } from '../auth/types';
import { refuseLosingLastAdmin } from '../iam/last-admin';
import { PEOPLE_ONLY } from '../../../platform/access/service-accounts';
import { addressDigest } from '../../../platform/privacy/address-digest';

export const ERASED_NAME = 'Erased user';
const erasedEmail = (id: string) => `erased-${id}@erased.invalid`;
/**
 * The rows that are the person's alone (ways to sign in or act as them, their settings and marks), each keyed by
 * user_id: typed by that column only, which is all the erasure asks of them.
 */
const OWN_ROWS = [Session, UserMfa, UserPasskey, WebauthnChallenge, UserIdentity, PasswordReset, NotificationPreference, TicketWatcher, TicketPresence, GroupMember, KbFeedback, LdapAccount] as ReadonlyArray<EntityName<{ userId: string }>>;

export interface ErasureReport {
  id: string;
  ticketsAnonymised: number;
  commentsRemoved: number;
  filesReplaced: number;
}

export class ErasureService {
  constructor(
    private readonly em: EntityManager,
    private readonly tell: TellWorkflows,
  ) {}

  /** `confirm` must repeat the account's e-mail address: an erasure cannot be undone. All or nothing, in one transaction. */
  async erase(userId: string, confirm: string, caller?: AuthUser): Promise<ErasureReport> {
    const { report, anonymised } = await this.em.fork().transactional(async (tx) => {
      const person = await tx.findOne(User, userId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!person) throw notFound(`no user ${userId}`);
      if (caller && person.role === 'admin') requireBuiltInAdmin(caller, 'erase an admin');
      if (!(await tx.count(User, { id: userId, ...PEOPLE_ONLY }))) throw badRequest('this is a webhook endpoint’s service account: delete the endpoint instead', [], 'service-account');
      if (person.erasedAt) throw unprocessable('this account is already erased', [], 'already-erased');
      if (confirm.trim().toLowerCase() !== person.email) {
        throw unprocessable('the confirmation does not match the account’s e-mail address', [{ pointer: '/confirm', message: 'type the account’s e-mail address' }], 'confirmation-mismatch');
      }
      await refuseLosingLastAdmin(tx, userId, 'erasing it');

      const comments = await tx.count(TicketEvent, { actorId: userId, type: { $in: ['commented', 'comment_edited'] } });
      const files = await tx.count(Attachment, { uploadedBy: userId });
      const requested = await tx.createQueryBuilder(Ticket).select('id').where({ requesterId: userId }).execute<Array<Pick<InferEntity<typeof Ticket>, 'id'>>>();
      const anonymised = await anonymiseTickets(tx, requested.map((t) => t.id));
      await anonymiseContributions(tx, userId);

      // Ways to act as the person, and what only they had.
      for (const entity of OWN_ROWS) await tx.nativeDelete(entity, { userId });
      await tx.nativeDelete(SavedView, { userId, sharedWith: 'me' });
      await tx.nativeDelete(Macro, { ownerId: userId });
      await tx.nativeUpdate(ApiToken, { userId, revokedAt: null }, { revokedAt: raw('now()') });

      // Copies of the address: mail sent to or received from them, and the audit trail's snapshots of the account.
      const erased = erasedEmail(userId);
      await tx.nativeUpdate(MailOutboxMessage, { $or: [{ recipientId: userId }, { [raw('lower(to_address)')]: person.email }] }, { toAddress: erased, subject: '', body: '' });
      await tx.nativeUpdate(MailInbound, { [raw('lower(sender)')]: person.email }, { sender: erased });
      // A bounce names the address it failed for; so do plug-in runs' notes. SQL here and below: replace() rewrites
      // the address inside a text or a JSON document, wherever it appears there.
      await tx.execute(`update mail_inbound set detail = replace(detail, ?, ?) where strpos(detail, ?) > 0`, [person.email, erased, person.email]);
      await tx.nativeDelete(MailUndeliverable, { email: person.email });
      // An import's key for the account is often the address itself; a digest of the address stays, so that no
      // import or sync brings the person back (platform/privacy/address-digest.ts).
      await tx.nativeDelete(ImportKey, { kind: 'user', localId: userId });
      await tx.createQueryBuilder(ErasedAddress).insert({ digest: addressDigest(person.email) }).onConflict().ignore().execute();
      await tx.execute(`update plugin_schedule_runs set report = replace(report::text, ?, ?)::jsonb where strpos(report::text, ?) > 0`, [person.email, erased, person.email]);
      await tx.execute(`update audit_log set detail = replace(detail::text, ?, ?)::jsonb, target = replace(target, ?, ?) where strpos(detail::text, ?) > 0 or strpos(target, ?) > 0`, [
        person.email,
        erased,
        person.email,
        erased,
        person.email,
        person.email,
      ]);

      await tx.nativeUpdate(User, userId, {
        email: erased,
        name: ERASED_NAME,
        phone: null,
        passwordHash: null,
        disabled: true,
        externalId: null,
        scimUserName: null,
        scimName: null,
        scimDeletedAt: raw('coalesce(scim_deleted_at, now())'),
        erasedAt: raw('now()'),
      });
      return { report: { id: userId, ticketsAnonymised: anonymised.length, commentsRemoved: comments, filesReplaced: files }, anonymised };
    });
    await this.tell(anonymised);
    return report;
  }
}
