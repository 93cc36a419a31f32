// Retention policies as admins edit them, their dry run (how many tickets a policy would anonymise now), and "run now",
// which goes through the same durable workflow as the nightly schedule.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { conflict, notFound, unprocessable } from '../../http/problem';
import { countDue, type RetentionScope } from '../../../platform/privacy/retention';
import type { RetentionInput, RetentionResult } from '../../../workflows/retention';
import { iso, type DbTime } from '../../../platform/db/time';


export const scopeProperties = {
  organisationId: { type: ['string', 'null'], format: 'uuid', description: 'Only tickets of this organisation (null: any)' },
  ticketType: { type: ['string', 'null'], pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'Only tickets of this type, built-in or custom (null: any)' },
  afterDays: { type: 'integer', minimum: 0, maximum: 36500, description: 'Days after closing (e.g. 365 for a year)' },
} as const;

export const policyBody = {
  type: 'object',
  required: ['name', 'afterDays'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' }, enabled: { type: 'boolean' }, ...scopeProperties },
} as const;
export const policyPatch = { ...policyBody, required: [], minProperties: 1 } as const;
export const previewBody = { type: 'object', required: ['afterDays'], additionalProperties: false, properties: scopeProperties } as const;

export interface PolicyBody {
  name: string;
  enabled?: boolean;
  organisationId?: string | null;
  ticketType?: string | null;
  afterDays: number;
}

const SELECT = `select p.id, p.name, p.organisation_id as "organisationId", o.name as "organisationName", p.ticket_type as "ticketType", p.after_days as "afterDays",
  p.enabled, p.created_at as "createdAt", p.updated_at as "updatedAt",
  (select json_build_object('at', r.at, 'trigger', r.trigger, 'anonymised', r.anonymised) from retention_runs r where r.policy_id = p.id order by r.at desc limit 1) as "lastRun"
  from retention_policies p left join organisations o on o.id = p.organisation_id`;

type PolicyRow = Record<string, unknown> & RetentionScope & { createdAt: DbTime; updatedAt: DbTime; lastRun: { at: DbTime; trigger: string; anonymised: number } | null };

const present = (r: PolicyRow) => ({ ...r, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt), lastRun: r.lastRun && { ...r.lastRun, at: iso(r.lastRun.at) } });

export class RetentionPolicies {
  constructor(
    private readonly em: EntityManager,
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  async list() {
    const rows = await this.em.fork().execute<PolicyRow[]>(`${SELECT} order by p.created_at`);
    return Promise.all(rows.map(async (r) => ({ ...present(r), due: await countDue(this.em, r) })));
  }

  async get(id: string) {
    const [row] = await this.em.fork().execute<PolicyRow[]>(`${SELECT} where p.id = ?`, [id]);
    if (!row) throw notFound(`no retention policy ${id}`);
    return { ...present(row), due: await countDue(this.em, row) };
  }

  /** The dry run of a policy not saved yet: what it would anonymise if saved and run now. */
  async preview(scope: Partial<RetentionScope> & { afterDays: number }) {
    await this.checkOrganisation(scope.organisationId ?? null);
    return { due: await countDue(this.em, { organisationId: scope.organisationId ?? null, ticketType: scope.ticketType ?? null, afterDays: scope.afterDays }) };
  }

  async create(body: PolicyBody) {
    await this.checkOrganisation(body.organisationId ?? null);
    const id = randomUUID();
    await this.em
      .fork()
      .execute('insert into retention_policies (id, name, organisation_id, ticket_type, after_days, enabled) values (?, ?, ?, ?, ?, ?)', [
        id,
        body.name.trim(),
        body.organisationId ?? null,
        body.ticketType ?? null,
        body.afterDays,
        body.enabled ?? true,
      ]);
    return this.get(id);
  }

  async update(id: string, body: Partial<PolicyBody>) {
    if (body.organisationId) await this.checkOrganisation(body.organisationId);
    const columns: Record<string, string> = { name: 'name', enabled: 'enabled', organisationId: 'organisation_id', ticketType: 'ticket_type', afterDays: 'after_days' };
    const keys = Object.keys(body).filter((k) => columns[k]);
    const values = keys.map((k) => (k === 'name' ? String(body.name).trim() : (body as Record<string, unknown>)[k]));
    const rows = await this.em.fork().execute(`update retention_policies set ${keys.map((k) => `${columns[k]} = ?`).join(', ')}, updated_at = now() where id = ? returning id`, [...values, id]);
    if (!rows.length) throw notFound(`no retention policy ${id}`);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const rows = await this.em.fork().execute('delete from retention_policies where id = ? returning id', [id]);
    if (!rows.length) throw notFound(`no retention policy ${id}`);
  }

  /** Runs one policy now, through the retention workflow, and answers how many tickets it anonymised. */
  async runNow(id: string): Promise<{ anonymised: number }> {
    await this.get(id);
    const input: RetentionInput = { trigger: 'manual', policyIds: [id] };
    try {
      const result = await this.temporal.workflow.execute<(i: RetentionInput) => Promise<RetentionResult>>('retentionWorkflow', {
        taskQueue: this.taskQueue,
        workflowId: `retention-run-${id}`,
        args: [input],
      });
      return { anonymised: result[0]?.anonymised ?? 0 };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict('this policy is running already; its result will show in its last run', 'retention-running');
      throw err;
    }
  }

  private async checkOrganisation(id: string | null): Promise<void> {
    if (id && !(await this.em.fork().execute('select 1 from organisations where id = ?', [id])).length) {
      throw unprocessable('unknown organisation', [{ pointer: '/organisationId', message: 'unknown organisation' }], 'unknown-organisation');
    }
  }
}
