// Moves running tickets from one published version of a definition to a later one, with an explicit state mapping, ticket by ticket.
import type { Client } from '@temporalio/client';
import type { InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Ticket } from '../../../platform/db/entities/index';
import { migrateUpdate, ticketWorkflowId, type Actor } from '../../../workflows/ticket-messages';
import { toProblem } from '../../temporal-errors';
import { unprocessable, type FieldError } from '../../http/problem';
import type { DefinitionService } from './service';
import type { SlaPolicyLookup } from '../sla-policies/service';
import { withSlaPolicy } from '../../../workflow-definitions/index';

export interface MigrationRequest {
  fromVersion: number;
  toVersion: number;
  stateMapping?: Record<string, string>;
}

export interface MigrationReport {
  migrated: Array<{ ticketId: string; number: string; state: string }>;
  failed: Array<{ ticketId: string; number: string; reason: string }>;
}

const CONCURRENCY = 8;
/** A ticket whose worker is away must not hold the whole migration: it is reported failed and can be migrated again later. */
const PER_TICKET_MS = 15_000;

export class DefinitionMigrator {
  constructor(
    private readonly em: EntityManager,
    private readonly defs: DefinitionService,
    private readonly temporal: Client,
    /** Each ticket keeps the SLA policy of its organisation it opened under, in the version it moves to as well. */
    private readonly slaPolicies?: Pick<SlaPolicyLookup, 'pinned'>,
  ) {}

  async migrate(key: string, req: MigrationRequest, actor: Actor): Promise<MigrationReport> {
    if (req.toVersion <= req.fromVersion) throw unprocessable('toVersion must be later than fromVersion', [{ pointer: '/toVersion', message: 'must be later' }]);
    const [from, to] = await Promise.all([this.defs.get(key, req.fromVersion), this.defs.get(key, req.toVersion)]);
    if (to.status !== 'published') throw unprocessable(`version ${req.toVersion} is not published`, [{ pointer: '/toVersion', message: 'publish it first' }]);
    const mapping = req.stateMapping ?? {};
    const targetStates = new Set(to.body.states.map((s) => s.name));
    const errors: FieldError[] = [];
    for (const [old, target] of Object.entries(mapping)) {
      if (!from.body.states.some((s) => s.name === old)) errors.push({ pointer: `/stateMapping/${old}`, message: `'${old}' is not a state of version ${req.fromVersion}` });
      if (!targetStates.has(target)) errors.push({ pointer: `/stateMapping/${old}`, message: `'${target}' is not a state of version ${req.toVersion}` });
    }
    for (const s of from.body.states) {
      if (!mapping[s.name] && !targetStates.has(s.name)) errors.push({ pointer: `/stateMapping/${s.name}`, message: `state '${s.name}' no longer exists: map it` });
    }
    if (errors.length) throw unprocessable('the state mapping is incomplete or wrong', errors, 'invalid-mapping');

    // Plain rows, not entities: a version may run many tickets.
    const tickets = await this.em
      .fork()
      .createQueryBuilder(Ticket)
      .select(['id', 'number'])
      .where({ definitionKey: key, definitionVersion: req.fromVersion })
      .orderBy({ createdAt: 'asc' })
      .execute<Array<Pick<InferEntity<typeof Ticket>, 'id' | 'number'>>>();
    const report: MigrationReport = { migrated: [], failed: [] };
    let next = 0;
    const work = async () => {
      while (next < tickets.length) {
        const t = tickets[next++];
        try {
          const policy = (await this.slaPolicies?.pinned(t.id)) ?? null;
          const definition = policy ? withSlaPolicy(to.body, policy) : to.body;
          const p = await this.temporal.connection.withDeadline(Date.now() + PER_TICKET_MS, () =>
            this.temporal.workflow
              .getHandle(ticketWorkflowId(t.id))
              .executeUpdate(migrateUpdate, { args: [{ definition, version: to.version, stateMapping: mapping, actor }] }),
          );
          report.migrated.push({ ticketId: t.id, number: t.number, state: p.state });
        } catch (err) {
          const timedOut = /deadline/i.test(String((err as Error)?.message ?? '')) || (err as { code?: number })?.code === 4;
          const reason = timedOut ? `no answer within ${PER_TICKET_MS / 1000} s (is a worker running?)` : (toProblem(err)?.message ?? (err as Error).message);
          report.failed.push({ ticketId: t.id, number: t.number, reason });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, work));
    return report;
  }
}
