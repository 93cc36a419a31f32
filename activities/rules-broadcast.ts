// Tells every open ticket that the idle rules changed, so a quiet ticket arms (or drops) their timers now rather than
// at its next event. Pages through open tickets by id and heartbeats its place: a retry resumes where it stopped.
import { Context } from '@temporalio/activity';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Ticket } from '../platform/db/entities/index';

/** Signals one ticket's workflow; a finished workflow (not found) is no error. */
export type TellRulesChanged = (ticketId: string, generation: number) => Promise<void>;

const PAGE = 500;
const AT_ONCE = 20;

export function rulesBroadcastActivitiesWith(em: EntityManager, tell?: TellRulesChanged) {
  return {
    async tellOpenTicketsRulesChanged(input: { generation: number }): Promise<{ told: number }> {
      const ctx = Context.current();
      let [after, told] = (ctx.info.heartbeatDetails as [string, number] | undefined) ?? ['00000000-0000-0000-0000-000000000000', 0];
      if (!tell) return { told };
      for (;;) {
        const rows = await em.fork().find(Ticket, { stateCategory: { $nin: ['resolved', 'closed'] }, id: { $gt: after } }, { fields: ['id'], orderBy: { id: 'asc' }, limit: PAGE });
        for (let i = 0; i < rows.length; i += AT_ONCE) await Promise.all(rows.slice(i, i + AT_ONCE).map((r) => tell(r.id, input.generation)));
        if (!rows.length) return { told };
        told += rows.length;
        after = rows[rows.length - 1]!.id;
        ctx.heartbeat([after, told]);
      }
    },
  };
}
