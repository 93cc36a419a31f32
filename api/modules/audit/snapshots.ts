// What the audit reads of a piece of configuration before and after an admin changes it. Secrets, hashes and counters
// are left out on purpose: the log shows that a secret was rotated (its grace period moves), never the secret.
import type { EntityManager } from '@mikro-orm/postgresql';

export const AUDITED_ENTITIES = ['definition', 'queue', 'routing_rules', 'group', 'organisation', 'user', 'token', 'webhook_subscription', 'webhook_endpoint', 'mail_template', 'kb_category', 'settings', 'catalogue_offering', 'sla_policy', 'ticket_type', 'automation_rule', 'plugin_settings'] as const;
export type AuditedEntity = (typeof AUDITED_ENTITIES)[number];

/** One query per entity, taking the entity's id as its parameters and answering one JSON document (or no row). */
const SNAPSHOTS: Record<AuditedEntity, { sql: string; params: (id: string) => unknown[] }> = {
  definition: {
    sql: `select json_build_object(
            'published', (select json_build_object('version', d.version, 'body', d.body) from definitions d where d.key = ? and d.status = 'published' order by d.version desc limit 1),
            'draft', (select d.body from definitions d where d.key = ? and d.status = 'draft' limit 1)) as doc`,
    params: (id) => [id, id],
  },
  queue: {
    sql: `select json_build_object('key', q.key, 'name', q.name, 'description', q.description, 'assignment', q.assignment, 'maxOpenPerAgent', q.max_open_per_agent,
            'groups', (select coalesce(json_agg(qg.group_key order by qg.group_key), '[]'::json) from queue_groups qg where qg.queue = q.key)) as doc
          from queues q where q.key = ?`,
    params: (id) => [id],
  },
  routing_rules: {
    sql: `select coalesce(json_agg(json_build_object('name', r.name, 'conditions', r.conditions, 'queue', r.queue) order by r.position), '[]'::json) as doc from routing_rules r where ? = 'all'`,
    params: (id) => [id],
  },
  group: {
    sql: `select json_build_object('key', g.key, 'name', g.name,
            'members', (select coalesce(json_agg(u.email order by u.email), '[]'::json) from group_members gm join users u on u.id = gm.user_id where gm.group_key = g.key)) as doc
          from groups g where g.key = ?`,
    params: (id) => [id],
  },
  // Which secrets are set, never their sealed values.
  plugin_settings: {
    sql: `select json_build_object('values', p."values", 'secretsSet', (select coalesce(json_agg(k order by k), '[]'::json) from jsonb_object_keys(p.secrets) k)) as doc from plugin_settings p where p.plugin = ?`,
    params: (id) => [id],
  },
  organisation: { sql: `select json_build_object('name', o.name, 'shareTickets', o.share_tickets) as doc from organisations o where o.id = ?`, params: (id) => [id] },
  user: {
    sql: `select json_build_object('email', u.email, 'name', u.name, 'role', u.role, 'customRole', u.custom_role, 'locale', u.locale, 'organisationId', u.organisation_id, 'disabled', u.disabled, 'skills', u.skills, 'managerId', u.manager_id) as doc from users u where u.id = ?`,
    params: (id) => [id],
  },
  token: {
    sql: `select json_build_object('name', t.name, 'prefix', t.prefix, 'scope', t.scope, 'userId', t.user_id, 'revokedAt', t.revoked_at) as doc from api_tokens t where t.id = ?`,
    params: (id) => [id],
  },
  webhook_subscription: {
    sql: `select json_build_object('name', s.name, 'url', s.url, 'eventTypes', s.event_types, 'includeInternal', s.include_internal,
            'allowPrivateNetwork', s.allow_private_network, 'enabled', s.enabled, 'previousSecretUntil', s.previous_secret_until) as doc
          from webhook_subscriptions s where s.id = ?`,
    params: (id) => [id],
  },
  webhook_endpoint: {
    sql: `select json_build_object('name', e.name, 'slug', e.slug, 'auth', e.auth, 'mapping', e.mapping, 'enabled', e.enabled, 'updatedAt', e.updated_at) as doc
          from inbound_endpoints e where e.id = ?`,
    params: (id) => [id],
  },
  mail_template: {
    sql: `select json_build_object('subject', m.subject, 'body', m.body) as doc from mail_templates m where m.kind = ? and m.locale = ?`,
    params: (id) => id.split('/', 2),
  },
  settings: { sql: `select coalesce(json_object_agg(s.key, s.value order by s.key), '{}'::json) as doc from desk_settings s where ? = 'desk'`, params: (id) => [id] },
  catalogue_offering: {
    sql: `select json_build_object('key', o.key, 'name', o.name, 'description', o.description, 'category', o.category, 'icon', o.icon,
            'organisationIds', o.organisation_ids, 'ticketType', o.ticket_type, 'queue', o.queue, 'priority', o.priority, 'fields', o.field_values,
            'published', o.published, 'version', o.version, 'form', v.layout) as doc
          from catalogue_offerings o join catalogue_form_versions v on v.offering_id = o.id and v.version = o.version where o.id = ?`,
    params: (id) => [id],
  },
  sla_policy: {
    sql: `select json_build_object('name', p.name, 'calendar', p.calendar, 'targets', p.targets,
            'organisationIds', (select coalesce(json_agg(o.organisation_id order by o.organisation_id), '[]'::json) from sla_policy_organisations o where o.policy_id = p.id)) as doc
          from sla_policies p where p.id = ?`,
    params: (id) => [id],
  },
  ticket_type: {
    sql: `select json_build_object('name', json_build_object('en', k.name_en, 'fr', k.name_fr), 'definitionKey', k.definition_key, 'customersMayOpen', k.customers_may_open) as doc from ticket_types k where k.key = ?`,
    params: (id) => [id],
  },
  automation_rule: {
    sql: `select json_build_object('name', r.name, 'enabled', r.enabled, 'position', r.position, 'version', r.version, 'when', r.body->'when', 'if', r.body->'if', 'then', r.body->'then') as doc
          from automation_rules r where r.id = ?::uuid`,
    params: (id) => [id],
  },
  kb_category: { sql: `select json_build_object('en', c.name_en, 'fr', c.name_fr) as doc from kb_categories c where c.key = ?`, params: (id) => [id] },
};

export async function snapshot(em: EntityManager, entity: AuditedEntity, id: string): Promise<unknown> {
  const { sql, params } = SNAPSHOTS[entity];
  const [row] = await em.fork().execute<Array<{ doc: unknown }>>(sql, params(id));
  return row?.doc ?? null;
}
