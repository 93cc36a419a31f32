// Custom roles: admins compose staff roles from the documented permissions; users holding one are agents with those
// grants. A role in use cannot be deleted (its holders would silently fall back to the built-in agent's rights).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FromSchema } from 'json-schema-to-ts';
import { conflict, notFound, unprocessable } from '../../http/problem';
import { AREA_PERMISSIONS, BUILT_IN_GRANTS, PERMISSION_DOCS, QUEUE_PERMISSIONS, type RoleGrants } from './permissions';

export const areaPermissionSchema = { title: 'AreaPermission', type: 'string', enum: [...AREA_PERMISSIONS] } as const;
export const queuePermissionSchema = { title: 'QueuePermission', type: 'string', enum: [...QUEUE_PERMISSIONS] } as const;

const key = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } as const;
const grants = {
  areas: { type: 'array', uniqueItems: true, maxItems: AREA_PERMISSIONS.length, items: areaPermissionSchema },
  queues: {
    type: 'object',
    description: "Actions per queue key, or '*' for every queue the holder works through their groups",
    maxProperties: 500,
    propertyNames: { pattern: '^(\\*|[a-z][a-z0-9_]{0,62})$' },
    additionalProperties: { type: 'array', uniqueItems: true, maxItems: QUEUE_PERMISSIONS.length, items: queuePermissionSchema },
  },
} as const;

export const roleBody = {
  type: 'object',
  required: ['key', 'name', 'areas', 'queues'],
  additionalProperties: false,
  properties: { key, name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' }, description: { type: 'string', maxLength: 1000 }, ...grants },
} as const;
export type RoleBody = FromSchema<typeof roleBody>;
export const patchRoleBody = { ...roleBody, required: [], minProperties: 1, properties: { name: roleBody.properties.name, description: roleBody.properties.description, ...grants } } as const;
export type PatchRoleBody = FromSchema<typeof patchRoleBody>;

interface RoleRow {
  key: string;
  name: string;
  description: string;
  grants: RoleGrants;
  holders: number;
}

const BUILT_IN_NAMES = { admin: 'Admin', agent: 'Agent', customer: 'Customer' } as const;

export class RoleService {
  constructor(private readonly em: EntityManager) {}

  /** The permissions an admin may choose from, the built-in roles in those terms, and the custom roles. */
  async list() {
    const custom = await this.em
      .fork()
      .execute<RoleRow[]>(`select r.key, r.name, r.description, r.grants, (select count(*)::int from users u where u.custom_role = r.key and not u.disabled) as holders from roles r order by r.name`);
    return {
      permissions: {
        areas: AREA_PERMISSIONS.map((p) => ({ key: p, description: PERMISSION_DOCS[p] })),
        queue: QUEUE_PERMISSIONS.map((p) => ({ key: p, description: PERMISSION_DOCS[p] })),
      },
      builtIn: (['admin', 'agent', 'customer'] as const).map((k) => ({ key: k, name: BUILT_IN_NAMES[k], ...BUILT_IN_GRANTS[k] })),
      items: custom.map(present),
    };
  }

  async create(body: RoleBody) {
    if ((['admin', 'agent', 'customer'] as string[]).includes(body.key)) throw conflict(`'${body.key}' is a built-in role`, 'role-exists');
    await this.checkQueues(body.queues);
    const rows = await this.em
      .fork()
      .execute(`insert into roles (key, name, description, grants) values (?, ?, ?, ?::jsonb) on conflict (key) do nothing returning key`, [
        body.key,
        body.name.trim(),
        body.description ?? '',
        JSON.stringify({ areas: body.areas, queues: body.queues }),
      ]);
    if (!rows.length) throw conflict(`a role '${body.key}' exists already`, 'role-exists');
    return this.get(body.key);
  }

  /** Holders' new rights apply from their next request: grants are read with the session on every request. */
  async update(roleKey: string, body: PatchRoleBody) {
    if (body.queues) await this.checkQueues(body.queues);
    const rows = await this.em.fork().execute(
      `update roles set name = coalesce(?, name), description = coalesce(?, description),
         grants = jsonb_build_object('areas', coalesce(?::jsonb, grants->'areas'), 'queues', coalesce(?::jsonb, grants->'queues')), updated_at = now()
       where key = ? returning key`,
      [body.name?.trim() ?? null, body.description ?? null, body.areas ? JSON.stringify(body.areas) : null, body.queues ? JSON.stringify(body.queues) : null, roleKey],
    );
    if (!rows.length) throw notFound(`no role '${roleKey}'`);
    return this.get(roleKey);
  }

  async remove(roleKey: string): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      const [role] = await tx.execute<Array<{ holders: number }>>(`select (select count(*)::int from users u where u.custom_role = r.key) as holders from roles r where r.key = ? for update`, [roleKey]);
      if (!role) throw notFound(`no role '${roleKey}'`);
      if (role.holders) throw conflict(`${role.holders} account(s) hold the role '${roleKey}': give them another role first`, 'role-in-use');
      const [mapped] = await tx.execute<Array<{ name: string }>>(`select name from ldap_directories where group_mappings @> jsonb_build_array(jsonb_build_object('customRole', ?::text)) limit 1`, [roleKey]);
      if (mapped) throw conflict(`the directory '${mapped.name}' gives the role '${roleKey}' to a group: change its mapping first`, 'role-in-use');
      await tx.execute('delete from roles where key = ?', [roleKey]);
    });
  }

  async get(roleKey: string) {
    const [row] = await this.em
      .fork()
      .execute<RoleRow[]>(`select r.key, r.name, r.description, r.grants, (select count(*)::int from users u where u.custom_role = r.key and not u.disabled) as holders from roles r where r.key = ?`, [roleKey]);
    if (!row) throw notFound(`no role '${roleKey}'`);
    return present(row);
  }

  private async checkQueues(queues: Record<string, unknown>): Promise<void> {
    const keys = Object.keys(queues).filter((k) => k !== '*');
    if (!keys.length) return;
    const found = new Set((await this.em.fork().execute<Array<{ key: string }>>('select key from queues where key in (select jsonb_array_elements_text(?::jsonb))', [JSON.stringify(keys)])).map((q) => q.key));
    const errors = keys.filter((k) => !found.has(k)).map((k) => ({ pointer: `/queues/${k}`, message: `unknown queue '${k}'` }));
    if (errors.length) throw unprocessable('unknown queues', errors, 'unknown-queue');
  }
}

function present(r: RoleRow) {
  return { key: r.key, name: r.name, description: r.description, areas: r.grants.areas, queues: r.grants.queues, holders: r.holders };
}
