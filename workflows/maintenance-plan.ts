// The maintenance-plan workflow: one durable workflow per plan that opens each work order on time (due − lead time) and survives restarts without duplicates.
//
// Why a workflow per plan rather than a Temporal Schedule: a Schedule fires on a calendar it understands (no BYDAY=-1FR
// in a plan's own time zone through the project's calendar maths, no "N days after the last completion"), and pausing,
// skipping one occurrence, postponing one, editing from the next occurrence and waiting for a completion would each be
// state kept outside it. Here the plan's state is one object in one history, every decision is replayable, the next
// dates come from the same pure function the API previews with, and the work order's ticket id is derived from
// (plan, occurrence), so a retried or replayed creation names the same ticket and cannot open it twice.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  ParentClosePolicy,
} from '@temporalio/workflow';
import { dueAfterCompletion, occurrencesAfter, parseRRule, seriesEndMs, seriesStartMs, validateSeries } from '../workflow-definitions/recurrence';
import type { PlanActivities } from '../activities/maintenance-plans';
import {
  editUpdate,
  pauseUpdate,
  planQuery,
  postponeUpdate,
  resumeUpdate,
  skipUpdate,
  stopUpdate,
  workOrderFinishedSignal,
  workOrderTicketId,
  PLAN_REJECTION,
  type PlanConfig,
  type PlanState,
  type PlanView,
  type PlanWorkflowInput,
} from './maintenance-plan-messages';
import { TICKET_WORKFLOW, ticketWorkflowId } from './ticket-messages';
import { continueOnCurrentVersion, newWorkerVersionSignal, newerVersionIsCurrent } from './deployment-messages';

const DAY = 86_400_000;
/** Workflow time: the sandbox's Date is the deterministic workflow clock. */
const now = (): number => Date.now();

const acts = proxyActivities<PlanActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const invalid = (message: string) => ApplicationFailure.create({ type: PLAN_REJECTION, message, nonRetryable: true });

/** Throws (refusing the update) when a plan's configuration cannot be scheduled. */
export function checkConfig(config: PlanConfig): void {
  try {
    validateSeries({ start: config.start, timeZone: config.timeZone, endDate: config.endDate });
    if (config.schedule.kind === 'rrule') parseRRule(config.schedule.rrule);
    else if (!(config.schedule.intervalDays >= 1)) throw new Error('intervalDays must be at least 1');
  } catch (err) {
    throw invalid((err as Error).message);
  }
}

interface Next {
  key: string;
  /** The occurrence's own due instant (what the cursor moves to). */
  dueMs: number;
}

/** The plan's next occurrence after its cursor, or null when the series is over (or waits on a completion). */
function nextOccurrence(s: PlanState): Next | null {
  const c = s.config;
  const series = { start: c.start, timeZone: c.timeZone, endDate: c.endDate };
  let dueMs: number | undefined;
  if (c.schedule.kind === 'rrule') {
    dueMs = occurrencesAfter(c.schedule.rrule, series, s.cursorMs, 1)[0];
  } else {
    if (s.outstanding) return null;
    if (s.lastCompletedMs === null) dueMs = Math.max(seriesStartMs(series), s.cursorMs === null ? -Infinity : s.cursorMs + 1);
    else {
      dueMs = dueAfterCompletion(s.lastCompletedMs, c.schedule.intervalDays, series);
      // Finished very early: never go back before the previous due date.
      if (s.cursorMs !== null && dueMs <= s.cursorMs) dueMs = dueAfterCompletion(s.cursorMs, c.schedule.intervalDays, series);
    }
    const end = seriesEndMs(series);
    if (end !== null && dueMs > end) dueMs = undefined;
  }
  return dueMs === undefined ? null : { key: new Date(dueMs).toISOString(), dueMs };
}

export async function maintenancePlanWorkflow(input: PlanWorkflowInput): Promise<PlanState> {
  const s: PlanState = input.carried ?? {
    config: input.config,
    paused: false,
    cursorMs: null,
    skipped: [],
    postponed: {},
    outstanding: null,
    lastCompletedMs: null,
    created: 0,
    recent: [],
    ended: false,
  };
  const perRun = input.occurrencesPerRun ?? 100;
  const pollMs = input.pollMs ?? DAY;
  /** Bumped by every update, so a wait re-plans at once. */
  let version = 0;
  let createdThisRun = 0;
  let reportedNext: string | null | undefined;

  const view = (): PlanView => {
    const n = s.paused || s.ended ? null : nextOccurrence(s);
    const due = n ? (s.postponed[n.key] ?? n.key) : null;
    return { planId: s.config.planId, paused: s.paused, ended: s.ended, nextDueAt: due, created: s.created, recent: s.recent, outstanding: s.outstanding, skipped: s.skipped, postponed: s.postponed, cursorAt: s.cursorMs === null ? null : new Date(s.cursorMs).toISOString() };
  };
  const changed = (): PlanView => {
    version++;
    return view();
  };
  const isFutureOccurrence = (key: string): boolean => {
    const at = Date.parse(key);
    if (Number.isNaN(at)) return false;
    if (s.recent.some((r) => r.key === key)) return false;
    if (s.config.schedule.kind === 'interval') return nextOccurrence(s)?.key === key;
    const series = { start: s.config.start, timeZone: s.config.timeZone, endDate: s.config.endDate };
    return occurrencesAfter(s.config.schedule.rrule, series, s.cursorMs, 500).includes(at);
  };

  setHandler(planQuery, view);
  setHandler(
    pauseUpdate,
    () => {
      s.paused = true;
      return changed();
    },
    {
      validator: () => {
        if (s.ended) throw invalid('the plan has ended');
      },
    },
  );
  setHandler(
    resumeUpdate,
    ({ backfill }) => {
      if (s.paused && !backfill) {
        // No back-fill: occurrences that fell due while paused are dropped; the next one after now comes next.
        const t = now();
        if (s.cursorMs === null || s.cursorMs < t) s.cursorMs = t;
      }
      s.paused = false;
      return changed();
    },
    {
      validator: (_req: { backfill?: boolean }) => {
        if (s.ended) throw invalid('the plan has ended');
      },
    },
  );
  setHandler(
    skipUpdate,
    ({ occurrence }) => {
      const key = new Date(Date.parse(occurrence)).toISOString();
      if (!s.skipped.includes(key)) s.skipped.push(key);
      return changed();
    },
    {
      validator: ({ occurrence }) => {
        if (!isFutureOccurrence(new Date(Date.parse(occurrence) || 0).toISOString())) throw invalid(`${occurrence} is not an upcoming occurrence of this plan`);
      },
    },
  );
  setHandler(
    postponeUpdate,
    ({ occurrence, to }) => {
      s.postponed[new Date(Date.parse(occurrence)).toISOString()] = new Date(Date.parse(to)).toISOString();
      return changed();
    },
    {
      validator: ({ occurrence, to }) => {
        if (!isFutureOccurrence(new Date(Date.parse(occurrence) || 0).toISOString())) throw invalid(`${occurrence} is not an upcoming occurrence of this plan`);
        if (Number.isNaN(Date.parse(to)) || Date.parse(to) <= now()) throw invalid('the new date must be in the future');
      },
    },
  );
  setHandler(
    editUpdate,
    ({ config }) => {
      // Applies from the next occurrence: work orders already created keep their own checklist and due date.
      s.config = { ...config, planId: s.config.planId };
      return changed();
    },
    {
      validator: ({ config }) => {
        if (s.ended) throw invalid('the plan has ended');
        checkConfig(config);
      },
    },
  );
  setHandler(stopUpdate, () => {
    s.ended = true;
    return changed();
  });
  setHandler(workOrderFinishedSignal, ({ ticketId, at }) => {
    // Duplicates and late signals about earlier work orders change nothing.
    if (s.outstanding?.ticketId !== ticketId) return;
    s.outstanding = null;
    s.lastCompletedMs = Date.parse(at);
    version++;
  });
  let nudged = false;
  setHandler(newWorkerVersionSignal, () => {
    nudged = true;
    version++;
  });
  const moveOn = async (): Promise<never> => {
    await condition(allHandlersFinished);
    return continueOnCurrentVersion<typeof maintenancePlanWorkflow>()({ ...input, config: s.config, carried: s });
  };

  const report = async (): Promise<void> => {
    const v = view();
    const key = `${v.nextDueAt}|${v.paused}|${v.ended}`;
    if (key === reportedNext) return;
    reportedNext = key;
    await acts.recordPlanProgress({ planId: s.config.planId, nextDueAt: v.nextDueAt, paused: v.paused, ended: v.ended });
  };

  while (!s.ended) {
    await report();
    // A newer worker version is current: the plan moves to it between two occurrences.
    if (newerVersionIsCurrent()) await moveOn();
    nudged = false;
    if (s.paused) {
      await condition(() => !s.paused || s.ended || nudged);
      continue;
    }
    if (s.outstanding) {
      const { ticketId } = s.outstanding;
      const finishedAt = await acts.workOrderFinishedAt({ ticketId });
      if (finishedAt && s.outstanding?.ticketId === ticketId) {
        s.outstanding = null;
        s.lastCompletedMs = Date.parse(finishedAt);
        continue;
      }
      const v = version;
      await condition(() => version !== v || s.outstanding?.ticketId !== ticketId, pollMs);
      continue;
    }
    const next = nextOccurrence(s);
    if (!next) {
      s.ended = true;
      break;
    }
    if (s.skipped.includes(next.key)) {
      s.skipped = s.skipped.filter((k) => k !== next.key);
      s.cursorMs = next.dueMs;
      continue;
    }
    const postponedTo = s.postponed[next.key];
    const dueMs = postponedTo ? Date.parse(postponedTo) : next.dueMs;
    const createAt = dueMs - s.config.leadDays * DAY;
    if (createAt > now()) {
      const v = version;
      if (await condition(() => version !== v, createAt - now())) continue; // something changed: plan again
    }
    const ticketId = workOrderTicketId(s.config.planId, next.key);
    const dueAt = new Date(dueMs).toISOString();
    const ticket = await acts.prepareWorkOrder({ planId: s.config.planId, key: next.key, ticketId, dueAt, config: s.config });
    try {
      await startChild(TICKET_WORKFLOW, {
        workflowId: ticketWorkflowId(ticketId),
        args: [ticket],
        // The work order lives on when the plan continues as new, is paused or ends.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      // Already started by an earlier run of this plan: that is the same work order.
      if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    }
    s.cursorMs = next.dueMs;
    delete s.postponed[next.key];
    s.created++;
    createdThisRun++;
    s.recent = [...s.recent, { key: next.key, ticketId, dueAt }].slice(-50);
    if (s.config.schedule.kind === 'interval') s.outstanding = { ticketId, key: next.key };
    if (createdThisRun >= perRun || workflowInfo().continueAsNewSuggested) await moveOn();
  }
  await report();
  await condition(allHandlersFinished);
  return s;
}
