// Custom roles: admins compose staff roles from the documented permissions; users holding one are agents with those
// grants. A role in use cannot be deleted (its holders would silently fall back to the built-in agent's rights).
import { LockMode, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FromSchema } from 'json-schema-to-ts';
import { countBy } from '../../../platform/db/count-by';
import { Queue, Role, User } from '../../../platform/db/entities/index';
import { conflict, notFound, unprocessable } from '../../http/problem';
import { AREA_PERMISSIONS, BUILT_IN_GRANTS, PERMISSION_DOCS, QUEUE_PERMISSIONS, type RoleGrants } from './permissions';
import { unlessTaken } from '../../http/unique-conflict';

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

type RoleRow = InferEntity<typeof Role>;

const BUILT_IN_NAMES = { admin: 'Admin', agent: 'Agent', customer: 'Customer' } as const;

export class RoleService {
  constructor(private readonly em: EntityManager) {}

  /** The permissions an admin may choose from, the built-in roles in those terms, and the custom roles. */
  async list() {
    const em = this.em.fork();
    const custom = await em.findAll(Role, { orderBy: { name: 'asc' } });
    const holders = await this.holders(em, custom.map((r) => r.key));
    return {
      permissions: {
        areas: AREA_PERMISSIONS.map((p) => ({ key: p, description: PERMISSION_DOCS[p] })),
        queue: QUEUE_PERMISSIONS.map((p) => ({ key: p, description: PERMISSION_DOCS[p] })),
      },
      builtIn: (['admin', 'agent', 'customer'] as const).map((k) => ({ key: k, name: BUILT_IN_NAMES[k], ...BUILT_IN_GRANTS[k] })),
      items: custom.map((r) => present(r, holders.get(r.key) ?? 0)),
    };
  }

  async create(body: RoleBody) {
    if ((['admin', 'agent', 'customer'] as string[]).includes(body.key)) throw conflict(`'${body.key}' is a built-in role`, 'role-exists');
    await this.checkQueues(body.queues);
    const em = this.em.fork();
    em.create(Role, { key: body.key, name: body.name.trim(), description: body.description ?? '', grants: { areas: body.areas, queues: body.queues } satisfies RoleGrants });
    await unlessTaken(em.flush(), () => conflict(`a role '${body.key}' exists already`, 'role-exists'));
    return this.get(body.key);
  }

  /** Holders' new rights apply from their next request: grants are read with the session on every request. */
  async update(roleKey: string, body: PatchRoleBody) {
    if (body.queues) await this.checkQueues(body.queues);
    // Locked, so two admins changing the areas and the queues of one role at once both land.
    await this.em.fork().transactional(async (tx) => {
      const role = await tx.findOne(Role, { key: roleKey }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!role) throw notFound(`no role '${roleKey}'`);
      const grants = role.grants as RoleGrants;
      tx.assign(role, {
        name: body.name?.trim() ?? role.name,
        description: body.description ?? role.description,
        grants: { areas: body.areas ?? grants.areas, queues: body.queues ?? grants.queues } satisfies RoleGrants,
        updatedAt: new Date(),
      });
    });
    return this.get(roleKey);
  }

  async remove(roleKey: string): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      const role = await tx.findOne(Role, { key: roleKey }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!role) throw notFound(`no role '${roleKey}'`);
      // Disabled accounts count here: enabling one again must not leave it on a role that is gone.
      const holders = await tx.count(User, { customRole: roleKey });
      if (holders) throw conflict(`${holders} account(s) hold the role '${roleKey}': give them another role first`, 'role-in-use');
      // jsonb containment has no ORM operator: the one SQL string here.
      const [mapped] = await tx.execute<Array<{ name: string }>>(`select name from ldap_directories where group_mappings @> jsonb_build_array(jsonb_build_object('customRole', ?::text)) limit 1`, [roleKey]);
      if (mapped) throw conflict(`the directory '${mapped.name}' gives the role '${roleKey}' to a group: change its mapping first`, 'role-in-use');
      tx.remove(role);
    });
  }

  async get(roleKey: string) {
    const em = this.em.fork();
    const row = await em.findOne(Role, { key: roleKey });
    if (!row) throw notFound(`no role '${roleKey}'`);
    return present(row, (await this.holders(em, [roleKey])).get(roleKey) ?? 0);
  }

  /** Enabled accounts holding each of these roles. */
  private async holders(em: EntityManager, roleKeys: string[]): Promise<Map<string, number>> {
    return countBy(em, User, 'customRole', roleKeys, { disabled: false });
  }

  private async checkQueues(queues: Record<string, unknown>): Promise<void> {
    const keys = Object.keys(queues).filter((k) => k !== '*');
    if (!keys.length) return;
    const found = new Set((await this.em.fork().find(Queue, { key: { $in: keys } }, { fields: ['key'] })).map((q) => q.key));
    const errors = keys.filter((k) => !found.has(k)).map((k) => ({ pointer: `/queues/${k}`, message: `unknown queue '${k}'` }));
    if (errors.length) throw unprocessable('unknown queues', errors, 'unknown-queue');
  }
}

function present(r: RoleRow, holders: number) {
  const grants = r.grants as RoleGrants;
  return { key: r.key, name: r.name, description: r.description, areas: grants.areas, queues: grants.queues, holders };
}
