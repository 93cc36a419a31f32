// Erasing a person (GDPR art. 17): the account stays as an anonymous row so tickets, reports and the audit trail keep
// their shape, but nothing left in the read model names the person or holds what they wrote.
import type { EntityManager } from '@mikro-orm/postgresql';
import { badRequest, notFound, unprocessable } from '../../http/problem';
import { anonymiseContributions, anonymiseTickets } from '../../../platform/privacy/anonymise';
import type { TellWorkflows } from '../../../platform/privacy/tell-workflows';
import { requireBuiltInAdmin } from '../iam/permissions';
import type { AuthUser } from '../auth/types';
import { refuseLosingLastAdmin } from '../iam/last-admin';
import { SERVICE_ACCOUNT_SQL } from '../../../platform/access/service-accounts';
import { addressDigest } from '../../../platform/privacy/address-digest';

export const ERASED_NAME = 'Erased user';
const erasedEmail = (id: string) => `erased-${id}@erased.invalid`;

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
      const [person] = await tx.execute<Array<{ id: string; email: string; role: string; erased_at: Date | null; service: boolean }>>(
        `select u.id, u.email, u.role, u.erased_at, (${SERVICE_ACCOUNT_SQL}) as service from users u where u.id = ? for update`,
        [userId],
      );
      if (!person) throw notFound(`no user ${userId}`);
      if (caller && person.role === 'admin') requireBuiltInAdmin(caller, 'erase an admin');
      if (person.service) throw badRequest('this is a webhook endpoint’s service account: delete the endpoint instead', [], 'service-account');
      if (person.erased_at) throw unprocessable('this account is already erased', [], 'already-erased');
      if (confirm.trim().toLowerCase() !== person.email) {
        throw unprocessable('the confirmation does not match the account’s e-mail address', [{ pointer: '/confirm', message: 'type the account’s e-mail address' }], 'confirmation-mismatch');
      }
      await refuseLosingLastAdmin(tx, userId, 'erasing it');

      const [counts] = (await tx.execute<Array<{ comments: number; files: number }>>(
        `select (select count(*)::int from ticket_events where actor_id = ? and type in ('commented', 'comment_edited')) as comments,
                (select count(*)::int from attachments where uploaded_by = ?) as files`,
        [userId, userId],
      )) as [{ comments: number; files: number }];
      const requested = await tx.execute<Array<{ id: string }>>('select id from tickets where requester_id = ?', [userId]);
      const anonymised = await anonymiseTickets(tx, requested.map((t) => t.id));
      await anonymiseContributions(tx, userId);

      // Ways to act as the person, and what only they had.
      for (const table of ['sessions', 'user_mfa', 'user_passkeys', 'webauthn_challenges', 'user_identities', 'password_resets', 'notification_preferences', 'ticket_watchers', 'ticket_presence', 'group_members', 'kb_feedback', 'ldap_accounts']) {
        await tx.execute(`delete from ${table} where user_id = ?`, [userId]);
      }
      await tx.execute(`delete from saved_views where user_id = ? and shared_with = 'me'`, [userId]);
      await tx.execute(`delete from macros where owner_id = ?`, [userId]);
      await tx.execute(`update api_tokens set revoked_at = now() where user_id = ? and revoked_at is null`, [userId]);

      // Copies of the address: mail sent to or received from them, and the audit trail's snapshots of the account.
      await tx.execute(`update mail_outbox set to_address = ?, subject = '', body = '' where recipient_id = ? or lower(to_address) = ?`, [erasedEmail(userId), userId, person.email]);
      await tx.execute(`update mail_inbound set sender = ? where lower(sender) = ?`, [erasedEmail(userId), person.email]);
      // A bounce names the address it failed for; so do plug-in runs' notes.
      await tx.execute(`update mail_inbound set detail = replace(detail, ?, ?) where strpos(detail, ?) > 0`, [person.email, erasedEmail(userId), person.email]);
      await tx.execute(`delete from mail_undeliverable where email = ?`, [person.email]);
      // An import's key for the account is often the address itself; a digest of the address stays, so that no
      // import or sync brings the person back (platform/privacy/address-digest.ts).
      await tx.execute(`delete from import_keys where kind = 'user' and local_id = ?`, [userId]);
      await tx.execute(`insert into erased_addresses (digest) values (?) on conflict do nothing`, [addressDigest(person.email)]);
      await tx.execute(`update plugin_schedule_runs set report = replace(report::text, ?, ?)::jsonb where strpos(report::text, ?) > 0`, [person.email, erasedEmail(userId), person.email]);
      await tx.execute(`update audit_log set detail = replace(detail::text, ?, ?)::jsonb, target = replace(target, ?, ?) where strpos(detail::text, ?) > 0 or strpos(target, ?) > 0`, [
        person.email,
        erasedEmail(userId),
        person.email,
        erasedEmail(userId),
        person.email,
        person.email,
      ]);

      await tx.execute(
        `update users set email = ?, name = ?, phone = null, password_hash = null, disabled = true, external_id = null, scim_user_name = null, scim_name = null,
           scim_deleted_at = coalesce(scim_deleted_at, now()), erased_at = now()
         where id = ?`,
        [erasedEmail(userId), ERASED_NAME, userId],
      );
      return { report: { id: userId, ticketsAnonymised: anonymised.length, commentsRemoved: counts.comments, filesReplaced: counts.files }, anonymised };
    });
    await this.tell(anonymised);
    return report;
  }
}
