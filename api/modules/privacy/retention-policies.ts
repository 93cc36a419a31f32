// Retention policies as admins edit them, their dry run (how many tickets a policy would anonymise now), and "run now",
// which goes through the same durable workflow as the nightly schedule.
import { randomUUID } from 'node:crypto';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { conflict, notFound, unprocessable } from '../../http/problem';
import { countDue, type RetentionScope } from '../../../platform/privacy/retention';
import type { RetentionInput, RetentionResult } from '../../../workflows/retention';
import { Organisation, RetentionPolicy, RetentionRun } from '../../../platform/db/entities/index';
import { iso } from '../../../platform/db/time';
import { organisationNames } from '../iam/organisation-names';


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

type PolicyRow = InferEntity<typeof RetentionPolicy>;
type RunRow = Pick<InferEntity<typeof RetentionRun>, 'policyId' | 'at' | 'trigger' | 'anonymised'>;

export class RetentionPolicies {
  constructor(
    private readonly em: EntityManager,
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  async list() {
    const em = this.em.fork();
    return this.present(em, await em.findAll(RetentionPolicy, { orderBy: { createdAt: 'asc' } }));
  }

  async get(id: string) {
    const em = this.em.fork();
    const row = await em.findOne(RetentionPolicy, id);
    if (!row) throw notFound(`no retention policy ${id}`);
    const [policy] = await this.present(em, [row]);
    return policy!;
  }

  /** The dry run of a policy not saved yet: what it would anonymise if saved and run now. */
  async preview(scope: Partial<RetentionScope> & { afterDays: number }) {
    await this.checkOrganisation(scope.organisationId ?? null);
    return { due: await countDue(this.em, { organisationId: scope.organisationId ?? null, ticketType: scope.ticketType ?? null, afterDays: scope.afterDays }) };
  }

  async create(body: PolicyBody) {
    await this.checkOrganisation(body.organisationId ?? null);
    const id = randomUUID();
    await this.em.fork().insert(RetentionPolicy, {
      id,
      name: body.name.trim(),
      organisationId: body.organisationId ?? null,
      ticketType: body.ticketType ?? null,
      afterDays: body.afterDays,
      enabled: body.enabled ?? true,
    });
    return this.get(id);
  }

  async update(id: string, body: Partial<PolicyBody>) {
    if (body.organisationId) await this.checkOrganisation(body.organisationId);
    const { name, ...rest } = body;
    // now(): the database's clock, as created_at's default.
    const changed = await this.em.fork().nativeUpdate(RetentionPolicy, { id }, { ...rest, ...(name !== undefined ? { name: name.trim() } : {}), updatedAt: raw('now()') });
    if (!changed) throw notFound(`no retention policy ${id}`);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.em.fork().nativeDelete(RetentionPolicy, { id }))) throw notFound(`no retention policy ${id}`);
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
    if (id && !(await this.em.fork().count(Organisation, { id }))) {
      throw unprocessable('unknown organisation', [{ pointer: '/organisationId', message: 'unknown organisation' }], 'unknown-organisation');
    }
  }

  /** The policies as the API shows them: their organisation's name, their last run, and what they would do now. */
  private async present(em: EntityManager, rows: PolicyRow[]) {
    const names = await organisationNames(em, rows);
    // Each policy's latest run only: a nightly policy gathers one run a day.
    const runs = rows.length
      ? await em
          .createQueryBuilder(RetentionRun)
          .select(['policyId', 'at', 'trigger', 'anonymised'])
          .distinctOn(['policyId'])
          .where({ policyId: { $in: rows.map((r) => r.id) } })
          .orderBy([{ policyId: 'asc' }, { at: 'desc' }])
          .execute<RunRow[]>()
      : [];
    const lastRuns = new Map(runs.map((r) => [r.policyId, { at: iso(r.at), trigger: r.trigger, anonymised: r.anonymised }]));
    return Promise.all(
      rows.map(async (r) => ({
        id: r.id,
        name: r.name,
        organisationId: r.organisationId ?? null,
        organisationName: r.organisationId ? (names.get(r.organisationId) ?? null) : null,
        ticketType: r.ticketType ?? null,
        afterDays: r.afterDays,
        enabled: r.enabled,
        createdAt: iso(r.createdAt),
        updatedAt: iso(r.updatedAt),
        lastRun: lastRuns.get(r.id) ?? null,
        due: await countDue(this.em, r),
      })),
    );
  }
}
